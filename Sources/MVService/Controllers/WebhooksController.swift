import Foundation
import Hummingbird
import MVAuth
import MVCore

/// Webhooks of a team (API.md, Webhooks): `POST/GET /api/teams/{id}/webhooks`, `PATCH/DELETE .../webhooks/{wid}`,
/// `GET .../webhooks/{wid}/deliveries`, `POST .../webhooks/{wid}/deliveries/{did}/replay`. Team owners and admins only,
/// decided by ``TeamAccess`` (`webhooks.manage`): a member or viewer gets 403, a non-member 404.
struct WebhooksController {
    let store: WebhookStore
    let teams: TeamStore
    let policy: WebhookURLPolicy

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("{id}/webhooks", use: create)
        group.get("{id}/webhooks", use: list)
        group.patch("{id}/webhooks/{wid}", use: update)
        group.delete("{id}/webhooks/{wid}", use: delete)
        group.get("{id}/webhooks/{wid}/deliveries", use: deliveries)
        group.post("{id}/webhooks/{wid}/deliveries/{did}/replay", use: replay)
    }

    /// Body of a registration.
    struct CreateInput: Decodable {
        var url: String
        var events: [WebhookEvent]
        var description: String?
    }

    /// Body of a change; absent fields stay.
    struct UpdateInput: Decodable {
        var url: String?
        var events: [WebhookEvent]?
        var description: String?
        var enabled: Bool?
    }

    /// The team's endpoints.
    struct EndpointList: ResponseEncodable {
        var items: [WebhookEndpoint]
    }

    /// One page of a delivery log.
    struct DeliveryPage: ResponseEncodable {
        var items: [WebhookDelivery]
        var nextCursor: String?
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<CreatedWebhookEndpoint> {
        let (principal, teamID) = try await access(context)
        let input = try await request.decode(as: CreateInput.self, context: context)
        let description = try Self.description(input.description)
        let events = try Self.events(input.events)
        try await policy.check(input.url)
        let (endpoint, secret) = try await store.create(
            teamID: teamID, url: input.url, events: events, description: description, createdBy: principal.userID)
        var response = EditedResponse(status: .created, response: CreatedWebhookEndpoint(endpoint: endpoint, secret: secret.text))
        response.headers[.location] = "/api/teams/\(teamID.lowercased)/webhooks/\(endpoint.id.lowercased)"
        return response
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> EndpointList {
        let (_, teamID) = try await access(context)
        return EndpointList(items: try await store.endpoints(teamID: teamID))
    }

    func update(_ request: Request, context: AppRequestContext) async throws -> WebhookEndpoint {
        let (_, teamID) = try await access(context)
        let id = try context.uuidParameter("wid", what: "webhook")
        let input = try await request.decode(as: UpdateInput.self, context: context)
        let description = try input.description.map { try Self.description($0) ?? "" }
        let events = try input.events.map { try Self.events($0) }
        if let url = input.url { try await policy.check(url) }
        guard
            let endpoint = try await store.update(
                id: id, teamID: teamID, url: input.url, events: events, description: description, enabled: input.enabled)
        else { throw WebhookError.notFound("webhook") }
        return endpoint
    }

    func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let (_, teamID) = try await access(context)
        let id = try context.uuidParameter("wid", what: "webhook")
        guard try await store.delete(id: id, teamID: teamID) else { throw WebhookError.notFound("webhook") }
        return .noContent
    }

    /// `?limit=&cursor=`: the endpoint's deliveries, newest first, with every attempt.
    func deliveries(_ request: Request, context: AppRequestContext) async throws -> DeliveryPage {
        let (_, teamID) = try await access(context)
        let id = try context.uuidParameter("wid", what: "webhook")
        var query = QueryReader(request)
        let limit = query.limit()
        let after = query.value("cursor", "is not a cursor from this list") { JobCursor.decode($0) }
        try query.finish()
        guard try await store.endpoint(id: id, teamID: teamID) != nil else { throw WebhookError.notFound("webhook") }
        let items = try await store.deliveries(endpointID: id, teamID: teamID, after: after, limit: limit)
        let next = items.count == limit ? items.last.map { JobCursor.encode(createdAt: $0.createdAt, id: $0.id) } : nil
        return DeliveryPage(items: items, nextCursor: next)
    }

    /// A new attempt of the same message (same `webhook-id`), due now: 202 with the delivery.
    func replay(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<WebhookDelivery> {
        let (_, teamID) = try await access(context)
        let endpointID = try context.uuidParameter("wid", what: "webhook")
        let id = try context.uuidParameter("did", what: "delivery")
        let delivery = try await store.replay(id: id, endpointID: endpointID, teamID: teamID)
        return EditedResponse(status: .accepted, response: delivery)
    }

    private func access(_ context: AppRequestContext) async throws -> (Principal, UUID) {
        let teamID = try context.uuidParameter("id", what: "team")
        let (principal, _) = try await TeamAccess(teams: teams).require(.manageWebhooks, in: teamID, context: context)
        return (principal, teamID)
    }

    /// At most 500 characters; blank means none.
    private static func description(_ text: String?) throws(Problem) -> String? {
        guard let text else { return nil }
        guard text.unicodeScalars.count <= 500 else { throw Problem.invalid("description", "must be at most 500 characters") }
        let trimmed = text.trimmingWhitespaceAndNewlines()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// At least one event; duplicates dropped, order kept.
    private static func events(_ events: [WebhookEvent]) throws(Problem) -> [WebhookEvent] {
        var seen = Set<WebhookEvent>()
        let unique = events.filter { seen.insert($0).inserted }
        guard !unique.isEmpty else { throw Problem.invalid("events", "must name at least one event") }
        return unique
    }
}

extension WebhookEndpoint: ResponseEncodable {}
extension WebhookDelivery: ResponseEncodable {}
extension CreatedWebhookEndpoint: ResponseEncodable {}
