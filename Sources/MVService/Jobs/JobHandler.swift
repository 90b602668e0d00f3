import Foundation
import Hummingbird
import MVBackends
import PostgresNIO

/// What a finished job hands back to the queue: its result, who made it, what to charge, and the rows to write in
/// the same transaction as the state change.
public struct JobCompletion: Sendable {
    /// JSON of the job's `result`.
    public var resultJSON: String
    /// Provider that produced the output.
    public var provider: String?
    /// Model that produced the output.
    public var model: String?
    /// Credits to capture (capped at the hold; the remainder is released).
    public var charge: Int64
    /// Asset rows and the like, written inside the completing transaction.
    public var write: @Sendable (PostgresConnection) async throws -> Void
}

/// Runs one kind of job. Handlers do the slow work; the worker owns leases, retries and money.
public protocol JobHandler: Sendable {
    /// Runs `job`, reporting through `session`. Throwing fails the attempt (retried while attempts remain, unless the
    /// error says it is final).
    func run(_ job: ClaimedJob, session: JobSession) async throws -> JobCompletion
}

/// The worker-side view of a running job handed to handlers: fenced progress and provider checkpoints.
public struct JobSession: GenerationObserver {
    let queue: JobQueue
    let job: ClaimedJob

    public func providerJobStarted(_ checkpoint: ProviderCheckpoint) async throws {
        let json = String(decoding: try JSONEncoder().encode(checkpoint), as: UTF8.self)
        try await queue.saveCheckpoint(job, checkpointJSON: json, provider: checkpoint.provider, model: checkpoint.model)
    }

    public func progress(_ fraction: Double, stage: String) async {
        try? await queue.progress(job, fraction: fraction, stage: stage)
    }

    /// The provider job saved by an earlier attempt, if any.
    public var resumeCheckpoint: ProviderCheckpoint? {
        guard let json = job.checkpointJSON else { return nil }
        return try? JSONDecoder().decode(ProviderCheckpoint.self, from: Data(json.utf8))
    }
}

extension ClaimedJob {
    /// The validated request stored at admission, decoded; an unreadable one fails the job for good.
    func spec<Spec: Decodable>(_ type: Spec.Type) throws -> Spec {
        do {
            return try JSONCoding.decoder.decode(Spec.self, from: Data(requestJSON.utf8))
        } catch {
            throw JobFailure(problem: .invalid("request", "stored request is unreadable"), retryable: false)
        }
    }
}

/// An error a handler throws to fail the job at once (bad stored input, content policy) or to retry it.
public struct JobFailure: Error, Sendable {
    /// The problem stored as the job's `error`.
    public var problem: Problem
    /// Whether another attempt may succeed.
    public var retryable: Bool

    /// Creates a failure.
    public init(problem: Problem, retryable: Bool) {
        self.problem = problem
        self.retryable = retryable
    }

    /// Maps a provider error. Content, input and feature problems are final. Otherwise the job is tried again only
    /// when the router says another try is safe: it marks a failed create that may have reached the provider
    /// (5xx, timeout, broken connection) as not retryable, because a second try could start a second paid
    /// generation. The mock's injected failures are always retried, as the predecessor's mock mode did.
    public init(_ error: ProviderError) {
        let final: Set = ["content_policy", "unsupported_feature", "invalid_request", "invalid_input", "canceled"]
        let status = final.contains(error.code) ? 422 : 502
        var problem = Problem(
            HTTPResponse.Status(code: status), code: error.code, title: "Generation failed",
            detail: "\(error.provider): \(error.message)")
        if !error.failovers.isEmpty {
            problem.extensions["failovers"] = .string(error.failovers.map { "\($0.provider)/\($0.model): \($0.error)" }.joined(separator: "; "))
        }
        self.init(problem: problem, retryable: !final.contains(error.code) && (error.retryable || error.code == "mock_failure"))
    }
}

extension ProviderError: ProviderErrorConvertible {
    var jobFailure: JobFailure { JobFailure(self) }
}
