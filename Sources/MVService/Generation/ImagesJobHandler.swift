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
        await session.progress(0.05, stage: "submitting")
        let result: ImageResult
        do {
            result = try await router.generateImages(
                spec.request, resume: session.resumeCheckpoint, workDirectory: media.temporaryDirectory, observer: session)
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
        let charge = prices.imageCredits(model: result.provenance.model, count: stored.count) ?? job.quoted
        let output = ImagesOutput(
            imageIds: stored.map(\.id), images: report, numImagesRequested: spec.request.numImages,
            numImagesGenerated: stored.count, provenance: result.provenance)
        let json = try JSONValue.encoding(output)
        let assets = self.assets
        let images = stored
        return JobCompletion(result: json, provider: result.provenance.provider, model: result.provenance.model, charge: charge,
            usage: result.usage
        ) { connection in
            for image in images {
                let metadata = ImageMetadata(
                    characterDescription: spec.characterDescription, prompt: spec.request.prompt, seed: image.seed,
                    aspectRatio: spec.request.aspectRatio, outputFormat: spec.request.outputFormat, provenance: result.provenance)
                try await assets.insert(
                    AssetStore.NewAsset(
                        id: image.id, kind: .image, ownerID: job.userID, teamID: job.teamID, jobID: job.id, projectID: spec.projectId,
                        blob: image.blob, title: String(spec.characterDescription.prefix(120)),
                        metadata: try JSONValue.encoding(metadata)),
                    on: connection)
            }
        }
    }
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
