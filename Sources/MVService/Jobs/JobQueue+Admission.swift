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
    /// The validated, defaulted request stored on the job.
    var spec: JSONValue
    /// SHA-256 of the spec's canonical JSON: what "the same body" means for idempotency.
    var specHash: String
    var idempotencyKey: String?
    /// Credits to hold.
    var quote: Int64
    var maxAttempts: Int
    /// The generation rate-limit policy.
    var policy: RateLimitPolicy
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
    /// Admits a job in ONE transaction: idempotency check, a token from the caller's generation bucket, every
    /// applicable quota, the credit hold (402 when short), the job row, and a NOTIFY that commits with it. Any refusal
    /// rolls everything back: a quota's refusal leaves the bucket, the other quotas and the balance untouched.
    /// - Throws: ``AdmissionError`` (same key in flight, same key with another body, rate limited, bad key);
    ///   `QuotaError.exceeded` (a blocking quota is at its limit); `BillingError` (not enough credits).
    func admit(_ request: AdmissionRequest, rateLimiter: RateLimiter) async throws -> AdmissionOutcome {
        let step: AdmissionStep = try await client.transaction(logger: logger) { connection -> AdmissionStep in
            if let key = request.idempotencyKey {
                try await IdempotencyLock.acquire(userID: request.userID, key: key, on: connection, logger: logger)
                let rows = try await connection.query("""
                    SELECT id, request_hash FROM jobs WHERE user_id = \(request.userID) AND idempotency_key = \(key)
                    """, logger: logger)
                for try await (id, hash) in rows.decode((UUID, String?).self) {
                    guard hash == request.specHash else { throw AdmissionError.idempotencyKeyReused }
                    return .existing(id)
                }
            }
            try await request.alsoWrite?(connection)
            let decision = try await rateLimiter.take(
                key: "generate:user:\(request.userID)", policy: request.policy, cost: 1, team: .team(request.teamID), on: connection)
            guard decision.allowed else { throw AdmissionError.rateLimited(decision) }
            let crossings = try await quotas.charge(
                teamID: request.teamID, userID: request.userID, apiKeyID: request.apiKeyID, jobID: request.jobID, amount: request.quote,
                actor: AuditEvent.Actor(userID: request.userID, keyID: request.apiKeyID), on: connection)
            let balance = try await ledger.placeHold(
                teamID: request.teamID, jobID: request.jobID, amount: request.quote, userID: request.userID, apiKeyID: request.apiKeyID,
                reason: request.holdReason, on: connection)
            try await connection.query("""
                INSERT INTO jobs (id, kind, user_id, team_id, api_key_id, project_id, request, idempotency_key, request_hash,
                    max_attempts, quoted)
                VALUES (\(request.jobID), \(request.kind), \(request.userID), \(request.teamID), \(request.apiKeyID), \(request.projectID),
                    \(JSONB(request.spec)), \(request.idempotencyKey), \(request.specHash), \(request.maxAttempts),
                    \(request.quote))
                """, logger: logger)
            try await WebhookOutbox.announceAdmission(
                teamID: request.teamID, crossings: crossings, balance: balance, held: request.quote, threshold: creditsLowThreshold,
                on: connection)
            try await connection.query("SELECT pg_notify(\(Self.channel), 'ready')", logger: logger)
            return .created(decision)
        }
        switch step {
        case .existing(let id):
            guard let record = try await job(id: id, viewer: AssetViewer(userID: request.userID)) else { throw Failure.missing }
            return .replayed(record)
        case .created(let decision):
            let record = JobRecord(
                id: request.jobID, kind: request.kind, state: .queued, userID: request.userID, teamID: request.teamID,
                projectID: request.projectID, attempts: 0, maxAttempts: request.maxAttempts, progress: 0, stage: "queued",
                quoted: request.quote, held: request.quote, charged: 0, released: 0, result: nil, failure: nil,
                providerName: nil, providerModel: nil, createdAt: Date(), startedAt: nil, finishedAt: nil)
            return .created(record, rateLimit: decision)
        }
    }

    private enum AdmissionStep: Sendable {
        case existing(UUID)
        case created(RateLimitDecision)
    }
}
