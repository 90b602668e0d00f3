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

    /// Keys are 1...255 ASCII characters without whitespace other than the space (no tab, line feed, vertical tab,
    /// form feed or carriage return). Checked byte by byte: an ASCII text has as many characters as bytes, and walking
    /// it as `Character`s (grapheme breaking) cost every admission about 1 % of the server's CPU.
    static func validate(_ key: String) throws(AdmissionError) {
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ $0 < 0x80 && !(0x09...0x0D).contains($0) }) else {
            throw AdmissionError.invalidIdempotencyKey
        }
    }
}
