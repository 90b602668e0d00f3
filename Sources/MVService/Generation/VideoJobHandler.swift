import Foundation
import Logging
import MVBackends
import MVBilling
import MVCore
import PostgresNIO

/// Renders one clip: resolves reference images, calls the router (resuming a saved provider job on a rescued
/// attempt), probes the file once (its codec, size, pixel format, frame rate and timebase go to `metadata.media`, so a
/// merge can choose stream copy without probing again), moves it into the media store, and returns the video row and
/// the charge for the seconds made.
struct VideoJobHandler: JobHandler {
    let router: GenerationRouter
    let media: any MediaStore
    let assets: AssetStore
    let prices: PriceTable
    /// The ffprobe that describes each new clip.
    var ffprobePath: String = "ffprobe"

    func run(_ job: ClaimedJob, session: JobSession) async throws -> JobCompletion {
        let spec = try job.spec(VideoJobSpec.self)
        let made = try await render(spec, for: job, resume: session.resumeCheckpoint, observer: session, fallbackCharge: job.quoted)
        let assets = self.assets
        return JobCompletion(
            result: try JSONValue.encoding(made.output), provider: made.output.provenance.provider, model: made.output.provenance.model,
            charge: made.charge, usage: made.usage
        ) { connection in
            try await assets.insert(made.asset, on: connection)
        }
    }

    /// Renders the clip of `spec` on behalf of `job` (its inputs read with the job's view), moves it into the media
    /// store and prices the seconds made; the caller stores ``VideoOutcome/asset`` in the transaction that records it.
    /// Used by this job and by a project's render and re-rolls.
    /// - Parameter fallbackCharge: What to charge when no price is configured for the model that served.
    /// - Throws: ``AttemptFailure`` for provider failures and vanished reference images.
    func render(
        _ spec: VideoJobSpec, for job: ClaimedJob, resume: ProviderCheckpoint?, observer: some GenerationObserver, fallbackCharge: Int64
    ) async throws -> VideoOutcome {
        let references = try await assets.referenceFiles(ids: spec.referenceImageIds, viewer: job.viewer, media: media)
        await observer.progress(0.05, stage: "submitting")
        let result: VideoResult
        do {
            result = try await router.generateVideo(
                spec.videoRequest(references: references), resume: resume, workDirectory: media.temporaryDirectory, observer: observer)
        } catch {
            throw AttemptFailure(error)
        }
        await observer.progress(0.95, stage: "storing")
        // A clip ffprobe cannot describe is still delivered; a later merge probes it then.
        let probe = try? await MediaProbe.probe(path: result.file.path, ffprobePath: ffprobePath, format: "mov")
        let blob = try await media.ingest(temporaryFile: result.file.path, contentType: "video/mp4")
        let seconds = result.usage.videoSeconds ?? result.durationSeconds
        let charge = prices.videoCredits(model: result.provenance.model, seconds: seconds) ?? fallbackCharge
        let videoID = UUID()
        let output = VideoJobOutput(
            videoId: videoID, videoUrl: "/api/mv/videos/\(videoID.lowercased)/content", durationSeconds: result.durationSeconds,
            sizeBytes: blob.size, provenance: result.provenance)
        let metadata = VideoMetadata(
            prompt: spec.prompt, negativePrompt: spec.negativePrompt, aspectRatio: spec.aspectRatio,
            durationSeconds: result.durationSeconds, resolution: spec.resolution, generateAudio: spec.generateAudio,
            seed: spec.seed, referenceImageIds: spec.referenceImageIds, provenance: result.provenance, creditsCharged: charge, media: probe)
        let asset = AssetStore.NewAsset(
            id: videoID, kind: .video, ownerID: job.userID, teamID: job.teamID, jobID: job.id, projectID: spec.projectId,
            blob: blob, title: String(spec.prompt.prefix(120)), metadata: try JSONValue.encoding(metadata))
        return VideoOutcome(output: output, charge: charge, usage: result.usage, asset: asset, blob: blob)
    }
}

/// A clip rendered, stored in the media store and priced, its row not written yet.
struct VideoOutcome: Sendable {
    var output: VideoJobOutput
    var charge: Int64
    var usage: Usage
    var asset: AssetStore.NewAsset
    var blob: StoredBlob
}

/// `result` of a finished video job.
struct VideoJobOutput: Codable, Sendable {
    var videoId: UUID
    var videoUrl: String
    var durationSeconds: Double
    var sizeBytes: Int64
    var provenance: Provenance
}

/// `metadata` of a video asset.
struct VideoMetadata: Codable {
    var prompt: String
    var negativePrompt: String?
    var aspectRatio: String
    var durationSeconds: Double
    var resolution: String
    var generateAudio: Bool
    var seed: Int?
    var referenceImageIds: [UUID]
    var provenance: Provenance
    var creditsCharged: Int64
    /// ffprobe's description of the file (codec, size, pixel format, frame rate, timebase, audio), for merges.
    var media: MediaInfo? = nil
}
