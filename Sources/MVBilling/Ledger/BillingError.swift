import Foundation

/// Failures of ledger operations that callers are expected to handle (402, 409, 422).
public enum BillingError: Error, Sendable, Equatable {
    /// The team's available credits (`posted - held`) are below what the operation needs.
    case insufficientCredits(required: Int64, available: Int64)
    /// The amount is not allowed for this operation, e.g. a zero grant or a negative hold.
    case invalidAmount(String)
    /// The job already has its single hold.
    case holdAlreadyExists(jobID: UUID)
    /// The team's lots do not cover a movement its posted credits allowed: the books disagree (never expected;
    /// the movement is rolled back).
    case lotsOutOfBalance(teamID: UUID)
    /// The job has no open hold to capture a part from (it resolved, or never existed).
    case noOpenHold(jobID: UUID)
    /// This part of the job's hold was captured already: a part is paid once.
    case partAlreadyCaptured(jobID: UUID, part: String)
    /// The part is larger than what the hold still holds: parts never exceed the hold.
    case holdExceeded(jobID: UUID, requested: Int64, remaining: Int64)
}
