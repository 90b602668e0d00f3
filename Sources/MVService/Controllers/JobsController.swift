import Foundation
import Hummingbird
import MVAuth
import MVCore

/// `GET /api/jobs/{id}` and `POST /api/jobs/{id}/cancel`. Other users' jobs are 404, whatever the id.
struct JobsController {
    let queue: JobQueue

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get(use: list)
        group.get("{id}", use: show)
        group.get("{id}/events", use: events)
        group.post("{id}/cancel", use: cancel)
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> JobResponse {
        let principal = try context.requirePrincipal()
        let id = try context.uuidParameter("id", what: "job")
        guard let record = try await queue.job(id: id, viewer: principal.assetViewer) else { throw Problem.notFound("job") }
        return JobResponse(record)
    }

    /// One page of `GET /api/jobs`.
    struct JobPage: ResponseEncodable {
        var items: [JobResponse]
        var nextCursor: String?
    }

    /// `GET /api/jobs?status=&kind=&project_id=&created_after=&created_before=&limit=&cursor=`: the caller's jobs, newest first.
    func list(_ request: Request, context: AppRequestContext) async throws -> JobPage {
        let principal = try context.requirePrincipal()
        var query = QueryReader(request)
        var filter = JobQueue.ListFilter()
        filter.state = query.value("status", "must be queued, running, succeeded, failed or canceled") { JobState(rawValue: $0) }
        filter.kind = query.oneOf("kind", JobKind.self)
        filter.projectID = query.uuid("project_id")
        filter.createdAfter = query.time("created_after")
        filter.createdBefore = query.time("created_before")
        filter.limit = query.limit()
        filter.after = query.value("cursor", "is not a cursor from this list") { JobCursor.decode($0) }
        try query.finish()
        let records = try await queue.jobs(viewer: principal.assetViewer, filter: filter)
        let next = records.count == filter.limit ? records.last.map { JobCursor.encode(createdAt: $0.createdAt, id: $0.id) } : nil
        return JobPage(items: records.map(JobResponse.init), nextCursor: next)
    }

    func events(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.uuidParameter("id", what: "job")
        let lastEventID = request.headers[MVHeader.lastEventID]
        return try await JobEventStream(queue: queue).response(jobID: id, viewer: principal.assetViewer, lastEventID: lastEventID)
    }

    func cancel(_ request: Request, context: AppRequestContext) async throws -> JobResponse {
        let principal = try context.requirePrincipal()
        let id = try context.uuidParameter("id", what: "job")
        guard let record = try await queue.cancel(jobID: id, viewer: principal.assetViewer) else { throw Problem.notFound("job") }
        return JobResponse(record)
    }
}

/// Keyset cursor of the job list: `<microseconds since 1970, zero-padded to 17 digits>_<job id>`, so the OpenAPI
/// document can describe exactly which cursors are well formed.
enum JobCursor {
    static func encode(createdAt: Date, id: UUID) -> String {
        let micros = Int64((createdAt.timeIntervalSince1970 * 1_000_000).rounded())
        let digits = String(micros)
        return String(repeating: "0", count: max(0, 17 - digits.count)) + digits + "_" + id.lowercased
    }

    static func decode(_ cursor: String) -> (createdAt: Date, id: UUID)? {
        let parts = cursor.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count == 17, parts[0].utf8.allSatisfy({ (48...57).contains($0) }),
            let micros = Int64(parts[0]), let id = UUID(parsing: parts[1])
        else { return nil }
        return (Date(timeIntervalSince1970: Double(micros) / 1_000_000), id)
    }
}

extension AppRequestContext {
    /// A UUID path parameter; a malformed one is a 404 like any unknown id.
    func uuidParameter(_ name: String, what: String) throws(Problem) -> UUID {
        guard let raw = parameters.get(name), let id = UUID(parsing: raw) else { throw Problem.notFound(what) }
        return id
    }
}

extension JobResponse: ResponseGenerator {
    /// 200 with ``jsonBytes``.
    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: jsonBytes)))
    }
}
extension Quote: ResponseEncodable {}
