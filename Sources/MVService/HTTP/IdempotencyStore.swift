import Foundation
import Hummingbird
import Logging
import MVCore
import NIOCore
import PostgresNIO

/// Stored first responses of idempotent POSTs other than job submissions (those keep their key on the job row).
/// The key's lock is ``IdempotencyLock``, shared with admission.
struct IdempotencyStore: Sendable {
    let logger: Logger

    /// A response to send: the first one replayed, or a new one.
    enum Outcome: Sendable {
        case replayed(status: Int, body: JSONValue)
        case fresh(status: Int, body: JSONValue)

        var response: Response {
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            switch self {
            case .replayed(let status, let body):
                headers[MVHeader.idempotentReplayed] = "true"
                return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body.data)))
            case .fresh(let status, let body):
                return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body.data)))
            }
        }
    }

    /// Takes the key's lock for this transaction and returns the stored response, or nil when the key is new.
    /// - Throws: ``AdmissionError`` when another request holds the key or the key was used with another body.
    func lookup(userID: UUID, key: String, hash: String, on connection: PostgresConnection) async throws -> Outcome? {
        try await IdempotencyLock.acquire(userID: userID, key: key, on: connection, logger: logger)
        let rows = try await connection.query("""
            SELECT request_hash, status, response FROM idempotency_keys WHERE user_id = \(userID) AND key = \(key)
            """, logger: logger)
        for try await (storedHash, status, body) in rows.decode((String, Int, JSONB<JSONValue>).self) {
            guard storedHash == hash else { throw AdmissionError.idempotencyKeyReused }
            return .replayed(status: status, body: body.value)
        }
        return nil
    }

    /// Records the first response for the key.
    func store(userID: UUID, key: String, hash: String, status: Int, response: JSONValue, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO idempotency_keys (user_id, key, request_hash, status, response)
            VALUES (\(userID), \(key), \(hash), \(status), \(JSONB(response)))
            """, logger: logger)
    }
}
