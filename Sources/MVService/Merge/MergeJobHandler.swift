import Foundation
import Logging
import MVBackends
import MVBilling
import MVCore
import PostgresNIO

/// Runs a `merge_videos` job: reads the inputs again as the submitter sees them now (one deleted or unshared since
/// admission fails the job for good, and the worker releases the hold), merges them with ``MergeStep``, and writes
/// the new video row with its provenance in the completing transaction. The charge is the price of the result's
/// started minutes (never more than the hold, which was priced on the longest possible result).
struct MergeJobHandler: JobHandler {
    let step: MergeStep
    let assets: AssetStore
    let prices: PriceTable

    func run(_ job: ClaimedJob, session: JobSession) async throws -> JobCompletion {
        let spec = try job.spec(MergeJobSpec.self)
        await session.progress(0.05, stage: "checking inputs")
        let inputs: MergeAdmission
        do {
            inputs = try await MergeAdmission.load(spec, viewer: job.viewer, assets: assets)
        } catch let refusal as MergeAdmission.Refusal {
            throw AttemptFailure(JobFailure(.invalidInput, refusal.jobMessage), retry: false)
        }
        await session.progress(0.1, stage: "merging")
        let merged = try await step.run(
            clips: inputs.clips, audio: inputs.audio, transition: spec.transition, transitionSeconds: spec.transitionSeconds,
            fit: spec.fitToAudio)
        await session.progress(0.95, stage: "storing")
        let charge = prices.mergeCredits(seconds: merged.outcome.durationSeconds) ?? job.quoted
        let videoID = UUID()
        let output = MergeJobOutput(
            videoId: videoID, videoUrl: "/api/mv/videos/\(videoID.lowercased)/content", merge: merged.outcome,
            sizeBytes: merged.blob.size)
        let metadata = MergedVideoMetadata(
            durationSeconds: merged.outcome.durationSeconds, mergedFrom: spec.videoIds, audioId: spec.audioId,
            transition: spec.transition, transitionSeconds: spec.transition == .crossfade ? spec.transitionSeconds : nil,
            fitToAudio: spec.audioId == nil ? nil : spec.fitToAudio, method: merged.outcome.method, media: merged.media,
            creditsCharged: min(charge, job.quoted))
        let storedMetadata = try JSONValue.encoding(metadata)
        let assets = self.assets
        return JobCompletion(result: try JSONValue.encoding(output), provider: nil, model: nil, charge: charge, usage: nil) { connection in
            try await assets.insert(
                AssetStore.NewAsset(
                    id: videoID, kind: .video, ownerID: job.userID, teamID: job.teamID, jobID: job.id, projectID: spec.projectId,
                    blob: merged.blob, title: "Merged video (\(spec.videoIds.count) clips)", metadata: storedMetadata),
                on: connection)
        }
    }
}

extension MergeAdmission.Refusal {
    /// What a job that meets this refusal at run time stores (no ids: the submitter may have lost access).
    var jobMessage: String {
        switch self {
        case .videoNotFound: "A video to merge is no longer available."
        case .audioNotFound: "The song is no longer available."
        case .invalid(let error): "The inputs cannot be merged: \(error.errors.map { "\($0.field) \($0.message)" }.joined(separator: "; "))."
        }
    }
}

/// `result` of a finished merge job.
struct MergeJobOutput: Codable {
    var videoId: UUID
    var videoUrl: String
    var merge: MergeOutcome
    var sizeBytes: Int64
}

/// `metadata` of a merged video: its length, provenance (the clips and song it came from) and how it was made.
struct MergedVideoMetadata: Codable {
    var durationSeconds: Double
    var mergedFrom: [UUID]
    var audioId: UUID?
    var transition: MergeTransition
    var transitionSeconds: Double?
    var fitToAudio: AudioFit?
    var method: MergeMethod
    /// The probe of the result, for merging it again without ffprobe.
    var media: MediaInfo?
    var creditsCharged: Int64
}
