import Foundation
import MVAuth
import MVBilling
import MVCore

extension OpenAPIDocument {
    /// The 2xx bodies and the problem document. Members the service leaves out when empty are not required; a
    /// member that may be `null` says so.
    static var responseSchemas: [String: Any] {
        let role = enumeration(TeamRole.allCases.map(\.rawValue))
        let cost = object(["quoted": integer, "held": integer, "charged": integer, "released": integer], required: ["quoted", "held", "charged", "released"])
        let page = { (item: [String: Any]) in object(["items": array(item), "next_cursor": nullable(string)], required: ["items"]) }
        return [
            "Problem": object(
                [
                    "type": string, "title": string, "status": integer, "detail": string, "code": string, "request_id": string,
                    "errors": array(object(["field": string, "message": string], required: ["field", "message"])),
                ], required: ["type", "title", "status", "detail", "code"]),
            "Health": object(["status": string], required: ["status"]),
            "Document": object(["openapi": string, "info": anyObject, "paths": anyObject], required: ["openapi", "info", "paths"]),
            "JWKS": object(["keys": array(object(["kty": string, "crv": string, "alg": string, "kid": string, "x": string, "y": string, "use": string]))], required: ["keys"]),
            "TokenResponse": object(
                ["access_token": string, "refresh_token": string, "token_type": enumeration(["Bearer"]), "expires_in": integer],
                required: ["access_token", "refresh_token", "token_type", "expires_in"]),
            "RegisterResponse": object(
                [
                    "user": ref("User"), "team": ref("Team"), "access_token": string, "refresh_token": string, "token_type": enumeration(["Bearer"]),
                    "expires_in": integer,
                ], required: ["user", "team", "access_token", "refresh_token", "token_type", "expires_in"]),
            "User": object(
                ["id": uuid, "email": string, "name": string, "is_platform_admin": boolean, "default_team_id": nullable(uuid), "created_at": dateTime],
                required: ["id", "email", "name", "is_platform_admin", "created_at"]),
            "Team": object(
                ["id": uuid, "name": string, "personal": boolean, "time_zone": string, "created_at": dateTime], required: ["id", "name", "personal", "created_at"]),
            "Me": object(
                [
                    "user": ref("User"),
                    "teams": array(object(["id": uuid, "name": string, "personal": boolean, "role": role], required: ["id", "name", "personal", "role"])),
                    "default_team_id": nullable(uuid), "current_team_id": uuid,
                ], required: ["user", "teams", "current_team_id"]),
            "Balance": object(
                [
                    "available": integer, "held": integer, "posted": integer,
                    "expiring": array(object(["amount": integer, "expires_at": dateTime], required: ["amount", "expires_at"])),
                ], required: ["available", "held", "posted"]),
            "LotList": object(["items": array(object(
                [
                    "id": uuid, "granted": integer, "consumed": integer, "expired": integer, "remaining": integer, "priority": integer,
                    "expires_at": nullable(dateTime), "reason": nullable(string), "granted_by": nullable(uuid), "created_at": dateTime,
                ], required: ["id", "granted", "consumed", "expired", "remaining", "priority", "created_at"]))], required: ["items"]),
            "APIKey": object(
                [
                    "id": uuid, "name": string, "prefix": string, "scopes": array(enumeration(KeyScope.allCases.map(\.rawValue))), "team_id": uuid,
                    "user_id": uuid, "created_at": dateTime, "last_used_at": nullable(dateTime), "expires_at": nullable(dateTime),
                ], required: ["id", "name", "prefix", "scopes", "team_id", "user_id", "created_at"]),
            "KeyCreated": [
                "allOf": [ref("APIKey"), object(["key": ["type": "string", "pattern": "^mvk_[A-Za-z0-9_-]{43}$"]], required: ["key"])]
            ],
            "KeyList": object(["items": array(ref("APIKey"))], required: ["items"]),
            "Quota": object(
                [
                    "id": uuid, "team_id": uuid,
                    "subject": object(["type": enumeration(Quota.SubjectType.allCases.map(\.rawValue)), "id": uuid], required: ["type", "id"]),
                    "period": enumeration(Quota.Period.allCases.map(\.rawValue)), "limit": integer,
                    "action": enumeration(Quota.Action.allCases.map(\.rawValue)), "used": integer, "remaining": integer,
                    "period_start": dateTime, "resets_at": dateTime,
                ], required: ["id", "team_id", "subject", "period", "limit", "action", "used", "remaining", "period_start", "resets_at"]),
            "RateLimitOverrides": object(
                [
                    "team_id": uuid,
                    "overrides": ["type": "object", "additionalProperties": object(
                        ["capacity": integer, "refill": integer, "per_seconds": integer], required: ["capacity", "refill", "per_seconds"])],
                    "effective": ["type": "object", "additionalProperties": object(
                        ["capacity": integer, "refill_per_second": number, "window_seconds": integer, "source": enumeration(["default", "override"])],
                        required: ["capacity", "refill_per_second", "window_seconds", "source"])],
                ], required: ["team_id", "overrides", "effective"]),
            "CostReport": costReport,
            "QuotaList": object(["items": array(ref("Quota"))], required: ["items"]),
            "PriceList": object(
                [
                    "items": array(object(
                        [
                            "capability": enumeration(["video", "image", "scenes", "merge"]), "model": string, "provider": nullable(string),
                            "unit": enumeration(["second", "image", "1k_tokens", "started_minute"]), "credits_per_unit": integer, "hold_credits": nullable(integer),
                            "provider_cost_usd_per_unit": nullable(number), "provider_cost_usd_per_million_input_tokens": nullable(number),
                            "provider_cost_usd_per_million_output_tokens": nullable(number),
                        ], required: ["capability", "model", "unit", "credits_per_unit"]))
                ], required: ["items"]),
            "LedgerPage": page(object(
                [
                    "id": integer, "transaction_id": uuid, "account": string,
                    "kind": enumeration(["grant", "hold", "capture", "release", "expire", "adjustment"]), "amount": integer,
                    "job_id": nullable(uuid), "user_id": nullable(uuid), "api_key_id": nullable(uuid), "lot_id": nullable(uuid),
                    "reason": nullable(string), "created_at": dateTime,
                ], required: ["id", "transaction_id", "account", "kind", "amount", "created_at"])),
            "Quote": object(
                [
                    "credits": integer,
                    "breakdown": array(object(
                        ["provider": string, "model": string, "unit": string, "quantity": number, "credits": integer],
                        required: ["model", "unit", "quantity", "credits"])),
                ], required: ["credits", "breakdown"]),
            "Job": object(
                [
                    "id": uuid, "kind": enumeration(JobKind.allCases.map(\.rawValue)), "status": enumeration(JobState.allCases.map(\.rawValue)),
                    "progress": ["type": "number", "minimum": 0, "maximum": 1], "stage": string, "attempts": integer, "created_at": dateTime,
                    "started_at": nullable(dateTime), "finished_at": nullable(dateTime), "cost": cost, "result": nullable(anyObject),
                    "error": ["anyOf": [ref("Problem"), ["type": "null"]]],
                    "provider": nullable(object(["name": string, "model": string], required: ["name", "model"])),
                ], required: ["id", "kind", "status", "progress", "stage", "attempts", "created_at", "cost"]),
            "JobPage": page(ref("Job")),
            "JobEvent": object(
                [
                    "event": enumeration(["status", "progress", "stage", "done"]), "data": string, "id": string,
                    "retry": ["type": ["integer", "string"]],
                ]),
            "SceneSet": object(
                [
                    "scene_set_id": uuid, "idea": string, "character_description": string,
                    "scenes": array(object(["index": integer, "description": string, "negative_description": string])),
                    "parameters_used": anyObject, "director": nullable(string), "provenance": anyObject, "usage": anyObject,
                ], required: ["scene_set_id", "scenes"]),
            "Asset": object(
                [
                    "id": uuid, "kind": enumeration(AssetKind.allCases.map(\.rawValue)), "title": nullable(string), "tags": array(string),
                    "owner_id": uuid, "team_id": uuid, "job_id": nullable(uuid), "project_id": nullable(uuid),
                    "content_type": nullable(string), "size_bytes": nullable(integer), "sha256": nullable(string), "content_url": string,
                    "created_at": dateTime, "permission": enumeration(["view", "edit", "manage"]),
                    "metadata": ["type": ["object", "array", "string", "number", "boolean", "null"]],
                ], required: ["id", "kind", "tags", "owner_id", "team_id", "content_url", "created_at", "permission"]),
            "VideoInfo": object(
                ["video_id": uuid, "exists": boolean, "file_size_bytes": nullable(integer), "created_at": dateTime], required: ["video_id", "exists", "created_at"]),
            "Providers": object(
                [
                    "providers": array(object(
                        [
                            "name": string, "configured": boolean, "breaker_state": enumeration(["closed", "open", "half_open"]),
                            "recent_error_rate": number, "recent_calls": integer, "p50_latency_ms": nullable(number), "avg_latency_ms": nullable(number),
                            "last_error": nullable(string), "last_error_at": nullable(dateTime),
                        ], required: ["name", "configured", "breaker_state", "recent_error_rate", "recent_calls"]))
                ], required: ["providers"]),
            "Limits": object(
                [
                    "rate_limits": array(object(
                        [
                            "policy": string, "scope": string, "limit": integer, "remaining": integer, "window_seconds": integer,
                            "reset_seconds": integer,
                        ], required: ["policy", "scope", "limit", "remaining", "window_seconds", "reset_seconds"])),
                    "quotas": array(ref("Quota")), "credits": ref("Balance"), "team_id": uuid,
                ], required: ["rate_limits", "quotas", "credits", "team_id"]),
            "Grant": object(
                [
                    "team_id": uuid, "amount": integer, "reason": string, "expires_at": nullable(dateTime), "priority": nullable(integer),
                    "balance": ref("Balance"),
                ], required: ["team_id", "amount", "reason", "balance"]),
            "TeamView": object(
                [
                    "id": uuid, "name": string, "personal": boolean, "time_zone": string, "role": role, "created_at": dateTime,
                    "retention_days": nullable(integer), "usage": object(["bytes": integer, "count": integer], required: ["bytes", "count"]),
                ],
                required: ["id", "name", "personal", "time_zone", "role", "created_at"]),
            "TeamList": object(["items": array(ref("TeamView"))], required: ["items"]),
            "Member": object(
                ["user_id": uuid, "email": string, "name": string, "role": role, "added_at": dateTime], required: ["user_id", "email", "name", "role", "added_at"]),
            "Invitation": object(["email": string, "role": role, "invited_at": dateTime], required: ["email", "role", "invited_at"]),
            "MemberList": object(["items": array(ref("Member")), "invitations": array(ref("Invitation"))], required: ["items", "invitations"]),
            "AuditPage": page(object(
                [
                    "id": integer, "at": dateTime, "actor": object(["user_id": nullable(uuid), "api_key_id": nullable(uuid)]), "team_id": nullable(uuid),
                    "action": enumeration(AuditAction.allCases.map(\.rawValue)), "target": nullable(object(["type": string, "id": string])),
                    "ip": nullable(string), "user_agent": nullable(string), "detail": nullable(anyObject),
                ], required: ["id", "at", "actor", "action"])),
        ]
    }

    /// `GET .../reports/costs` as JSON (CSV: the same row columns, `provider_units` flattened, no totals row).
    static var costReport: [String: Any] {
        let figures: [String: Any] = [
            "jobs": integer, "succeeded": integer, "failed": integer, "canceled": integer, "credits_charged": integer,
            "credits_released": integer,
            "provider_units": object(["video_seconds": number, "images": integer, "input_tokens": integer, "output_tokens": integer]),
            "provider_cost_usd": number, "margin_credits": integer,
        ]
        let groups: [String: Any] = [
            "team_id": nullable(uuid), "user_id": nullable(uuid), "api_key_id": nullable(uuid), "provider": nullable(string),
            "model": nullable(string), "kind": nullable(string), "day": nullable(["type": "string", "format": "date"]),
        ]
        return object(
            [
                "from": dateTime, "to": dateTime, "tz": string,
                "group_by": array(enumeration(["team", "user", "api_key", "provider", "model", "kind", "day"])),
                "rows": array(object(figures.merging(groups) { first, _ in first })), "totals": object(figures), "truncated": boolean,
            ], required: ["from", "to", "tz", "group_by", "rows", "totals"])
    }
}
