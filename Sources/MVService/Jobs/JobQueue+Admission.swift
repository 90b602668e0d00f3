import Foundation
import HTTPTypes
import Logging
import MVBilling
import PostgresNIO

/// A generation request that passed validation and pricing, ready to be admitted.
public struct AdmissionRequest: Sendable {
    public var jobID = UUID()
    public var kind: JobKind
    public var userID: UUID
    public var teamID: UUID
    public var projectID: UUID?
    /// The validated, defaulted request stored on the job.
    public var specJSON: String
    /// SHA-256 of `specJSON`: what "the same body" means for idempotency.
    public var specHash: String
    public var idempotencyKey: String?
    /// Credits to hold.
    public var quote: Int64
    public var maxAttempts: Int
    /// The generation rate-limit policy.
    public var policy: RateLimitPolicy
}

/// What admission did.
public enum AdmissionOutcome: Sendable {
    /// A new job; `rateLimit` is the generation bucket after taking a token.
    case created(JobRecord, rateLimit: RateLimitDecision)
    /// The same key and body were seen before: the stored job.
    case replayed(JobRecord)
}

extension JobQueue {
    /// Admits a job in ONE transaction: idempotency check, a token from the caller's generation bucket, the credit
    /// hold (402 when short), the job row, and a NOTIFY that commits with it. Any refusal rolls everything back.
    /// - Throws: ``Problem`` 409 (same key in flight), 422 (same key, other body), 429; `BillingError` (402).
    public func admit(_ request: AdmissionRequest, rateLimiter: RateLimiter) async throws -> AdmissionOutcome {
        let step: AdmissionStep = try await unwrapTransaction {
            try await client.withTransaction(logger: logger) { connection -> AdmissionStep in
                if let key = request.idempotencyKey {
                    let lockName = "idem:\(request.userID):\(key)"
                    let locked = try await connection.query(
                        "SELECT pg_try_advisory_xact_lock(hashtextextended(\(lockName), 0))", logger: logger)
                    guard try await locked.decode(Bool.self).first(where: { _ in true }) == true else {
                        throw Problem.conflict(
                            code: "idempotency_in_flight", "A request with this Idempotency-Key is still being processed; retry shortly.")
                    }
                    let rows = try await connection.query("""
                        SELECT id, request_hash FROM jobs WHERE user_id = \(request.userID) AND idempotency_key = \(key)
                        """, logger: logger)
                    for try await (id, hash) in rows.decode((UUID, String?).self) {
                        guard hash == request.specHash else {
                            throw Problem(
                                .unprocessableContent, code: "idempotency_key_reused", title: "Idempotency key reused",
                                detail: "This Idempotency-Key was used with a different request body.")
                        }
                        return .existing(id)
                    }
                }
                let decision = try await rateLimiter.take(
                    key: "generate:user:\(request.userID)", policy: request.policy, cost: 1, on: connection)
                guard decision.allowed else {
                    var problem = Problem.rateLimited(decision)
                    problem.headers = decision.headerFields.map { ($0.name, $0.value) }
                    throw problem
                }
                _ = try await ledger.placeHold(
                    teamID: request.teamID, jobID: request.jobID, amount: request.quote, userID: request.userID, on: connection)
                try await connection.query("""
                    INSERT INTO jobs (id, kind, user_id, team_id, project_id, request, idempotency_key, request_hash,
                        max_attempts, quoted)
                    VALUES (\(request.jobID), \(request.kind.rawValue), \(request.userID), \(request.teamID), \(request.projectID),
                        \(request.specJSON)::jsonb, \(request.idempotencyKey), \(request.specHash), \(request.maxAttempts),
                        \(request.quote))
                    """, logger: logger)
                try await connection.query("SELECT pg_notify(\(Self.channel), 'ready')", logger: logger)
                return .created(decision)
            }
        }
        switch step {
        case .existing(let id):
            guard let record = try await job(id: id, userID: request.userID) else { throw Problem.notFound("job") }
            return .replayed(record)
        case .created(let decision):
            let record = JobRecord(
                id: request.jobID, kind: request.kind, state: .queued, userID: request.userID, teamID: request.teamID,
                projectID: request.projectID, attempts: 0, maxAttempts: request.maxAttempts, progress: 0, stage: "queued",
                quoted: request.quote, held: request.quote, charged: 0, released: 0, resultJSON: nil, errorJSON: nil,
                providerName: nil, providerModel: nil, createdAt: Date(), startedAt: nil, finishedAt: nil)
            return .created(record, rateLimit: decision)
        }
    }

    private enum AdmissionStep: Sendable {
        case existing(UUID)
        case created(RateLimitDecision)
    }
}
