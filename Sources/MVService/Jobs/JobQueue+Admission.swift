import Foundation
import Logging
import MVAuth
import MVBilling
import MVCore
import PostgresNIO

/// A generation request that passed validation and pricing, ready to be admitted.
struct AdmissionRequest: Sendable {
    var jobID = UUID()
    var kind: JobKind
    var userID: UUID
    var teamID: UUID
    /// The API key the request came with (nil for token calls), recorded on the job and its ledger entries.
    var apiKeyID: UUID?
    var projectID: UUID?
    /// The validated, defaulted request stored on the job: its canonical JSON text (``JSONCoding/encode(_:)``).
    var specJSON: Data
    /// SHA-256 of ``specJSON``: what "the same body" means for idempotency.
    var specHash: String
    var idempotencyKey: String?
    /// Credits to hold.
    var quote: Int64
    var maxAttempts: Int
    /// The generation rate-limit policy.
    var policy: RateLimitPolicy
    /// Whether the principal came from the standing cache: then `admit_job` checks, in the same statement, that the
    /// user may still generate in the team (``AdmissionError/standingChanged`` otherwise).
    var recheckStanding = false
    /// Stored on the hold's ledger entries; for a free job (quote 0), why it is free (then written as zero entries).
    var holdReason: String? = nil
    /// A write that must commit with the job or not at all (a project's claim on its render), run right after the
    /// idempotency check and before any bucket, quota or credit is touched (so it locks what it needs before the
    /// team's credit account, the order every worker transaction follows); throwing refuses the admission and rolls
    /// everything back.
    var alsoWrite: (@Sendable (PostgresConnection) async throws -> Void)? = nil
}

/// What admission did.
enum AdmissionOutcome: Sendable {
    /// A new job; `rateLimit` is the generation bucket after taking a token.
    case created(JobRecord, rateLimit: RateLimitDecision)
    /// The same key and body were seen before: the stored job.
    case replayed(JobRecord)
}

extension JobQueue {
    /// Admits a job in ONE statement, SQL function `admit_job` (sql/018, sql/020): the Idempotency-Key check under its
    /// lock, a token from the caller's generation bucket, every applicable quota, the credit hold, the job row and the
    /// webhook events it crosses (`quota.threshold`, `credits.low`). Any refusal leaves nothing behind: a refusal after
    /// the first write raises inside the function (``AdmissionRefusal``), so the statement, and with it the bucket
    /// token, the other quotas' counts and any hold, is rolled back. Once a new job has
    /// committed, ``ReadyNotifier`` wakes the workers (outside the transaction, so admissions commit in parallel).
    ///
    /// A request with ``AdmissionRequest/alsoWrite`` runs in a transaction instead: the key is checked first (a replay
    /// answers without the extra write), then the write, then the same function; a refusal rolls the write back too.
    /// - Throws: ``AdmissionError`` (same key in flight, same key with another body, rate limited, bad key);
    ///   `QuotaError.exceeded` (a blocking quota is at its limit); `BillingError` (not enough credits).
    func admit(_ request: AdmissionRequest) async throws -> AdmissionOutcome {
        if let key = request.idempotencyKey { try IdempotencyLock.validate(key) }
        let step: AdmissionRow.Step
        do {
            if let alsoWrite = request.alsoWrite {
                step = try await client.transaction(logger: logger) { connection in
                    if let key = request.idempotencyKey,
                        let replay = try await Self.replay(userID: request.userID, key: key, specHash: request.specHash, on: connection, logger: logger)
                    {
                        return replay
                    }
                    try await alsoWrite(connection)
                    return try await AdmissionRow.first(of: connection.execute(admitStatement(request), logger: logger)).step(for: request)
                }
            } else {
                step = try await AdmissionRow.first(of: client.execute(admitStatement(request), logger: logger)).step(for: request)
            }
        } catch {
            throw AdmissionRefusal.domainError(for: error, request: request) ?? error
        }
        switch step {
        case .existing(let id):
            guard let record = try await job(id: id, viewer: AssetViewer(userID: request.userID)) else { throw Failure.missing }
            return .replayed(record)
        case .created(let createdAt, let decision):
            readyNotifier.jobReady()
            let record = JobRecord(
                id: request.jobID, kind: request.kind, state: .queued, userID: request.userID, teamID: request.teamID,
                projectID: request.projectID, attempts: 0, maxAttempts: request.maxAttempts, progress: 0, stage: "queued",
                quoted: request.quote, held: request.quote, charged: 0, released: 0, result: nil, failure: nil,
                providerName: nil, providerModel: nil, createdAt: createdAt, startedAt: nil, finishedAt: nil)
            return .created(record, rateLimit: decision)
        }
    }

    /// The one admission statement.
    private func admitStatement(_ request: AdmissionRequest) -> AdmitJobStatement {
        AdmitJobStatement(request: request, creditsLowThreshold: creditsLowThreshold)
    }

    /// What the key says before an extra write (SQL function `admission_replay`): the job to replay, nil for a new
    /// request; the key's lock is then held until the transaction ends.
    private static func replay(
        userID: UUID, key: String, specHash: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> AdmissionRow.Step? {
        let rows = try await connection.query("SELECT * FROM admission_replay(\(userID), \(key), \(specHash))", logger: logger)
        for try await (outcome, jobID) in rows.decode((AdmissionRow.Outcome, UUID?).self) {
            return try AdmissionRow(outcome: outcome, jobID: jobID).step(for: nil)
        }
        return nil
    }
}
