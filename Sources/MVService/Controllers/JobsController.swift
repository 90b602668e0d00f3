import Foundation
import Hummingbird

/// `GET /api/jobs/{id}` and `POST /api/jobs/{id}/cancel`. Other users' jobs are 404, whatever the id.
struct JobsController {
    let queue: JobQueue

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("{id}", use: show)
        group.post("{id}/cancel", use: cancel)
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> JobResponse {
        let principal = try context.requirePrincipal()
        let id = try context.uuidParameter("id", what: "job")
        guard let record = try await queue.job(id: id, userID: principal.userID) else { throw Problem.notFound("job") }
        return JobResponse(record)
    }

    func cancel(_ request: Request, context: AppRequestContext) async throws -> JobResponse {
        let principal = try context.requirePrincipal()
        let id = try context.uuidParameter("id", what: "job")
        guard let record = try await queue.cancel(jobID: id, userID: principal.userID) else { throw Problem.notFound("job") }
        return JobResponse(record)
    }
}

extension AppRequestContext {
    /// A UUID path parameter; a malformed one is a 404 like any unknown id.
    func uuidParameter(_ name: String, what: String) throws(Problem) -> UUID {
        guard let raw = parameters.get(name), let id = UUID(uuidString: raw) else { throw Problem.notFound(what) }
        return id
    }
}

extension JobResponse: ResponseEncodable {}
extension Quote: ResponseEncodable {}
