import Foundation
import MVCore
import PostgresNIO

/// A cap on the credits a subject commits (open holds + captures) per calendar period in the team's time zone, with
/// what the current period has used.
public struct Quota: Codable, Sendable, Equatable {
    /// Whom a quota counts.
    public struct Subject: Codable, Sendable, Hashable {
        /// The kind of subject.
        public var type: SubjectType
        /// The team's, member's or API key's id.
        public var id: UUID

        /// Creates a subject.
        public init(type: SubjectType, id: UUID) {
            self.type = type
            self.id = id
        }
    }

    /// The kinds of subject.
    public enum SubjectType: String, Codable, Sendable, CaseIterable, PostgresStringEnum {
        /// Everything the team commits.
        case team
        /// What one member commits in the team.
        case member
        /// What requests with one API key commit.
        case apiKey = "api_key"
    }

    /// Calendar periods: a local day from midnight, a week from Monday, a month from the 1st.
    public enum Period: String, Codable, Sendable, CaseIterable, PostgresStringEnum {
        case day, week, month
    }

    /// What happens at the limit.
    public enum Action: String, Codable, Sendable, CaseIterable, PostgresStringEnum {
        /// Admission is refused (429 `quota_exceeded`).
        case block
        /// Nothing is refused; crossing 80 % and 100 % is recorded once per period.
        case alert
    }

    /// The quota's id.
    public var id: UUID
    /// The team it belongs to.
    public var teamId: UUID
    /// Whom it counts.
    public var subject: Subject
    /// Its period.
    public var period: Period
    /// The cap in credits (> 0).
    public var limit: Int64
    /// What happens at the cap.
    public var action: Action
    /// Credits committed in the current period.
    public var used: Int64
    /// `max(0, limit − used)`.
    public var remaining: Int64
    /// Where the current period began.
    public var periodStart: Date
    /// Where it ends (the next period's start).
    public var resetsAt: Date

    /// Creates a quota value.
    public init(
        id: UUID, teamId: UUID, subject: Subject, period: Period, limit: Int64, action: Action, used: Int64, periodStart: Date, resetsAt: Date
    ) {
        self.id = id
        self.teamId = teamId
        self.subject = subject
        self.period = period
        self.limit = limit
        self.action = action
        self.used = used
        self.remaining = max(0, limit - used)
        self.periodStart = periodStart
        self.resetsAt = resetsAt
    }
}

/// A quota's refusal of an admission: what the caller needs to know to wait or ask for more.
public struct QuotaRefusal: Sendable, Equatable {
    /// The refusing quota.
    public var quotaID: UUID
    /// Whom it counts.
    public var subject: Quota.Subject
    /// Its cap.
    public var limit: Int64
    /// What the period has used.
    public var used: Int64
    /// When the period resets.
    public var resetsAt: Date

    /// Creates a refusal.
    public init(quotaID: UUID, subject: Quota.Subject, limit: Int64, used: Int64, resetsAt: Date) {
        self.quotaID = quotaID
        self.subject = subject
        self.limit = limit
        self.used = used
        self.resetsAt = resetsAt
    }
}

/// Refusals of quota management and admission.
public enum QuotaError: Error, Sendable, Equatable {
    /// A blocking quota is at its limit for this period.
    case exceeded(QuotaRefusal)
    /// No such quota in the team.
    case notFound
    /// The team already has a quota for that subject and period.
    case duplicate
    /// The subject is not this team, one of its members or one of its live API keys.
    case unknownSubject
    /// A request field failed validation.
    case invalidInput(field: String, message: String)
}
