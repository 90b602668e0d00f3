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
        let made = try await write(spec, for: job, resume: session.resumeCheckpoint, observer: session, fallbackCharge: job.quoted)
        let assets = self.assets
        return JobCompletion(result: made.json, provider: made.provenance.provider, model: made.provenance.model, charge: made.charge,
            usage: made.usage
        ) { connection in
            try await assets.insert(made.asset, on: connection)
        }
    }

    /// Writes the script for `spec` on behalf of `job` (reporting to `observer`, resuming `resume`) and prices it;
    /// the caller stores ``ScenesOutcome/asset`` in the transaction that records it. Used by this job and by a
    /// project's render.
    /// - Parameter fallbackCharge: What to charge when no price is configured for the model that served.
    /// - Throws: ``AttemptFailure`` for provider failures.
    func write(
        _ spec: ScenesJobSpec, for job: ClaimedJob, resume: ProviderCheckpoint?, observer: some GenerationObserver, fallbackCharge: Int64
    ) async throws -> ScenesOutcome {
        await observer.progress(0.1, stage: "writing scenes")
        let result: ScenesResult
        do {
            result = try await router.createScenes(
                ScenesRequest(prompt: spec.prompt, numberOfScenes: spec.numberOfScenes, backend: spec.backend, model: spec.model),
                resume: resume, observer: observer)
        } catch {
            throw AttemptFailure(error)
        }
        let tokens = (result.usage.inputTokens ?? 0) + (result.usage.outputTokens ?? 0)
        let charge = prices.scenesCredits(model: result.provenance.model, tokens: tokens) ?? fallbackCharge
        let sceneSetID = UUID()
        let stored = SceneSet(
            sceneSetId: sceneSetID, idea: spec.idea, characterDescription: spec.characterDescription, scenes: result.scenes,
            parametersUsed: spec.parametersUsed, director: spec.director, provenance: result.provenance, usage: result.usage)
        let json = try JSONValue.encoding(stored)
        let asset = AssetStore.NewAsset(
            id: sceneSetID, kind: .sceneSet, ownerID: job.userID, teamID: job.teamID, jobID: job.id, projectID: spec.projectId,
            blob: nil, title: String(spec.idea.prefix(120)), metadata: json)
        return ScenesOutcome(sceneSet: stored, json: json, charge: charge, asset: asset, provenance: result.provenance, usage: result.usage)
    }
}

/// A scene script made and priced, not stored yet.
struct ScenesOutcome: Sendable {
    var sceneSet: SceneSet
    var json: JSONValue
    var charge: Int64
    var asset: AssetStore.NewAsset
    var provenance: Provenance
    var usage: Usage
}

/// A stored scene script: the job's `result` and `GET /api/mv/scene_sets/{id}`.
struct SceneSet: Codable, Sendable {
    var sceneSetId: UUID
    var idea: String
    var characterDescription: String
    var scenes: [Scene]
    var parametersUsed: [String: String]
    var director: String?
    var provenance: Provenance
    var usage: Usage
}
