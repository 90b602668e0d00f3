import Hummingbird
import PostgresNIO

/// On routes that change standing (members, roles, accounts, keys): a successful change answers only after this
/// instance's listener heard it back (``StandingCache/barrier(postgres:timeout:)``), so the caller's next request,
/// through any instance, finds the stale standing already dropped.
struct StandingBarrierMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let standing: StandingCache
    let postgres: PostgresClient

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        if request.method != .get, request.method != .head, (200..<300).contains(response.status.code) {
            await standing.barrier(postgres: postgres)
        }
        return response
    }
}
