import Foundation
import Hummingbird
import PostgresNIO
import Testing

extension TestClient.Reply {
    /// The problem document's `code`, or nil when the body is not a problem.
    var problemCode: String? { json["code"] as? String }

    /// The `field` of every entry of a `validation_failed` problem's `errors`.
    var problemFields: [String] {
        (json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
    }

    /// Whether `Content-Type` is `application/problem+json`.
    var isProblemJSON: Bool { header("Content-Type")?.hasPrefix("application/problem+json") == true }
}

/// Records a failure unless `reply` is an `application/problem+json` with `status` and `code` (and a matching
/// `status` member). HEAD replies have no body, so only status and content type are checked for them.
func expectProblemReply(
    _ reply: TestClient.Reply, _ status: HTTPResponse.Status, code: String, hasBody: Bool = true,
    _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(reply.status == status, "\(what): status \(reply.status) body \(reply.text)", sourceLocation: sourceLocation)
    #expect(reply.isProblemJSON, "\(what): content type \(reply.header("Content-Type") ?? "none")", sourceLocation: sourceLocation)
    guard hasBody else { return }
    #expect(reply.problemCode == code, "\(what): body \(reply.text)", sourceLocation: sourceLocation)
    #expect(reply.json["status"] as? Int == Int(status.code), "\(what): body \(reply.text)", sourceLocation: sourceLocation)
}

extension TestContext {
    /// `SELECT count(*) ...` as an Int (0 when no row).
    func countRows(_ query: PostgresQuery) async throws -> Int {
        try await scalar(query, as: Int.self) ?? 0
    }

    /// Jobs and holds that exist for `userID` / `teamID`.
    func jobAndHoldCounts(userID: String, teamID: String) async throws -> (jobs: Int, holds: Int) {
        let user = try #require(UUID(uuidString: userID))
        let team = try #require(UUID(uuidString: teamID))
        let jobs = try await countRows("SELECT count(*) FROM jobs WHERE user_id = \(user)")
        let holds = try await countRows("SELECT count(*) FROM holds WHERE team_id = \(team)")
        return (jobs, holds)
    }
}

extension TestClient {
    /// `GET /api/billing/balance` as `(available, held, posted)`.
    func balance(token: String) async throws -> (available: Int, held: Int, posted: Int) {
        let reply = try await request(.get, "/api/billing/balance", token: token)
        guard reply.status == .ok else { throw TestFailure("balance failed: \(reply.status) \(reply.text)") }
        let json = reply.json
        return (json["available"] as? Int ?? -1, json["held"] as? Int ?? -1, json["posted"] as? Int ?? -1)
    }

    /// Submits `POST /api/mv/generate_video` with `body` and an Idempotency-Key.
    func submitVideo(_ body: [String: Any], token: String, key: String = UUID().uuidString) async throws -> Reply {
        try await request(.post, "/api/mv/generate_video", token: token, json: body, headers: ["Idempotency-Key": key])
    }
}
