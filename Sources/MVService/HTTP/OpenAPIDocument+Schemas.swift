import Foundation

extension OpenAPIDocument {
    /// `components.schemas`: the JSON shapes the routes accept and answer with.
    static var schemas: [String: Any] {
        [
        "Problem": object([
            "type": string, "title": string, "status": integer, "detail": string, "code": string, "request_id": string,
            "errors": ["type": "array", "items": object(["field": string, "message": string])],
        ]),
        "Health": object(["status": string]),
        "RegisterInput": object(["email": string, "password": string, "name": string, "team_name": string], required: ["email", "password"]),
        "LoginInput": object(["email": string, "password": string], required: ["email", "password"]),
        "RefreshInput": object(["refresh_token": string], required: ["refresh_token"]),
        "TokenResponse": object(["access_token": string, "refresh_token": string, "token_type": string, "expires_in": integer]),
        "RegisterResponse": object(["user": ref("User"), "team": ref("Team"), "access_token": string, "refresh_token": string, "token_type": string, "expires_in": integer]),
        "User": object(["id": uuid, "email": string, "name": string, "is_platform_admin": boolean, "default_team_id": uuid, "created_at": dateTime]),
        "Team": object(["id": uuid, "name": string, "personal": boolean, "created_at": dateTime]),
        "Me": object(["user": ref("User"), "teams": ["type": "array", "items": object(["id": uuid, "name": string, "personal": boolean, "role": string])], "default_team_id": uuid, "current_team_id": uuid]),
        "Balance": object(["available": integer, "held": integer, "posted": integer]),
        "PriceList": object(["items": ["type": "array", "items": object([
            "capability": string, "model": string, "provider": string, "unit": string, "credits_per_unit": integer,
            "hold_credits": integer, "provider_cost_usd_per_unit": number, "provider_cost_usd_per_million_input_tokens": number,
            "provider_cost_usd_per_million_output_tokens": number,
        ])]]),
        "LedgerPage": object([
            "items": ["type": "array", "items": object([
                "id": integer, "transaction_id": uuid, "account": ["type": "string", "enum": ["available", "held"]],
                "kind": ["type": "string", "enum": ["grant", "hold", "capture", "release", "adjustment"]], "amount": integer,
                "job_id": uuid, "user_id": uuid, "reason": string, "created_at": dateTime,
            ])],
            "next_cursor": string,
        ]),
        "QuoteInput": object(["kind": ["type": "string", "enum": ["generate_video", "create_scenes", "generate_character_reference"]]], additional: true),
        "Quote": object(["credits": integer, "breakdown": ["type": "array", "items": object(["provider": string, "model": string, "unit": string, "quantity": number, "credits": integer])]]),
        "GenerateVideoInput": object([
            "prompt": string, "negative_prompt": string, "aspect_ratio": ["type": "string", "enum": ["16:9", "9:16", "1:1"]],
            "duration": integer, "resolution": ["type": "string", "enum": ["720p", "1080p"]], "generate_audio": boolean,
            "seed": integer, "reference_image_ids": ["type": "array", "items": uuid, "maxItems": 3],
            "backend": ["type": "string", "enum": ["auto", "replicate", "gemini", "mock"]], "model": string, "project_id": uuid,
            "scene_index": integer, "video_rules_template": string,
        ], required: ["prompt"]),
        "Job": object([
            "id": uuid, "kind": string, "status": ["type": "string", "enum": ["queued", "running", "succeeded", "failed", "canceled"]],
            "progress": number, "stage": string, "attempts": integer, "created_at": dateTime, "started_at": dateTime,
            "finished_at": dateTime, "cost": object(["quoted": integer, "held": integer, "charged": integer, "released": integer]),
            "result": ["type": "object"], "error": ref("Problem"), "provider": object(["name": string, "model": string]),
        ]),
        "CreateScenesInput": object([
            "idea": string, "character_description": string, "character_characteristics": string, "number_of_scenes": integer,
            "video_type": string, "video_characteristics": string, "camera_angle": string, "config_flavor": string, "director": string,
            "project_id": uuid, "backend": string, "model": string,
        ], required: ["idea", "character_description"]),
        "CharacterReferenceInput": object([
            "character_description": string, "num_images": integer, "aspect_ratio": string, "safety_filter_level": string,
            "person_generation": string, "output_format": string, "negative_prompt": string, "seed": integer, "project_id": uuid,
            "backend": string, "model": string,
        ], required: ["character_description"]),
        "SceneSet": object([
            "scene_set_id": uuid, "idea": string, "character_description": string,
            "scenes": ["type": "array", "items": object(["index": integer, "description": string, "negative_description": string])],
            "parameters_used": ["type": "object"], "director": string, "provenance": ["type": "object"], "usage": ["type": "object"],
        ]),
        "Asset": object(["id": uuid, "title": string, "job_id": uuid, "content_type": string, "size_bytes": integer, "sha256": string, "content_url": string, "created_at": dateTime, "metadata": ["type": "object"]]),
        "Providers": object(["providers": ["type": "array", "items": object([
            "name": string, "configured": boolean, "breaker_state": string, "recent_error_rate": number, "recent_calls": integer,
            "p50_latency_ms": number, "avg_latency_ms": number, "last_error": string, "last_error_at": dateTime,
        ])]]),
        "Limits": object([
            "rate_limits": ["type": "array", "items": object([
                "policy": string, "scope": string, "limit": integer, "remaining": integer, "window_seconds": integer, "reset_seconds": integer,
            ])],
            "credits": ref("Balance"), "team_id": uuid,
        ]),
        "JobPage": object(["items": ["type": "array", "items": ref("Job")], "next_cursor": string]),
        "Video": object(["id": uuid, "title": string, "job_id": uuid, "content_type": string, "size_bytes": integer, "sha256": string, "content_url": string, "created_at": dateTime, "metadata": ["type": "object"]]),
        "VideoInfo": object(["video_id": uuid, "exists": boolean, "file_size_bytes": integer, "created_at": dateTime]),
        "GrantInput": object(["amount": integer, "reason": string, "expires_at": dateTime], required: ["amount"]),
        "Grant": object(["team_id": uuid, "amount": integer, "reason": string, "balance": ref("Balance")]),
        "UserUpdate": object(["disabled": boolean, "is_platform_admin": boolean]),
        "TeamInput": object(["name": string, "time_zone": string], required: ["name"]),
        "TeamUpdate": object(["name": string, "time_zone": string]),
        "TeamView": object(["id": uuid, "name": string, "personal": boolean, "time_zone": string, "role": string, "created_at": dateTime]),
        "TeamList": object(["items": ["type": "array", "items": ref("TeamView")]]),
        "Member": object(["user_id": uuid, "email": string, "name": string, "role": string, "added_at": dateTime]),
        "Invitation": object(["email": string, "role": string, "invited_at": dateTime]),
        "MemberList": object(["items": ["type": "array", "items": ref("Member")], "invitations": ["type": "array", "items": ref("Invitation")]]),
        "MemberInput": object(["email": string, "role": string], required: ["email", "role"]),
        "RoleInput": object(["role": string], required: ["role"]),
        "KeyInput": object([
            "name": ["type": "string", "minLength": 1, "maxLength": 100],
            "team_id": uuid,
            "scopes": ["type": "array", "minItems": 1, "items": ["type": "string", "enum": ["read", "generate", "admin"]]],
            "expires_at": dateTime,
        ], required: ["name", "scopes"]),
        "APIKey": object([
            "id": uuid, "name": string, "prefix": string, "scopes": ["type": "array", "items": string], "team_id": uuid, "user_id": uuid,
            "created_at": dateTime, "last_used_at": dateTime, "expires_at": dateTime,
        ]),
        "KeyCreated": object([
            "id": uuid, "name": string, "prefix": string, "scopes": ["type": "array", "items": string], "team_id": uuid, "user_id": uuid,
            "created_at": dateTime, "last_used_at": dateTime, "expires_at": dateTime, "key": string,
        ]),
        "KeyList": object(["items": ["type": "array", "items": ref("APIKey")]]),
        "AuditPage": object(["items": ["type": "array", "items": object([
            "id": integer, "at": dateTime, "actor": object(["user_id": uuid, "api_key_id": uuid]), "team_id": uuid, "action": string,
            "target": object(["type": string, "id": string]), "ip": string, "user_agent": string, "detail": ["type": "object"],
        ])], "next_cursor": string]),
        "CostReport": costReportSchema,
        ]
    }

    /// `GET .../reports/costs` as JSON (CSV: the same row columns, `provider_units` flattened, no totals row).
    static var costReportSchema: [String: Any] {
        let figures: [String: Any] = [
            "jobs": integer, "succeeded": integer, "failed": integer, "canceled": integer, "credits_charged": integer,
            "credits_released": integer,
            "provider_units": object(["video_seconds": number, "images": integer, "input_tokens": integer, "output_tokens": integer]),
            "provider_cost_usd": number, "margin_credits": integer,
        ]
        let groups: [String: Any] = [
            "team_id": uuid, "user_id": uuid, "api_key_id": uuid, "provider": string, "model": string, "kind": string,
            "day": ["type": "string", "format": "date"],
        ]
        return object([
            "from": dateTime, "to": dateTime, "tz": string,
            "group_by": ["type": "array", "items": ["type": "string", "enum": ["team", "user", "api_key", "provider", "model", "kind", "day"]]],
            "rows": ["type": "array", "items": object(figures.merging(groups) { a, _ in a })],
            "totals": object(figures), "truncated": boolean,
        ])
    }
}
