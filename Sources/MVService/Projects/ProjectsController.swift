import Foundation
import Hummingbird
import MVAuth
import MVCore
import NIOCore
import NIOFoundationEssentialsCompat
import PostgresNIO

/// `/api/mv/projects`: create, list, read, change, delete and restore projects (assets of kind `project`, decided by
/// ``AssetGuard`` like every asset), render one as ONE job, and re-roll one scene's clip. Render and re-roll go
/// through the generation routes' admission (``GenerationController/admit(kind:spec:projectID:quote:key:principal:standingCached:request:holdReason:jobID:alsoWrite:)``):
/// idempotency, rate limit, quotas and one hold in one transaction, with the project's claim on the render in the
/// same transaction (409 while another render or re-roll of it runs).
struct ProjectsController {
    let projects: ProjectStore
    let assets: AssetStore
    let admission: GenerationController
    let templates: PromptTemplates
    /// How long a deleted project can be restored (`media.restore_window_hours`).
    let restoreWindow: Duration

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        let management = AssetManagement(assets: assets, kind: .project, restoreWindow: restoreWindow)
        group.post("projects", use: create)
        group.get("projects", use: list)
        group.get("projects/{id}", use: read)
        group.patch("projects/{id}", use: update)
        group.delete("projects/{id}", use: management.delete)
        group.post("projects/{id}/restore", use: management.restore)
        group.post("projects/{id}/render", use: render)
        group.post("projects/{id}/scenes/{index}/regenerate", use: regenerate)
    }

    private var guarded: AssetGuard { AssetGuard(assets: assets) }

    /// `POST /api/mv/projects` → 201 with the project and `Location`.
    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.generate)
        let input = try await request.decode(as: ProjectInput.self, context: context)
        let spec = try ProjectSpec(validating: input, templates: templates)
        let tags = try AssetUpdateInput(title: nil, tags: input.tags).validated().tags
        try await requireAudio(spec.audioId, viewer: principal.assetViewer)
        let id = try await projects.create(spec, tags: tags, ownerID: principal.userID, teamID: principal.teamID)
        guard let asset = try await assets.asset(id: id, kind: .project, viewer: principal.assetViewer) else { throw Problem.notFound("project") }
        var response = try json(try await view(asset), status: .created)
        response.headers[.location] = "/api/mv/projects/\(id.lowercased)"
        return response
    }

    /// `GET /api/mv/projects`: the visible projects, newest first (``AssetList``).
    func list(_ request: Request, context: AppRequestContext) async throws -> AssetPage {
        try await AssetList(assets: assets).page(.project, request, context: context)
    }

    /// `GET /api/mv/projects/{id}`.
    func read(_ request: Request, context: AppRequestContext) async throws -> ProjectResponse {
        try await view(try await guarded.visible(context, kind: .project).1)
    }

    /// `PATCH /api/mv/projects/{id}`: any of the creation fields (and `tags`); the whole project is validated again.
    /// 409 while a render or re-roll runs.
    func update(_ request: Request, context: AppRequestContext) async throws -> ProjectResponse {
        let (principal, asset) = try await guarded.require(.edit, context, kind: .project)
        let input = try await request.decode(as: ProjectInput.self, context: context)
        let current = try spec(of: asset)
        var merged = current.input
        merged.title = input.title ?? merged.title
        merged.idea = input.idea ?? merged.idea
        merged.characterDescription = input.characterDescription ?? merged.characterDescription
        merged.audioId = input.audioId ?? merged.audioId
        merged.director = input.director ?? merged.director
        merged.numberOfScenes = input.numberOfScenes ?? merged.numberOfScenes
        merged.aspectRatio = input.aspectRatio ?? merged.aspectRatio
        merged.clipDuration = input.clipDuration ?? merged.clipDuration
        merged.backend = input.backend ?? merged.backend
        let spec = try ProjectSpec(validating: merged, templates: templates)
        let tags = try AssetUpdateInput(title: nil, tags: input.tags).validated().tags
        if spec.audioId != current.audioId { try await requireAudio(spec.audioId, viewer: principal.assetViewer) }
        guard let state = try await projects.renderState(asset.id) else { throw Problem.notFound("project") }
        if state.isBusy { throw ProjectError.busy }
        try await projects.update(id: asset.id, spec: spec, tags: tags)
        guard let updated = try await assets.asset(id: asset.id, kind: .project, viewer: principal.assetViewer) else {
            throw Problem.notFound("project")
        }
        return try await view(updated)
    }

    /// `POST /api/mv/projects/{id}/render` → 202 + `Location` with the `render_project` job. It holds the quoted
    /// maximum of every piece still to make (a render after a failed one resumes: finished pieces are neither made
    /// nor paid again). 409 while a render or re-roll runs or when the project is rendered already.
    func render(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.generate)
        let (_, asset) = try await guarded.require(.edit, context, kind: .project)
        let key = try admission.idempotencyKey(request)
        if let replay = try await storedSpec(RenderJobSpec.self, key: key, principal: principal), replay.projectId == asset.id {
            return try await admission.admit(
                kind: .renderProject, spec: replay, projectID: asset.id, quote: replay.quote.total, key: key, principal: principal, standingCached: context.standingCached,
                request: request)
        }
        let project = try spec(of: asset)
        guard let state = try await projects.renderState(asset.id) else { throw Problem.notFound("project") }
        if state.isBusy { throw ProjectError.busy }
        if state.isRendered { throw ProjectError.alreadyRendered }
        try await requireAudio(project.audioId, viewer: principal.assetViewer)
        let quote = try renderQuote(project, state: state, projectID: asset.id)
        let jobID = UUID()
        let projects = self.projects
        let projectID = asset.id
        return try await admission.admit(
            kind: .renderProject, spec: RenderJobSpec(projectId: asset.id, project: project, quote: quote), projectID: asset.id,
            quote: quote.total, key: key, principal: principal, standingCached: context.standingCached, request: request, jobID: jobID
        ) { connection in
            try await projects.claim(projectID: projectID, jobID: jobID, on: connection)
        }
    }

    /// `POST /api/mv/projects/{id}/scenes/{index}/regenerate` → 202 + `Location` with the `regenerate_scene` job:
    /// charged like a clip, free (a zero hold whose ledger entries say why) when the previous clip failed or was
    /// blocked by the provider. 404 for an unknown scene, 409 before the render reached its clips or while one runs.
    func regenerate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.generate)
        let (_, asset) = try await guarded.require(.edit, context, kind: .project)
        guard let raw = context.parameters.get("index"), let index = Int(raw), index >= 0 else { throw Problem.notFound("scene") }
        let key = try admission.idempotencyKey(request)
        if let replay = try await storedSpec(RegenerateJobSpec.self, key: key, principal: principal),
            replay.projectId == asset.id, replay.index == index
        {
            return try await admission.admit(
                kind: .regenerateScene, spec: replay, projectID: asset.id, quote: replay.quote, key: key, principal: principal, standingCached: context.standingCached,
                request: request, holdReason: replay.freeReason)
        }
        let project = try spec(of: asset)
        guard let state = try await projects.renderState(asset.id) else { throw Problem.notFound("project") }
        if state.isBusy { throw ProjectError.busy }
        if state.clips.isEmpty { throw ProjectError.notRendered }
        guard let clip = state.clip(index) else { throw ProjectError.sceneNotFound(index: index) }
        let freeReason: String? = switch clip.status {
        case .failed: "reroll_free: previous clip failed"
        case .blocked: "reroll_free: previous clip was blocked by the provider"
        default: nil
        }
        var quote: Int64 = 0
        if freeReason == nil {
            quote = try admission.quoter.quote(
                video: try project.clipSpec(projectID: asset.id, index: index, scene: nil, references: state.imageIDs)).credits
        }
        let spec = RegenerateJobSpec(projectId: asset.id, index: index, project: project, quote: quote, freeReason: freeReason)
        let jobID = UUID()
        let projects = self.projects
        let projectID = asset.id
        return try await admission.admit(
            kind: .regenerateScene, spec: spec, projectID: asset.id, quote: quote, key: key, principal: principal, standingCached: context.standingCached, request: request,
            holdReason: freeReason, jobID: jobID
        ) { connection in
            try await projects.claim(projectID: projectID, jobID: jobID, on: connection)
        }
    }

    // MARK: Helpers

    /// The hold of a render: the quoted maximum of each piece still to make.
    func renderQuote(_ project: ProjectSpec, state: ProjectRenderState, projectID: UUID) throws -> RenderQuote {
        let quoter = admission.quoter
        var scenes: Int64 = 0
        if state.sceneSetID == nil {
            scenes = try quoter.quote(scenes: try project.scenesSpec(projectID: projectID, templates: templates)).credits
        }
        var character: Int64 = 0
        if state.imageIDs.isEmpty {
            character = try quoter.quote(images: try project.imageSpec(projectID: projectID, templates: templates)).credits
        }
        let clipsLeft = state.sceneSetID == nil || state.clips.isEmpty
            ? project.numberOfScenes : state.clips.filter { $0.status != .succeeded }.count
        // The render's clips take the character reference as a reference image: quote with one.
        let references = state.imageIDs.isEmpty ? [projectID] : state.imageIDs
        let clip = try quoter.quote(video: try project.clipSpec(projectID: projectID, index: 0, scene: nil, references: references)).credits
        return RenderQuote(scenes: scenes, character: character, clip: clip, clips: clipsLeft, merge: 0)
    }

    private func view(_ asset: AssetStore.Asset) async throws -> ProjectResponse {
        guard let state = try await projects.renderState(asset.id) else { throw Problem.notFound("project") }
        return ProjectResponse(
            asset: asset, spec: try spec(of: asset), state: state, rerolls: try await projects.rerolls(asset.id),
            cost: try await projects.cost(asset.id))
    }

    private func spec(of asset: AssetStore.Asset) throws -> ProjectSpec {
        do {
            return try asset.metadata.decode(as: ProjectSpec.self)
        } catch {
            throw Problem(.internalServerError, code: "internal_error", title: "Internal server error", detail: "The stored project is unreadable.")
        }
    }

    /// 404 naming `audio_id` unless it is an audio upload the caller can read (like a reference image one cannot read:
    /// whether it exists is not told).
    private func requireAudio(_ id: UUID?, viewer: AssetViewer) async throws {
        guard let id else { return }
        guard try await assets.readableAudio(id: id, viewer: viewer) != nil else {
            var problem = Problem.notFound("audio upload")
            problem.errors = [FieldError(field: "audio_id", message: "is not an audio upload you can read")]
            throw problem
        }
    }

    /// The stored request of the caller's job with Idempotency-Key `key`, if it is a `Spec` (a replay must present
    /// the very spec it was admitted with).
    private func storedSpec<Spec: Decodable>(_ type: Spec.Type, key: String?, principal: Principal) async throws -> Spec? {
        guard let key, let stored = try await admission.queue.storedRequest(userID: principal.userID, idempotencyKey: key) else { return nil }
        return try? stored.decode(as: Spec.self)
    }

    private func json(_ value: ProjectResponse, status: HTTPResponse.Status) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: try JSONCoding.encode(value))))
    }
}
