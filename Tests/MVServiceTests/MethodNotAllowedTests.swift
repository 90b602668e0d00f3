import Foundation
import Hummingbird
import Testing
@testable import MVService

/// A wrong method on a known path is `405 method_not_allowed` with `Allow`; an unknown path stays 404; a 404 from a
/// handler (an unknown id) is not turned into a 405.
struct MethodNotAllowedTests {
    @Test func wrongMethodOnKnownPathsIs405WithAllow() async throws {
        try await withTestApp { client, _ in
            let user = try await client.register()
            let job = UUID().uuidString.lowercased()
            let cases: [(HTTPRequest.Method, String, String)] = [
                (.delete, "/api/me", "GET"),
                (.put, "/api/jobs/\(job)", "GET"),
                (.get, "/api/jobs/\(job)/cancel", "POST"),
                (.post, "/api/mv/videos/\(job)/content", "GET, HEAD"),
                (.put, "/api/teams/\(job)/members/\(job)", "PATCH, DELETE"),
                (.get, "/api/teams/\(job)/members/\(job)", "PATCH, DELETE"),
                (.delete, "/api/teams", "GET, POST"),
            ]
            for (method, path, allow) in cases {
                // With and without a token: the method is wrong before anyone is asked who is calling.
                for token in [user.accessToken, nil] {
                    let reply = try await client.request(method, path, token: token)
                    expectProblemReply(reply, .methodNotAllowed, code: "method_not_allowed", "\(method) \(path)")
                    #expect(reply.header("Allow") == allow, "\(method) \(path): Allow \(reply.header("Allow") ?? "none")")
                }
            }
        }
    }

    @Test func unknownPathsAndUnknownIdsStay404() async throws {
        try await withTestApp { client, _ in
            let user = try await client.register()
            for path in ["/api/nothing", "/api/jobs/\(UUID())/nothing", "/api/me/limits/extra"] {
                for method in [HTTPRequest.Method.get, .delete] {
                    let reply = try await client.request(method, path, token: user.accessToken)
                    expectProblemReply(reply, .notFound, code: "not_found", "\(method) \(path)")
                    #expect(reply.header("Allow") == nil)
                }
            }
            // The route exists with this method; the job does not: the handler's 404 passes through.
            let job = try await client.request(.get, "/api/jobs/\(UUID())", token: user.accessToken)
            expectProblemReply(job, .notFound, code: "not_found", "unknown job")
        }
    }

    @Test func allowListsEveryMethodOfTheTemplate() {
        #expect(MethodNotAllowedMiddleware.allowedMethods(path: "/api/mv/get_video/abc") == ["GET", "HEAD"])
        #expect(MethodNotAllowedMiddleware.allowedMethods(path: "/api/teams/abc") == ["GET", "PATCH"])
        #expect(MethodNotAllowedMiddleware.allowedMethods(path: "/api/teams/abc/") == ["GET", "PATCH"])
        #expect(MethodNotAllowedMiddleware.allowedMethods(path: "/api/teams/abc/x").isEmpty)
        #expect(MethodNotAllowedMiddleware.allowedMethods(path: "/").isEmpty)
    }
}
