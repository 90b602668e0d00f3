import Foundation
import MVBackends
import MVCore
import PostgresNIO

/// What a finished job hands back to the queue: its result, who made it, what to charge, and the rows to write in
/// the same transaction as the state change.
struct JobCompletion: Sendable {
    /// The job's `result`.
    var result: JSONValue
    /// Provider that produced the output.
    var provider: ProviderName?
    /// Model that produced the output.
    var model: String?
    /// Credits to capture (capped at the hold; the remainder is released).
    var charge: Int64
    /// Units the provider reported (video seconds, images, tokens), stored on the job for cost reports.
    var usage: Usage?
    /// Asset rows and the like, written inside the completing transaction.
    var write: @Sendable (PostgresConnection) async throws -> Void
}

/// Runs one kind of job. Handlers do the slow work; the worker owns leases, retries and money.
protocol JobHandler: Sendable {
    /// Runs `job`, reporting through `session`. Throwing fails the attempt (retried while attempts remain, unless the
    /// error says it is final).
    func run(_ job: ClaimedJob, session: JobSession) async throws -> JobCompletion
}

/// The worker-side view of a running job handed to handlers: fenced progress and provider checkpoints.
struct JobSession: GenerationObserver {
    let queue: JobQueue
    let job: ClaimedJob

    func providerJobStarted(_ checkpoint: ProviderCheckpoint) async throws {
        try await queue.saveCheckpoint(job, checkpoint: checkpoint)
    }

    func progress(_ fraction: Double, stage: String) async {
        try? await queue.progress(job, fraction: fraction, stage: stage)
    }

    /// The provider job saved by an earlier attempt, if any.
    var resumeCheckpoint: ProviderCheckpoint? { job.checkpoint }
}

extension ClaimedJob {
    /// The validated request stored at admission, decoded; an unreadable one fails the job for good.
    func spec<Spec: Decodable>(_ type: Spec.Type) throws(AttemptFailure) -> Spec {
        do {
            return try request.decode(as: Spec.self)
        } catch {
            throw AttemptFailure(JobFailure(.internalError, "The stored request is unreadable."), retry: false)
        }
    }
}
