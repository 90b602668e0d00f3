import Foundation
import MVBilling
import MVCore
import PostgresNIO

/// The refusals `admit_job` raises once it has written (sql/020): the error aborts the statement, so PostgreSQL rolls
/// back the bucket token, the quota counts and everything else the admission wrote, and its SQLSTATE names the refusal
/// while DETAIL carries the figures as JSON. Read here into the same domain errors the HTTP edge maps for every other
/// path (`QuotaError`, `BillingError`).
enum AdmissionRefusal {
    /// SQLSTATEs of the refusals.
    enum State: String {
        case quotaExceeded = "MVQ01"
        case insufficientCredits = "MVH01"
        case holdExists = "MVH02"
    }

    /// DETAIL of `MVQ01`: the first blocking quota at its limit.
    private struct QuotaDetail: Decodable {
        var quotaId: UUID
        var subjectType: Quota.SubjectType
        var subjectId: UUID
        var limit: Int64
        var used: Int64
        var resetsAt: Date
    }

    /// DETAIL of `MVH01`: the balance that did not cover the quote.
    private struct BalanceDetail: Decodable {
        var posted: Int64
        var held: Int64
    }

    /// The domain error for `error` when it is one of admit_job's refusals of `request`, else nil.
    static func domainError(for error: any Error, request: AdmissionRequest) -> (any Error)? {
        guard let error = PostgresErrors.unwrap(error) as? PSQLError,
            let state = error.serverInfo?[.sqlState].flatMap(State.init(rawValue:))
        else { return nil }
        let detail = Data((error.serverInfo?[.detail] ?? "{}").utf8)
        do {
            switch state {
            case .quotaExceeded:
                let quota = try JSONCoding.decoder.decode(QuotaDetail.self, from: detail)
                return QuotaError.exceeded(QuotaRefusal(
                    quotaID: quota.quotaId, subject: Quota.Subject(type: quota.subjectType, id: quota.subjectId),
                    limit: quota.limit, used: quota.used, resetsAt: quota.resetsAt))
            case .insufficientCredits:
                let balance = try JSONCoding.decoder.decode(BalanceDetail.self, from: detail)
                return BillingError.insufficientCredits(required: request.quote, available: balance.posted - balance.held)
            case .holdExists:
                return BillingError.holdAlreadyExists(jobID: request.jobID)
            }
        } catch {
            return CorruptRowError(description: "admit_job raised \(state.rawValue) with an unreadable detail: \(error)")
        }
    }
}
