extension OpenAPIDocument {
    private typealias P = Parameter

    /// A webhook URL as registration accepts it (``WebhookURLPolicy/pattern``; https to public hosts is checked beyond the shape).
    static var webhookURL: [String: Any] {
        ["type": "string", "maxLength": WebhookURLPolicy.maxLength, "pattern": WebhookURLPolicy.pattern]
    }

    private static var webhookEvents: [String: Any] {
        var schema = array(enumeration(WebhookEvent.allCases.map(\.rawValue)), maxItems: 20)
        schema["minItems"] = 1
        return schema
    }

    /// The webhook routes of a team (``WebhooksController``).
    static var webhookRoutes: [Route] {
        let endpointLinks: [String: Link] = [
            "UpdateWebhook": Link(operationID: "updateWebhook", parameters: ["id": "$request.path.id", "wid": "$response.body#/id"]),
            "ListWebhookDeliveries": Link(
                operationID: "listWebhookDeliveries", parameters: ["id": "$request.path.id", "wid": "$response.body#/id"]),
        ]
        return [
            Route(
                method: "post", path: "/api/teams/{id}/webhooks", operationID: "createWebhook",
                summary: "Register a webhook endpoint (team owners and admins); the signing secret is in this answer only. "
                    + "The URL must be https to a host resolving to public addresses (422 naming url otherwise); 409 past 20 endpoints",
                body: "WebhookInput", answers: [201: .json("WebhookCreated")], problems: [403, 409], links: [201: endpointLinks],
                responseHeaders: [201: ["Location"]]),
            Route(
                method: "get", path: "/api/teams/{id}/webhooks", operationID: "listWebhooks",
                summary: "The team's webhook endpoints (team owners and admins)", answers: [200: .json("WebhookList")], problems: [403]),
            Route(
                method: "patch", path: "/api/teams/{id}/webhooks/{wid}", operationID: "updateWebhook",
                summary: "Change an endpoint's URL (checked again), events, description, or enable/disable it",
                body: "WebhookUpdate", answers: [200: .json("Webhook")], problems: [403]),
            Route(
                method: "delete", path: "/api/teams/{id}/webhooks/{wid}", operationID: "deleteWebhook",
                summary: "Remove an endpoint and its delivery log; nothing more is sent to it", answers: [204: .empty], problems: [403]),
            Route(
                method: "get", path: "/api/teams/{id}/webhooks/{wid}/deliveries", operationID: "listWebhookDeliveries",
                summary: "An endpoint's delivery log, newest first: status, attempts with response code, latency and error",
                parameters: [P.limit, P.jobCursor], answers: [200: .json("WebhookDeliveryPage")], problems: [403]),
            Route(
                method: "post", path: "/api/teams/{id}/webhooks/{wid}/deliveries/{did}/replay", operationID: "replayWebhookDelivery",
                summary: "Send a delivery again now: the same message (same webhook-id and body) with a fresh retry window; 409 while an attempt runs",
                answers: [202: .json("WebhookDelivery")], problems: [403, 409]),
        ]
    }

    /// Request bodies of the webhook routes.
    static var webhookRequestSchemas: [String: Any] {
        [
            "WebhookInput": object(
                ["url": webhookURL, "events": webhookEvents, "description": nullable(text(maxLength: 500))], required: ["url", "events"]),
            "WebhookUpdate": object([
                "url": webhookURL, "events": webhookEvents, "description": nullable(text(maxLength: 500)), "enabled": boolean,
            ]),
        ]
    }

    /// Response bodies of the webhook routes.
    static var webhookResponseSchemas: [String: Any] {
        let eventType = enumeration(WebhookEvent.allCases.map(\.rawValue))
        let endpoint: [String: Any] = [
            "id": uuid, "team_id": uuid, "url": string, "events": array(eventType), "description": nullable(string), "enabled": boolean,
            "created_at": dateTime, "updated_at": dateTime,
        ]
        let endpointRequired = ["id", "team_id", "url", "events", "enabled", "created_at", "updated_at"]
        let created = object(
            endpoint.merging(["secret": ["type": "string", "pattern": "^whsec_[A-Za-z0-9+/]{43}=$"]]) { first, _ in first },
            required: endpointRequired + ["secret"])
        let attempt = object(
            [
                "attempt": integer, "started_at": dateTime, "latency_ms": integer, "response_code": nullable(integer),
                "error": nullable(string), "succeeded": boolean,
            ], required: ["attempt", "started_at", "latency_ms", "succeeded"])
        let delivery = object(
            [
                "id": uuid, "endpoint_id": uuid, "event_id": uuid, "message_id": ["type": "string", "pattern": "^msg_[0-9a-f]{32}$"],
                "event_type": eventType, "status": enumeration(WebhookDelivery.Status.allCases.map(\.rawValue)), "attempts": integer,
                "next_attempt_at": nullable(dateTime), "last_response_code": nullable(integer), "last_latency_ms": nullable(integer),
                "last_error": nullable(string), "created_at": dateTime, "updated_at": dateTime, "attempt_log": array(attempt),
            ],
            required: [
                "id", "endpoint_id", "event_id", "message_id", "event_type", "status", "attempts", "created_at", "updated_at", "attempt_log",
            ])
        return [
            "Webhook": object(endpoint, required: endpointRequired),
            "WebhookCreated": created,
            "WebhookList": object(["items": array(ref("Webhook"))], required: ["items"]),
            "WebhookDelivery": delivery,
            "WebhookDeliveryPage": object(["items": array(ref("WebhookDelivery")), "next_cursor": nullable(string)], required: ["items"]),
        ]
    }
}
