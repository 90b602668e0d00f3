import Foundation
import MVBackends

/// The router's observer for one piece of a render: provider checkpoints go to that stage's or clip's row (fenced),
/// so a rescued render resumes each piece's provider job; progress goes to the job, under the stage's name.
struct StageObserver: GenerationObserver {
    let store: ProjectStore
    let queue: JobQueue
    let job: ClaimedJob
    let projectID: UUID
    let stage: ProjectStageName
    /// The clip, for the clips stage.
    let clip: Int?
    /// Where this piece's 0...1 lands in the job's progress.
    let span: ClosedRange<Double>

    func providerJobStarted(_ checkpoint: ProviderCheckpoint) async throws {
        try await store.saveCheckpoint(checkpoint, projectID: projectID, stage: stage, clip: clip, job: job, queue: queue)
    }

    func progress(_ fraction: Double, stage: String) async {
        // Clips run in parallel: only their stage's start and end move the job's progress.
        guard clip == nil else { return }
        let value = span.lowerBound + (span.upperBound - span.lowerBound) * min(max(fraction, 0), 1)
        try? await queue.progress(job, fraction: value, stage: self.stage.rawValue)
    }
}
