import Foundation
import MVBilling
import MVCore
import PostgresNIO

/// The one row SQL function `admit_job` (sql/020) returns: what admission did, with the figures its answer needs. (The
/// refusals it finds after its first write are errors instead, ``AdmissionRefusal``; its quota columns stay NULL.)
struct AdmissionRow: Sendable {
    /// What happened (the function's `outcome` column).
    enum Outcome: String, Sendable, PostgresStringEnum {
        case created
        case replayed
        case inFlight = "in_flight"
        case keyReused = "key_reused"
        case rateLimited = "rate_limited"
        case standingChanged = "standing_changed"
    }

    /// An admission that went through: a new job, or the job a replayed key names.
    enum Step: Sendable {
        case existing(UUID)
        case created(Date, RateLimitDecision)
    }

    var outcome: Outcome
    var jobID: UUID?
    var createdAt: Date? = nil
    /// The generation bucket: after taking (created) or now (rate limited), with the policy in force.
    var bucket: (tokens: Double?, capacity: Double, rate: Double)? = nil
    /// The team's balance after the hold (created).
    var balance: Balance? = nil

    /// The first of `rows` (the function returns exactly one), or `CorruptRowError` when there is none.
    static func first<Rows: AsyncSequence>(of rows: Rows) async throws -> AdmissionRow where Rows.Element == AdmissionRow {
        for try await row in rows { return row }
        throw CorruptRowError(description: "admit_job returned no row")
    }

    /// The step for `request`'s answer, or the refusal as the domain error the HTTP edge maps (throwing inside a
    /// transaction rolls it back).
    /// - Parameter request: The admitted request (nil when only the key was checked).
    func step(for request: AdmissionRequest?) throws -> Step {
        switch outcome {
        case .replayed:
            guard let jobID else { throw CorruptRowError(description: "admit_job replayed no job") }
            return .existing(jobID)
        case .inFlight: throw AdmissionError.idempotencyInFlight
        case .keyReused: throw AdmissionError.idempotencyKeyReused
        case .standingChanged: throw AdmissionError.standingChanged
        case .created, .rateLimited:
            guard let request, let bucket else { throw CorruptRowError(description: "admit_job \(outcome.rawValue) without its bucket") }
            let policy = RateLimitPolicy(name: request.policy.name, capacity: Int(bucket.capacity), refillPerSecond: bucket.rate)
            guard outcome == .created else {
                throw AdmissionError.rateLimited(RateLimiter.refusal(level: bucket.tokens, cost: 1, policy: policy))
            }
            let decision = RateLimitDecision(allowed: true, level: bucket.tokens ?? bucket.capacity, cost: 1, policy: policy)
            return .created(createdAt ?? Date(), decision)
        }
    }
}

extension AdmissionRow {
    /// Decodes the function's row.
    init(_ row: PostgresRow) throws {
        let columns = (
            Outcome, UUID?, Date?, Double?, Double?, Double?, UUID?, Quota.SubjectType?, UUID?, Int64?, Int64?, Date?, Int64?, Int64?
        ).self
        let (outcome, jobID, createdAt, tokens, capacity, rate, _, _, _, _, _, _, posted, held) = try row.decode(columns)
        self.init(outcome: outcome, jobID: jobID, createdAt: createdAt)
        if let capacity, let rate { bucket = (tokens, capacity, rate) }
        if let posted, let held { balance = Balance(available: posted - held, held: held, posted: posted) }
    }
}
