import Foundation
import Logging
import MVCore
import PostgresNIO

/// The one Idempotency-Key guard of every idempotent POST (job submissions and credit grants): validates the key and
/// takes a transaction-scoped advisory lock on (user, key), so a concurrent duplicate is refused at once instead of
/// racing to a second job or a second grant. The lock is SQL function `idempotency_lock` (sql/018), the same one
/// one-round-trip admission takes.
enum IdempotencyLock {
    /// Takes the key's lock for the current transaction.
    /// - Throws: ``AdmissionError/invalidIdempotencyKey`` for a malformed key, ``AdmissionError/idempotencyInFlight``
    ///   when another transaction holds the same user's key.
    static func acquire(userID: UUID, key: String, on connection: PostgresConnection, logger: Logger) async throws {
        try validate(key)
        let locked = try await connection.query("SELECT idempotency_lock(\(userID), \(key))", logger: logger)
        guard try await locked.decode(Bool.self).first(where: { _ in true }) == true else {
            throw AdmissionError.idempotencyInFlight
        }
    }

    /// Keys are 1...255 printable ASCII characters (spaces allowed).
    static func validate(_ key: String) throws(AdmissionError) {
        guard (1...255).contains(key.count), key.allSatisfy({ $0.isASCII && ($0 == " " || !$0.isWhitespace) }) else {
            throw AdmissionError.invalidIdempotencyKey
        }
    }
}
