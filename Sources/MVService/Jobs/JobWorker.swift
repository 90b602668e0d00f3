import Foundation
import Logging
import MVBackends
import MVCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Runs jobs from the queue: wakes on NOTIFY with a polling fallback, runs up to `concurrency` jobs at once, keeps
/// each lease alive with heartbeats, retries failures with capped full-jitter backoff, and rescues jobs whose worker
/// died. On graceful shutdown (SIGTERM) it stops claiming and lets in-flight jobs finish (up to the drain timeout);
/// if its task is cancelled outright it abandons jobs without writing, and their leases expire into a rescue.
struct JobWorker: Service {
    let queue: JobQueue
    let postgres: PostgresClient
    let handlers: [JobKind: any JobHandler]
    let settings: AppConfig.JobSettings
    let name: String
    let logger: Logger

    /// Creates a worker named `name` (shown in `jobs.locked_by`).
    init(
        queue: JobQueue, postgres: PostgresClient, handlers: [JobKind: any JobHandler], settings: AppConfig.JobSettings,
        name: String, logger: Logger
    ) {
        self.queue = queue
        self.postgres = postgres
        self.handlers = handlers
        self.settings = settings
        self.name = name
        self.logger = logger
    }

    private enum Finished { case job, drainDeadline }

    /// Most jobs claimed in one statement (bounded by the free slots): enough to keep up with bursts, small enough
    /// that one worker does not take a whole queue that other workers could share.
    static let claimBatch = 32

    /// Per running job: a signal that makes its heartbeat check the lease at once (sent on a `cancel:<id>` NOTIFY).
    private let leaseChecks = LeaseCheckRegistry()

