import Foundation
import MVBackends
import MVBilling
import MVCore

/// Makes 1–4 character reference images; every image is stored or reported as failed, never dropped silently.
/// Fails the job only when no image was made; the charge covers the images made.
struct ImagesJobHandler: JobHandler {
    let router: GenerationRouter
    let media: any MediaStore
    let assets: AssetStore
    let prices: PriceTable

    func run(_ job: ClaimedJob, session: JobSession) async throws -> JobCompletion {
        let spec = try job.spec(ImageJobSpec.self)
        let made = try await make(spec, for: job, resume: session.resumeCheckpoint, observer: session, fallbackCharge: job.quoted)
        let assets = self.assets
        return JobCompletion(result: made.json, provider: made.provenance.provider, model: made.provenance.model, charge: made.charge,
            usage: made.usage
        ) { connection in
            for asset in made.assets { try await assets.insert(asset, on: connection) }
        }
    }

    /// Makes the images of `spec` on behalf of `job` and prices the ones made; the caller stores
    /// ``ImagesOutcome/assets`` in the transaction that records them. Used by this job and by a project's render.
    /// - Parameter fallbackCharge: What to charge when no price is configured for the model that served.
    /// - Throws: ``AttemptFailure`` when no image was made.
    func make(
        _ spec: ImageJobSpec, for job: ClaimedJob, resume: ProviderCheckpoint?, observer: some GenerationObserver, fallbackCharge: Int64
    ) async throws -> ImagesOutcome {
        await observer.progress(0.05, stage: "submitting")
        let result: ImageResult
        do {
            result = try await router.generateImages(
                spec.request, resume: resume, workDirectory: media.temporaryDirectory, observer: observer)
        } catch {
            throw AttemptFailure(error)
        }
        var stored: [(id: UUID, blob: StoredBlob, seed: Int?)] = []
        var report: [ImageReport] = []
        for outcome in result.images.sorted(by: { $0.index < $1.index }) {
            switch outcome.result {
            case .success(let file):
                let blob = try await media.ingest(temporaryFile: file.path, contentType: file.contentType)
                let id = UUID()
                stored.append((id, blob, outcome.seed))
                report.append(ImageReport(index: outcome.index, imageId: id, seed: outcome.seed, contentUrl: "/api/mv/images/\(id.lowercased)/content", error: nil))
            case .failure(let error):
                report.append(ImageReport(index: outcome.index, imageId: nil, seed: outcome.seed, contentUrl: nil, error: "\(error.code): \(error.message)"))
            }
        }
        guard !stored.isEmpty else {
            let first = result.images.compactMap { if case .failure(let error) = $0.result { error } else { nil } }.first
            throw first.map { AttemptFailure($0) } ?? AttemptFailure(JobFailure(.invalidOutput, "No image was produced."), retry: true)
        }
        let charge = prices.imageCredits(model: result.provenance.model, count: stored.count) ?? fallbackCharge
        let output = ImagesOutput(
            imageIds: stored.map(\.id), images: report, numImagesRequested: spec.request.numImages,
            numImagesGenerated: stored.count, provenance: result.provenance)
        var assets: [AssetStore.NewAsset] = []
        for image in stored {
            let metadata = ImageMetadata(
                characterDescription: spec.characterDescription, prompt: spec.request.prompt, seed: image.seed,
                aspectRatio: spec.request.aspectRatio, outputFormat: spec.request.outputFormat, provenance: result.provenance)
            assets.append(
                AssetStore.NewAsset(
                    id: image.id, kind: .image, ownerID: job.userID, teamID: job.teamID, jobID: job.id, projectID: spec.projectId,
                    blob: image.blob, title: String(spec.characterDescription.prefix(120)), metadata: try JSONValue.encoding(metadata)))
        }
        return ImagesOutcome(
            imageIDs: stored.map(\.id), json: try JSONValue.encoding(output), charge: charge, assets: assets,
            provenance: result.provenance, usage: result.usage)
    }
}

/// Images made and priced, not stored yet.
struct ImagesOutcome: Sendable {
    var imageIDs: [UUID]
    var json: JSONValue
    var charge: Int64
    var assets: [AssetStore.NewAsset]
    var provenance: Provenance
    var usage: Usage
}

struct ImageReport: Codable {
    var index: Int
    var imageId: UUID?
    var seed: Int?
    var contentUrl: String?
    var error: String?
}

struct ImagesOutput: Codable {
    var imageIds: [UUID]
    var images: [ImageReport]
    var numImagesRequested: Int
    var numImagesGenerated: Int
    var provenance: Provenance
}

struct ImageMetadata: Codable {
    var characterDescription: String
    var prompt: String
    var seed: Int?
    var aspectRatio: String
    var outputFormat: String
    var provenance: Provenance
}
