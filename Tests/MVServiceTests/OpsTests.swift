import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import NIOFoundationEssentialsCompat
import PostgresNIO
import Testing
@testable import MVService

/// Operations endpoints and the HTTP edges every route shares: health, readiness, metrics, the OpenAPI document
/// (complete against the real router), JWKS, unknown methods and oversized bodies. 405s: MethodNotAllowedTests.
struct OpsTests {
    @Test func healthzAndReadyzReflectTheDatabase() async throws {
        try await withTestApp { client, context in
            let health = try await client.request(.get, "/healthz")
            #expect(health.status == .ok)
            #expect(health.json["status"] as? String == "ok")

            var ready = try await client.request(.get, "/readyz")
            let deadline = ContinuousClock.now + .seconds(10)
            while ready.status != .ok && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                ready = try await client.request(.get, "/readyz")
            }
            #expect(ready.status == .ok, "\(ready.text)")
            #expect(ready.json["status"] as? String == "ready")

            // Forget the newest migration: the schema is no longer current, so the instance is not ready.
            let latest = try #require(try await context.scalar("SELECT max(version) FROM schema_migrations", as: Int.self))
            let name = try #require(try await context.scalar("SELECT name FROM schema_migrations WHERE version = \(latest)", as: String.self))
            let checksum = try #require(try await context.scalar("SELECT checksum FROM schema_migrations WHERE version = \(latest)", as: String.self))
            try await context.runSQL("DELETE FROM schema_migrations WHERE version = \(latest)")
            let pending = try await client.request(.get, "/readyz")
            #expect(pending.status == .serviceUnavailable)
            #expect(pending.json["status"] as? String == "migrations pending")
            #expect(try await client.request(.get, "/healthz").status == .ok, "liveness does not depend on migrations")
            try await context.runSQL("INSERT INTO schema_migrations (version, name, checksum) VALUES (\(latest), \(name), \(checksum))")
            #expect(try await client.request(.get, "/readyz").status == .ok)
        }
    }

    @Test func metricsCountRequestsAndJobs() async throws {
        try await withTestApp { client, _ in
            _ = try await client.request(.get, "/healthz")
            _ = try await client.request(.get, "/api/jobs/\(UUID())")
            let metrics = try await client.request(.get, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.header("Content-Type")?.hasPrefix("text/plain") == true)
            let text = metrics.text
            #expect(text.contains("mv_http_requests_total"), "\(text.prefix(500))")
            #expect(text.contains(#"route="/healthz""#))
            #expect(text.contains("mv_jobs"))
            #expect(text.contains(#"mv_jobs{state="queued"} 0"#) || text.contains(#"mv_jobs{state="queued"} 0.0"#), "\(text)")
            #expect(text.contains("mv_http_request_duration_seconds"))
            // Route patterns, never raw ids, label the series.
            #expect(!text.contains("/api/jobs/\(UUID().uuidString.prefix(4))"))
        }
    }

    @Test func openAPIListsEveryRouteTheRouterServes() async throws {
        try await withTestApp { client, context in
            let reply = try await client.request(.get, "/openapi.json")
            #expect(reply.status == .ok)
            #expect(reply.header("Content-Type")?.hasPrefix("application/json") == true)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(buffer: reply.body)) as? [String: Any])
            #expect((document["openapi"] as? String)?.hasPrefix("3.") == true)
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.lowercased()) \(path)" } })

            // Everything in OpenAPIDocument.routes is served in the document.
            let declared = Set(OpenAPIDocument.routes.map { "\($0.method.lowercased()) \($0.path)" })
            #expect(declared.isSubset(of: documented), "declared but not in /openapi.json: \(declared.subtracting(documented).sorted())")
            for known in ["post /api/mv/generate_video", "get /api/jobs/{id}", "post /api/auth/login", "get /healthz", "get /.well-known/jwks.json"] {
                #expect(documented.contains(known), "\(known) missing")
            }

            // And every route the real router has is documented.
            let components = try await ServiceComponents.build(context.config)
            let routes = buildRouter(context.config, components).routes.map { route -> String in
                var path = route.path.description
                if path.count > 1 && path.hasSuffix("/") { path.removeLast() }
                return "\(route.method.rawValue.lowercased()) \(path)"
            }
            try await components.httpClient.shutdown()
            #expect(routes.count > 10)
            let undocumented = Set(routes).subtracting(documented)
            #expect(undocumented.isEmpty, "routes missing from /openapi.json: \(undocumented.sorted())")
            let stale = documented.subtracting(routes)
            #expect(stale.isEmpty, "documented routes the router does not serve: \(stale.sorted())")
        }
    }

    @Test func jwksHasOneECPublicKeyMatchingIssuedTokens() async throws {
        try await withTestApp { client, _ in
            let reply = try await client.request(.get, "/.well-known/jwks.json")
            #expect(reply.status == .ok)
            let keys = try #require(reply.json["keys"] as? [[String: Any]])
            #expect(keys.count == 1)
            let key = try #require(keys.first)
            #expect(key["kty"] as? String == "EC")
            #expect(key["crv"] as? String == "P-256")
            #expect(key["alg"] as? String == "ES256")
            #expect((key["x"] as? String)?.isEmpty == false && (key["y"] as? String)?.isEmpty == false)
            #expect(key["d"] == nil, "the JWKS must not publish the private key")
            let kid = try #require(key["kid"] as? String)
            #expect(!kid.isEmpty)

            let user = try await client.register()
            let headerSegment = try #require(user.accessToken.split(separator: ".").first)
            var base64 = headerSegment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while base64.count % 4 != 0 { base64 += "=" }
            let header = try #require(Data(base64Encoded: base64).flatMap { try JSONSerialization.jsonObject(with: $0) as? [String: Any] })
            #expect(header["kid"] as? String == kid)
            #expect(header["alg"] as? String == "ES256")
        }
    }

    @Test func unknownMethodAndRouteAreProblems() async throws {
        try await withTestApp { client, _ in
            let delete = try await client.request(.delete, "/healthz")
            expectProblemReply(delete, .methodNotAllowed, code: "method_not_allowed", "DELETE /healthz")
            #expect(delete.header("Allow") == "GET")
            #expect(delete.json["request_id"] as? String != nil)

            let missing = try await client.request(.get, "/no/such/route")
            expectProblemReply(missing, .notFound, code: "not_found", "unknown route")
            #expect(missing.json["request_id"] as? String != nil)
            #expect(missing.header("Allow") == nil)
        }
    }

    @Test func oversizedJSONBodyIs413AndCreatesNothing() async throws {
        try await withTestApp { client, context in
            let padding = String(repeating: "a", count: 1_500_000)
            let body = #"{"email":"big@example.com","password":"correct horse battery","name":""# + padding + #""}"#
            let reply = try await client.request(
                .post, "/api/auth/register", headers: ["Content-Type": "application/json"], rawBody: ByteBuffer(string: body))
            expectProblemReply(reply, .contentTooLarge, code: "body_too_large", "1.5 MB register")
            #expect(try await context.countRows("SELECT count(*) FROM users") == 0)

            // The same request at a normal size goes through (the limit, not the content, refused it).
            let normal = try await client.request(.post, "/api/auth/register", json: ["email": "big@example.com", "password": "correct horse battery"])
            #expect(normal.status == .created)
        }
    }
}
