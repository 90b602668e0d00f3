import Foundation
import Logging
import MVAuth
import MVBackends
import MVBilling
import MVCore
import PostgresNIO

/// The Postgres job queue: claims with `FOR UPDATE SKIP LOCKED`, leases with a fencing token that every worker write
/// presents, and moves credits (capture/release) in the same transaction as the job's final state change.
struct JobQueue: Sendable {
    /// Why a worker's write was refused.
    enum Failure: Error, Equatable {
        /// The lease moved on (rescued, re-claimed or cancelled): this worker must stop and write nothing.
        case staleLease
        /// The job already finished in this state (a cancel came too late).
        case finished(JobState)
        /// The job is not there (or not the caller's).
        case missing
    }

    /// NOTIFY channel workers listen on.
    static let channel = "mv_jobs"

    let client: PostgresClient
    let ledger: Ledger
    let quotas: QuotaStore
    let logger: Logger
    /// `webhooks.credits_low_threshold`: admissions that take available credits below it announce `credits.low` (0: never).
    var creditsLowThreshold: Int64 = 0
    /// Wakes the workers after admissions commit (shared by every copy of this queue).
    let readyNotifier: ReadyNotifier
    /// Coalesces single-job reads into few statements (shared by every copy of this queue).
    let readBatcher: JobReadBatcher

    /// Creates a queue on `client`.
    init(client: PostgresClient, ledger: Ledger, logger: Logger) {
        self.client = client
        self.ledger = ledger
        self.quotas = QuotaStore(client: client, logger: logger)
        self.logger = logger
        self.readyNotifier = ReadyNotifier(client: client, logger: logger)
        self.readBatcher = JobReadBatcher(client: client, logger: logger)
    }

    // MARK: Claiming

    /// Claims the next ready job for `worker`, bumping attempts and the fencing token, or nil when none is ready.
    func claim(worker: String, lease: Duration) async throws -> ClaimedJob? {
        try await claim(worker: worker, lease: lease, limit: 1).first
    }

    /// Claims up to `limit` ready jobs for `worker` in ONE statement (highest priority, then oldest, first; rows other
    /// workers hold are skipped), each with its attempt counted and its own fencing token bumped: a batch is `limit`
    /// separate claims that share a round trip, so a worker with many free slots keeps up with a burst of admissions.
    func claim(worker: String, lease: Duration, limit: Int) async throws -> [ClaimedJob] {
        let rows = try await client.query("""
            UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_token = lease_token + 1,
                locked_by = \(worker), lease_expires_at = now() + make_interval(secs => \(lease.seconds)),
                started_at = COALESCE(started_at, now()), stage = 'starting', updated_at = now()
            WHERE id IN (
                SELECT id FROM jobs WHERE state = 'queued' AND run_at <= now()
                ORDER BY priority DESC, run_at LIMIT \(max(1, limit)) FOR UPDATE SKIP LOCKED)
            RETURNING id, kind, user_id, team_id, request, attempts, max_attempts, lease_token, quoted, provider_checkpoint, api_key_id
            """, logger: logger)
        let columns = (UUID, JobKind, UUID, UUID, JSONB<JSONValue>, Int, Int, Int64, Int64, JSONB<ProviderCheckpoint>?, UUID?).self
        var claimed: [ClaimedJob] = []
        for try await row in rows.decode(columns) {
            claimed.append(ClaimedJob(
                id: row.0, kind: row.1, userID: row.2, teamID: row.3, request: row.4.value, attempts: row.5,
                maxAttempts: row.6, leaseToken: row.7, quoted: row.8, checkpoint: row.9?.value, apiKeyID: row.10))
        }
        return claimed
    }

    /// Extends the lease. Throws ``Failure/staleLease`` when the job is no longer this worker's.
    func heartbeat(_ job: ClaimedJob, lease: Duration) async throws {
        let rows = try await client.query("""
            UPDATE jobs SET lease_expires_at = now() + make_interval(secs => \(lease.seconds)), updated_at = now()
            WHERE id = \(job.id) AND lease_token = \(job.leaseToken) AND state = 'running'
            RETURNING id
            """, logger: logger)
        guard try await rows.decode(UUID.self).first(where: { _ in true }) != nil else { throw Failure.staleLease }
    }

