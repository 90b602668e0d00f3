import Foundation
import MVBackends
import MVBilling
import MVCore

/// Writes a scene script with the text model and stores it as a `scene_set` asset.
struct ScenesJobHandler: JobHandler {
    let router: GenerationRouter
    let assets: AssetStore
    let prices: PriceTable

    func run(_ job: ClaimedJob, session: JobSession) async throws -> JobCompletion {
        let spec = try job.spec(ScenesJobSpec.self)
        await session.progress(0.1, stage: "writing scenes")
        let result: ScenesResult
        do {
            result = try await router.createScenes(
                ScenesRequest(prompt: spec.prompt, numberOfScenes: spec.numberOfScenes, backend: spec.backend, model: spec.model),
                resume: session.resumeCheckpoint, observer: session)
        } catch {
            throw AttemptFailure(error)
        }
        let tokens = (result.usage.inputTokens ?? 0) + (result.usage.outputTokens ?? 0)
        let charge = prices.scenesCredits(model: result.provenance.model, tokens: tokens) ?? job.quoted
        let sceneSetID = UUID()
        let stored = SceneSet(
            sceneSetId: sceneSetID, idea: spec.idea, characterDescription: spec.characterDescription, scenes: result.scenes,
            parametersUsed: spec.parametersUsed, director: spec.director, provenance: result.provenance, usage: result.usage)
        let json = try JSONValue.encoding(stored)
        let assets = self.assets
        return JobCompletion(result: json, provider: result.provenance.provider, model: result.provenance.model, charge: charge,
            usage: result.usage
        ) { connection in
            try await assets.insert(
                AssetStore.NewAsset(
                    id: sceneSetID, kind: .sceneSet, ownerID: job.userID, teamID: job.teamID, jobID: job.id, projectID: spec.projectId,
                    blob: nil, title: String(spec.idea.prefix(120)), metadata: json),
                on: connection)
        }
    }
}

/// A stored scene script: the job's `result` and `GET /api/mv/scene_sets/{id}`.
struct SceneSet: Codable {
    var sceneSetId: UUID
    var idea: String
    var characterDescription: String
    var scenes: [Scene]
    var parametersUsed: [String: String]
    var director: String?
    var provenance: Provenance
    var usage: Usage
}