    func run() async throws {
        let wake = WakeSignal()
        let inFlight = InFlightCounter()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { background in
                background.addTask { await listen(wake: wake) }
                background.addTask { await sweep() }
                await withTaskGroup(of: Finished.self) { jobs in
                    while !wake.isShuttingDown && !Task.isCancelled {
                        guard inFlight.value < settings.concurrency else {
                            await wake.wait(timeout: settings.pollInterval)
                            continue
                        }
                        let claimed: [ClaimedJob]
                        do {
                            let free = settings.concurrency - inFlight.value
                            claimed = try await queue.claim(worker: name, lease: settings.lease, limit: min(free, Self.claimBatch))
                        } catch {
                            logger.warning("claim failed", metadata: ["error": "\(error)"])
                            await wake.wait(timeout: settings.pollInterval)
                            continue
                        }
                        guard !claimed.isEmpty else {
                            await wake.wait(timeout: settings.pollInterval)
                            continue
                        }
                        inFlight.add(claimed.count)
                        for job in claimed {
                            jobs.addTask {
                                await process(job)
                                inFlight.add(-1)
                                wake.signal()
                                return .job
                            }
                        }
                    }
                    // Drain: let running jobs finish, up to the deadline; then abandon the rest to lease expiry.
                    guard inFlight.value > 0 else { return }
                    logger.info("draining in-flight jobs", metadata: ["count": "\(inFlight.value)"])
                    jobs.addTask {
                        try? await Task.sleep(for: settings.drainTimeout)
                        return .drainDeadline
                    }
                    while let finished = await jobs.next() {
                        if finished == .drainDeadline {
                            jobs.cancelAll()
                            break
                        }
                        if inFlight.value == 0 {
                            jobs.cancelAll()
                            break
                        }
                    }
                }
                background.cancelAll()
            }
        } onGracefulShutdown: {
            wake.shutdown()
        }
    }

    /// Runs one claimed job to a recorded outcome.
    func process(_ job: ClaimedJob) async {
        var logger = self.logger
        logger[metadataKey: "job"] = "\(job.id.lowercased)"
        logger[metadataKey: "attempt"] = "\(job.attempts)"
        guard let handler = handlers[job.kind] else {
            let failure = JobFailure(.unsupportedJob, "No worker handles \(job.kind.rawValue).")
            _ = try? await queue.fail(job, failure: failure, retry: false, retryDelay: .zero)
            return
        }
        let session = JobSession(queue: queue, job: job)
        let leaseCheck = leaseChecks.register(job.id)
        defer { leaseChecks.remove(job.id) }
        do {
            let completion = try await withThrowingTaskGroup(of: JobCompletion?.self) { group in
                group.addTask { try await handler.run(job, session: session) }
                group.addTask {
                    while true {
                        await leaseCheck.wait(timeout: settings.heartbeat)
                        try Task.checkCancellation()
                        try await queue.heartbeat(job, lease: settings.lease)
                    }
                }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let completion = result { return completion }
                }
                throw CancellationError()
            }
            try Task.checkCancellation()
            try await queue.complete(
                job, result: completion.result, provider: completion.provider, model: completion.model,
                charge: completion.charge, usage: completion.usage, write: completion.write)
            logger.info("job succeeded", metadata: ["charged": "\(completion.charge)"])
        } catch {
            if Task.isCancelled {
                logger.warning("job abandoned: worker stopping without cleanup")
                return
            }
            if let failure = error as? JobQueue.Failure, failure == .staleLease {
                logger.info("job lease lost (cancelled or rescued); not writing")
                return
            }
            let attempt = Self.classify(error, logger: logger)
            let delay = Backoff.fullJitter(attempt: job.attempts, base: settings.retryBase, cap: settings.retryCap)
            do {
                let state = try await queue.fail(job, failure: attempt.failure, retry: attempt.retry, retryDelay: delay)
                logger.info("job attempt failed", metadata: ["code": "\(attempt.failure.code.rawValue)", "now": "\(state.rawValue)"])
            } catch {
                logger.info("could not record failure", metadata: ["error": "\(error)"])
            }
        }
    }

    /// What a handler's error means for the job: its stored failure and whether to try again.
    static func classify(_ error: any Error, logger: Logger) -> AttemptFailure {
        switch error {
        case let attempt as AttemptFailure:
            return attempt
        case let provider as ProviderError:
            return AttemptFailure(provider)
        default:
            logger.error("job failed unexpectedly", metadata: ["error": "\(String(reflecting: error))"])
            return AttemptFailure(JobFailure(.internalError, "The job failed unexpectedly."), retry: true)
        }
    }

    /// LISTENs for NOTIFY on the jobs channel and wakes the loop; reconnects after failures.
    private func listen(wake: WakeSignal) async {
        while !Task.isCancelled {
            do {
                try await postgres.withConnection { connection in
                    try await connection.listen(on: JobQueue.channel) { notifications in
                        for try await notification in notifications {
                            if notification.payload.hasPrefix("cancel:"), let id = UUID(parsing: notification.payload.dropFirst(7)) {
                                leaseChecks.signal(id)
                            } else {
                                wake.signal()
                            }
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("listen interrupted", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: settings.pollInterval)
        }
    }

    /// Periodically rescues expired leases.
    private func sweep() async {
        let period = min(settings.pollInterval, settings.lease / 2)
        while !Task.isCancelled {
            do {
                let (requeued, failed) = try await queue.rescueExpiredLeases()
                if !requeued.isEmpty || !failed.isEmpty {
                    logger.warning("rescued jobs with expired leases", metadata: ["requeued": "\(requeued)", "failed": "\(failed)"])
                }
            } catch {
                logger.debug("rescue sweep failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: period)
        }
    }
}

/// Wake-up signals of the jobs this worker runs, by job id.
final class LeaseCheckRegistry: Sendable {
    private let signals = Mutex<[UUID: WakeSignal]>([:])

    func register(_ id: UUID) -> WakeSignal {
        let signal = WakeSignal()
        signals.withLock { $0[id] = signal }
        return signal
    }

    func remove(_ id: UUID) { _ = signals.withLock { $0.removeValue(forKey: id) } }

    func signal(_ id: UUID) { signals.withLock { $0[id] }?.signal() }
}

/// A counter shared by the worker loop and its job tasks.
final class InFlightCounter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func add(_ delta: Int) { count.withLock { $0 += delta } }
}