    /// Records progress (fenced).
    func progress(_ job: ClaimedJob, fraction: Double, stage: String) async throws {
        let fraction = min(max(fraction, 0), 1)
        let rows = try await client.query("""
            UPDATE jobs SET progress = \(fraction), stage = \(stage), updated_at = now()
            WHERE id = \(job.id) AND lease_token = \(job.leaseToken) AND state = 'running'
            RETURNING id
            """, logger: logger)
        guard try await rows.decode(UUID.self).first(where: { _ in true }) != nil else { throw Failure.staleLease }
    }

    /// Saves the provider's job id before the worker waits on it (fenced).
    func saveCheckpoint(_ job: ClaimedJob, checkpoint: ProviderCheckpoint) async throws {
        let rows = try await client.query("""
            UPDATE jobs SET provider_checkpoint = \(JSONB(checkpoint)), provider_name = \(checkpoint.provider.rawValue),
                provider_model = \(checkpoint.model), updated_at = now()
            WHERE id = \(job.id) AND lease_token = \(job.leaseToken) AND state = 'running'
            RETURNING id
            """, logger: logger)
        guard try await rows.decode(UUID.self).first(where: { _ in true }) != nil else { throw Failure.staleLease }
    }

    // MARK: Finishing

    /// Marks the job succeeded with the provider's `usage`, runs `write` (asset rows) and captures `charge` credits (at
    /// most the hold; the rest is released), all in one transaction and only while `job`'s lease is current.
    func complete(
        _ job: ClaimedJob, result: JSONValue, provider: ProviderName?, model: String?, charge: Int64, usage: Usage? = nil,
        write: @Sendable (PostgresConnection) async throws -> Void
    ) async throws {
        // Negative units would be a provider bug; the columns' CHECKs refuse them, so clamp rather than fail the job.
        let seconds = usage?.videoSeconds.map { max(0, $0) }
        let images = usage?.images.map { Int64(max(0, $0)) }
        let inputTokens = usage?.inputTokens.map { Int64(max(0, $0)) }
        let outputTokens = usage?.outputTokens.map { Int64(max(0, $0)) }
        try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query("""
                UPDATE jobs SET state = 'succeeded', progress = 1, stage = 'done', result = \(JSONB(result)),
                    provider_name = COALESCE(\(provider?.rawValue), provider_name), provider_model = COALESCE(\(model), provider_model),
                    usage_video_seconds = \(seconds)::float8::numeric, usage_images = \(images)::int8,
                    usage_input_tokens = \(inputTokens)::int8, usage_output_tokens = \(outputTokens)::int8,
                    finished_at = now(), locked_by = NULL, lease_expires_at = NULL, error = NULL, updated_at = now()
                WHERE id = \(job.id) AND lease_token = \(job.leaseToken) AND state = 'running'
                RETURNING id
                """, logger: logger)
            guard try await rows.decode(UUID.self).first(where: { _ in true }) != nil else { throw Failure.staleLease }
            try await write(connection)
            let resolution = try await ledger.capture(jobID: job.id, amount: max(0, charge), on: connection)
            try await recordResolution(job.id, resolution, on: connection)
            try await WebhookOutbox.enqueueJob(.jobSucceeded, jobID: job.id, on: connection, logger: logger)
        }
    }

    /// Records a failed attempt: requeued with `retryDelay` while attempts remain and `retry` allows, else failed
    /// for good with the hold released in full. Fenced.
    /// - Returns: the state the job is now in.
    @discardableResult
    func fail(_ job: ClaimedJob, failure: JobFailure, retry: Bool, retryDelay: Duration) async throws -> JobState {
        let error = JSONB(failure)
        let final = !retry || job.attempts >= job.maxAttempts
        return try await client.transaction(logger: logger) { connection in
            if !final {
                let rows = try await connection.query("""
                    UPDATE jobs SET state = 'queued', run_at = now() + make_interval(secs => \(retryDelay.seconds)),
                        stage = 'retrying', error = \(error), locked_by = NULL, lease_expires_at = NULL,
                        updated_at = now()
                    WHERE id = \(job.id) AND lease_token = \(job.leaseToken) AND state = 'running'
                    RETURNING id
                    """, logger: logger)
                guard try await rows.decode(UUID.self).first(where: { _ in true }) != nil else { throw Failure.staleLease }
                return .queued
            }
            let rows = try await connection.query("""
                UPDATE jobs SET state = 'failed', stage = 'failed', error = \(error), finished_at = now(),
                    locked_by = NULL, lease_expires_at = NULL, updated_at = now()
                WHERE id = \(job.id) AND lease_token = \(job.leaseToken) AND state = 'running'
                RETURNING id
                """, logger: logger)
            guard try await rows.decode(UUID.self).first(where: { _ in true }) != nil else { throw Failure.staleLease }
            let resolution = try await ledger.release(jobID: job.id, reason: "job failed", on: connection)
            try await recordResolution(job.id, resolution, on: connection)
            try await WebhookOutbox.enqueueJob(.jobFailed, jobID: job.id, on: connection, logger: logger)
            return .failed
        }
    }

    /// Cancels a queued or running job of the viewer (in the key's team, for API keys), releasing its hold and bumping the fencing token so the
    /// worker's later writes are refused.
    /// - Returns: the job after cancelling; nil when the caller has no such job.
    /// - Throws: ``Failure/finished(_:)`` when the job already finished.
    func cancel(jobID: UUID, viewer: AssetViewer) async throws -> JobRecord? {
        let canceled = try await client.transaction(logger: logger) { connection -> Bool in
            let rows = try await connection.query("""
                UPDATE jobs SET state = 'canceled', stage = 'canceled', finished_at = now(), lease_token = lease_token + 1,
                    locked_by = NULL, lease_expires_at = NULL, updated_at = now()
                WHERE id = \(jobID) AND user_id = \(viewer.userID) AND state IN ('queued', 'running')
                    AND (\(viewer.scopeTeamID)::uuid IS NULL OR team_id = \(viewer.scopeTeamID))
                RETURNING id
                """, logger: logger)
            guard try await rows.decode(UUID.self).first(where: { _ in true }) != nil else { return false }
            let resolution = try await ledger.release(jobID: jobID, reason: "job canceled", on: connection)
            try await recordResolution(jobID, resolution, on: connection)
            try await WebhookOutbox.enqueueJob(.jobCanceled, jobID: jobID, on: connection, logger: logger)
            return true
        }
        guard let record = try await job(id: jobID, viewer: viewer) else { return nil }
        if !canceled {
            throw Failure.finished(record.state)
        }
        // Best effort: the worker's heartbeat notices the cancel anyway; the NOTIFY only makes it immediate.
        _ = try? await client.query("SELECT pg_notify(\(Self.channel), \("cancel:" + jobID.lowercased))", logger: logger)
        return record
    }

    /// Requeues running jobs whose lease expired (their worker died); those out of attempts fail with their hold released.
    /// - Returns: ids requeued and ids failed.
    @discardableResult
    func rescueExpiredLeases() async throws -> (requeued: [UUID], failed: [UUID]) {
        let rows = try await client.query("""
            UPDATE jobs SET state = 'queued', run_at = now(), stage = 'rescued', locked_by = NULL, lease_expires_at = NULL,
                updated_at = now()
            WHERE state = 'running' AND lease_expires_at < now() AND attempts < max_attempts
            RETURNING id
            """, logger: logger)
        var requeued: [UUID] = []
        for try await id in rows.decode(UUID.self) { requeued.append(id) }
        var failed: [UUID] = []
        let exhausted = try await client.query("""
            SELECT id, lease_token, attempts, max_attempts, user_id, team_id, quoted, kind FROM jobs
            WHERE state = 'running' AND lease_expires_at < now() AND attempts >= max_attempts
            """, logger: logger)
        var lost: [ClaimedJob] = []
        for try await row in exhausted.decode((UUID, Int64, Int, Int, UUID, UUID, Int64, JobKind).self) {
            lost.append(ClaimedJob(
                id: row.0, kind: row.7, userID: row.4, teamID: row.5, request: .object([:]),
                attempts: row.2, maxAttempts: row.3, leaseToken: row.1, quoted: row.6, checkpoint: nil))
        }
        for job in lost {
            let failure = JobFailure(.workerLost, "The worker running this job stopped responding \(job.attempts) times.")
            if (try? await fail(job, failure: failure, retry: false, retryDelay: .zero)) != nil {
                failed.append(job.id)
            }
        }
        if !requeued.isEmpty { readyNotifier.jobReady() }
        return (requeued, failed)
    }

    private func recordResolution(_ jobID: UUID, _ resolution: HoldResolution?, on connection: PostgresConnection) async throws {
        guard let resolution else { return }
        try await connection.query("""
            UPDATE jobs SET charged = \(resolution.captured), released = \(resolution.released) WHERE id = \(jobID)
            """, logger: logger)
    }
}
