import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOFoundationEssentialsCompat
import PostgresNIO

/// Stored first responses of idempotent POSTs other than job submissions (those keep their key on the job row).
struct IdempotencyStore: Sendable {
    let logger: Logger

    /// A response to send: the first one replayed, or a new one.
    enum Outcome: Sendable {
        case replayed(status: Int, body: Data)
        case fresh(status: Int, body: Data)

        var response: Response {
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            switch self {
            case .replayed(let status, let body):
                headers[MVHeader.idempotentReplayed] = "true"
                return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(data: body)))
            case .fresh(let status, let body):
                return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(data: body)))
            }
        }
    }

    /// Takes the key's lock for this transaction (409 if another request holds it) and returns the stored
    /// response, 422 when the key was used with another body, or nil when the key is new.
    func lookup(userID: UUID, key: String, hash: String, on connection: PostgresConnection) async throws -> Outcome? {
        try Self.validate(key)
        let lockName = "idem:\(userID):\(key)"
        let locked = try await connection.query("SELECT pg_try_advisory_xact_lock(hashtextextended(\(lockName), 0))", logger: logger)
        guard try await locked.decode(Bool.self).first(where: { _ in true }) == true else {
            throw Problem.conflict(code: "idempotency_in_flight", "A request with this Idempotency-Key is still being processed.")
        }
        let rows = try await connection.query("""
            SELECT request_hash, status, response::text FROM idempotency_keys WHERE user_id = \(userID) AND key = \(key)
            """, logger: logger)
        for try await (storedHash, status, body) in rows.decode((String, Int, String).self) {
            guard storedHash == hash else {
                throw Problem(
                    .unprocessableContent, code: "idempotency_key_reused", title: "Idempotency key reused",
                    detail: "This Idempotency-Key was used with a different request body.")
            }
            return .replayed(status: status, body: Data(body.utf8))
        }
        return nil
    }

    /// Keys are 1...255 printable ASCII characters (spaces allowed).
    static func validate(_ key: String) throws(Problem) {
        guard (1...255).contains(key.count), key.allSatisfy({ $0.isASCII && ($0 == " " || !$0.isWhitespace) }) else {
            throw Problem.badRequest(code: "invalid_idempotency_key", "Idempotency-Key must be 1...255 printable ASCII characters.")
        }
    }

    /// Records the first response for the key.
    func store(userID: UUID, key: String, hash: String, status: Int, response: Data, on connection: PostgresConnection) async throws {
        let body = String(decoding: response, as: UTF8.self)
        try await connection.query("""
            INSERT INTO idempotency_keys (user_id, key, request_hash, status, response)
            VALUES (\(userID), \(key), \(hash), \(status), \(body)::jsonb)
            """, logger: logger)
    }
}
