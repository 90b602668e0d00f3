import MVCore

extension OpenAPIDocument {
    private typealias P = Parameter

    /// The project routes (``ProjectsController``).
    static var projectRoutes: [Route] {
        let jobLinks: [String: Link] = [
            "GetJob": Link(operationID: "getJob", parameters: ["id": "$response.body#/id"]),
            "JobEvents": Link(operationID: "jobEvents", parameters: ["id": "$response.body#/id"]),
        ]
        let jobHeaders = ["Location", "Idempotent-Replayed", "Preference-Applied"]
        let projectLinks: [String: Link] = [
            "GetProject": Link(operationID: "getProject", parameters: ["id": "$response.body#/id"]),
            "RenderProject": Link(operationID: "renderProject", parameters: ["id": "$response.body#/id"]),
        ]
        return [
            Route(
                method: "post", path: "/api/mv/projects", operationID: "createProject",
                summary: "Create a music video project: idea, character, song (an audio upload the caller can read)",
                body: "ProjectInput", answers: [201: .json("Project")], problems: [403], links: [201: projectLinks],
                responseHeaders: [201: ["Location"]]),
            Route(
                method: "get", path: "/api/mv/projects", operationID: "listProjects", summary: "Projects visible to the caller, newest first",
                parameters: assetQuery, answers: [200: .json("AssetPage")]),
            Route(
                method: "get", path: "/api/mv/projects/{id}", operationID: "getProject",
                summary: "A project: fields, status, stages with times and credits, scene set, images, clips, final cut, re-rolls, cost",
                answers: [200: .json("Project")]),
            Route(
                method: "patch", path: "/api/mv/projects/{id}", operationID: "updateProject",
                summary: "Change a project's fields or tags (owner, team owners and admins, edit grantees; 409 while it renders)",
                body: "ProjectUpdate", answers: [200: .json("Project")], problems: [403, 409]),
            Route(
                method: "delete", path: "/api/mv/projects/{id}", operationID: "deleteProject",
                summary: "Delete a project for everyone (restorable within the restore window)", answers: [204: .empty], problems: [403]),
            Route(
                method: "post", path: "/api/mv/projects/{id}/restore", operationID: "restoreProject",
                summary: "Undo a delete within the restore window (409 when not deleted, 410 after the window)",
                answers: [200: .json("Asset")], problems: [403, 409, 410]),
            Route(
                method: "post", path: "/api/mv/projects/{id}/render", operationID: "renderProject",
                summary: "Render the project as ONE job (render_project): scenes, character, clips in parallel, merge with the song; one hold for the quoted maximum, captured stage by stage (409 while it renders or once rendered)",
                parameters: [P.idempotencyKey, P.prefer], answers: [200: .json("Job"), 202: .json("Job")], problems: [402, 403, 409],
                links: [200: jobLinks, 202: jobLinks], responseHeaders: [200: jobHeaders, 202: jobHeaders]),
            Route(
                method: "post", path: "/api/mv/projects/{id}/scenes/{index}/regenerate", operationID: "regenerateScene",
                summary: "Re-roll one scene's clip, then merge again (regenerate_scene); charged, free when the previous clip failed or was blocked (404 unknown scene, 409 before clips exist or while rendering)",
                parameters: [P.idempotencyKey, P.prefer], answers: [200: .json("Job"), 202: .json("Job")], problems: [402, 403, 409],
                links: [200: jobLinks, 202: jobLinks], responseHeaders: [200: jobHeaders, 202: jobHeaders]),
        ]
    }

    /// Request bodies of the project routes.
    static func projectRequestSchemas(_ options: GenerationOptions) -> [String: Any] {
        let tag: [String: Any] = [
            "type": "string", "maxLength": 50, "pattern": #"^[^\u0000,]*[^\u0000,"# + whitespaceClass + #"][^\u0000,]*$"#,
        ]
        var fields: [String: Any] = [
            "title": text(maxLength: ProjectSpec.maxTitle, blankAllowed: false),
            "idea": text(maxLength: 4000, blankAllowed: false),
            "character_description": text(maxLength: 4000, blankAllowed: false),
            "audio_id": nullable(uuid),
            "director": nullable(enumeration([""] + options.directors)),
            "number_of_scenes": nullable(integer(1...12)),
            "aspect_ratio": nullable(enumeration(options.videoAspectRatios)),
            "clip_duration": nullable(["type": "integer", "enum": options.videoDurations]),
            "backend": nullable(enumeration(options.backends)),
            "tags": nullable(array(tag, maxItems: 20)),
        ]
        let input = object(fields, required: ["title", "idea", "character_description"])
        for name in ["title", "idea", "character_description"] {
            fields[name] = nullable(fields[name] as? [String: Any] ?? string)
        }
        return ["ProjectInput": input, "ProjectUpdate": object(fields)]
    }

    /// Response bodies of the project routes.
    static var projectResponseSchemas: [String: Any] {
        let status = enumeration(["pending", "running", "succeeded", "failed", "blocked"])
        let cost = object(["quoted": integer, "held": integer, "charged": integer, "released": integer], required: ["quoted", "held", "charged", "released"])
        let stage = object(
            [
                "name": enumeration(["scenes", "character", "clips", "merge"]), "status": status, "started_at": nullable(dateTime),
                "finished_at": nullable(dateTime), "credits": integer,
            ], required: ["name", "status", "credits"])
        let clip = object(["index": integer, "video_id": nullable(uuid), "status": status, "credits": integer], required: ["index", "status", "credits"])
        let reroll = object(
            [
                "index": integer, "job_id": uuid, "status": enumeration(["queued", "running", "succeeded", "failed", "canceled"]),
                "charged": integer, "free": boolean, "free_reason": nullable(string), "created_at": dateTime,
            ], required: ["index", "job_id", "status", "charged", "free", "created_at"])
        return [
            "Project": object(
                [
                    "id": uuid, "title": string, "tags": array(string), "owner_id": uuid, "team_id": uuid,
                    "permission": enumeration(["view", "edit", "manage"]), "created_at": dateTime, "idea": string,
                    "character_description": string, "audio_id": nullable(uuid), "director": nullable(string), "number_of_scenes": integer,
                    "aspect_ratio": string, "clip_duration": integer, "backend": string,
                    "status": enumeration(["draft", "rendering", "rendered", "failed"]), "render_job_id": nullable(uuid),
                    "stages": array(stage), "scene_set_id": nullable(uuid), "image_ids": array(uuid), "clips": array(clip),
                    "final_video_id": nullable(uuid), "final_video_url": nullable(string), "rerolls": array(reroll), "cost": cost,
                ],
                required: [
                    "id", "title", "tags", "owner_id", "team_id", "permission", "created_at", "idea", "character_description",
                    "number_of_scenes", "aspect_ratio", "clip_duration", "backend", "status", "stages", "image_ids", "clips", "rerolls",
                    "cost",
                ])
        ]
    }
}
