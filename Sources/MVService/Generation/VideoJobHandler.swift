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
        let references = try await assets.referenceFiles(ids: spec.referenceImageIds, viewer: job.viewer, media: media)
        await session.progress(0.05, stage: "submitting")
        let result: VideoResult
        do {
            result = try await router.generateVideo(
                spec.videoRequest(references: references), resume: session.resumeCheckpoint,
                workDirectory: media.temporaryDirectory, observer: session)
        } catch {
            throw AttemptFailure(error)
        }
        await session.progress(0.95, stage: "storing")
        // A clip ffprobe cannot describe is still delivered; a later merge probes it then.
        let probe = try? await MediaProbe.probe(path: result.file.path, ffprobePath: ffprobePath, format: "mov")
        let blob = try await media.ingest(temporaryFile: result.file.path, contentType: "video/mp4")
        let seconds = result.usage.videoSeconds ?? result.durationSeconds
        let charge = prices.videoCredits(model: result.provenance.model, seconds: seconds) ?? job.quoted
        let videoID = UUID()
        let output = VideoJobOutput(
            videoId: videoID, videoUrl: "/api/mv/videos/\(videoID.lowercased)/content", durationSeconds: result.durationSeconds,
            sizeBytes: blob.size, provenance: result.provenance)
        let metadata = VideoMetadata(
            prompt: spec.prompt, negativePrompt: spec.negativePrompt, aspectRatio: spec.aspectRatio,
            durationSeconds: result.durationSeconds, resolution: spec.resolution, generateAudio: spec.generateAudio,
            seed: spec.seed, referenceImageIds: spec.referenceImageIds, provenance: result.provenance, creditsCharged: charge, media: probe)
        let storedMetadata = try JSONValue.encoding(metadata)
        let assets = self.assets
        return JobCompletion(
            result: try JSONValue.encoding(output), provider: result.provenance.provider, model: result.provenance.model, charge: charge,
            usage: result.usage
        ) { connection in
            try await assets.insert(
                AssetStore.NewAsset(
                    id: videoID, kind: .video, ownerID: job.userID, teamID: job.teamID, jobID: job.id, projectID: spec.projectId,
                    blob: blob, title: String(spec.prompt.prefix(120)), metadata: storedMetadata),
                on: connection)
        }
    }
}

/// `result` of a finished video job.
struct VideoJobOutput: Codable {
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
