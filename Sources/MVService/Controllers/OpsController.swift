import Foundation
import Hummingbird
import Logging
import MVAuth
import NIOCore
import NIOFoundationEssentialsCompat
import PostgresNIO
import Prometheus

/// Operations endpoints: liveness, readiness (database answers and migrations are current), Prometheus metrics,
/// the OpenAPI document and the JWKS that verifies our access tokens.
struct OpsController {
    let postgres: PostgresClient
    let migrator: Migrator
    let metrics: ServiceMetrics
    let tokens: TokenIssuer
    /// What the generation routes accept here, for the OpenAPI document.
    let generationOptions: GenerationOptions
    let logger: Logger

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("healthz", use: healthz)
        router.get("readyz", use: readyz)
        router.get("metrics", use: prometheus)
        router.get("openapi.json", use: openAPI)
        router.get(".well-known/jwks.json", use: jwks)
    }

    struct Health: ResponseEncodable {
        var status: String
    }

    func healthz(_ request: Request, context: AppRequestContext) -> Health {
        Health(status: "ok")
    }

    func readyz(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Health> {
        let databaseUp = (try? await postgres.query("SELECT 1", logger: logger).decode(Int.self).first(where: { _ in true })) != nil
        guard databaseUp else {
            return EditedResponse(status: .serviceUnavailable, response: Health(status: "database unavailable"))
        }
        guard await migrator.isCurrent() else {
            return EditedResponse(status: .serviceUnavailable, response: Health(status: "migrations pending"))
        }
        return EditedResponse(status: .ok, response: Health(status: "ready"))
    }

    func prometheus(_ request: Request, context: AppRequestContext) async throws -> Response {
        var counts = ["queued": 0, "running": 0, "succeeded": 0, "failed": 0, "canceled": 0]
        if let rows = try? await postgres.query("SELECT state, count(*)::int FROM jobs GROUP BY state", logger: logger) {
            for try await (state, count) in rows.decode((String, Int).self) { counts[state] = count }
        }
        for (state, count) in counts { metrics.setJobs(state: state, count: count) }
        var buffer: [UInt8] = []
        metrics.registry.emit(into: &buffer)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }

    func openAPI(_ request: Request, context: AppRequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: try OpenAPIDocument.json(options: generationOptions))))
    }

    func jwks(_ request: Request, context: AppRequestContext) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "public, max-age=300"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: tokens.jwksJSON())))
    }
}
