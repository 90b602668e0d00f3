import Foundation

/// One immutable row of the double-entry ledger.
///
/// Entries sharing a `transactionID` sum to zero. `account` is `available` or `held` for team
/// entries, `issued` or `revenue` for the platform side (those have no `teamID`).
public struct LedgerEntry: Codable, Sendable, Equatable {
    /// Monotonic row id; also the pagination cursor.
    public var id: Int64
    /// Groups the entries of one movement.
    public var transactionID: UUID
    /// `available`, `held`, `issued` or `revenue`.
    public var account: String
    /// The team, for `available` and `held` entries.
    public var teamID: UUID?
    /// `grant`, `hold`, `capture`, `release` or `adjustment`.
    public var kind: String
    /// Signed amount in credits.
    public var amount: Int64
    /// The job whose hold this entry belongs to, if any.
    public var jobID: UUID?
    /// The user who caused the movement, if known.
    public var userID: UUID?
    /// The API key the request that caused it came with (nil for token calls and internal movements).
    public var apiKeyID: UUID?
    /// The credit lot a grant created or an expiry drew from.
    public var lotID: UUID?
    /// Free-text reason (grants, adjustments, releases).
    public var reason: String?
    /// When the entry was written.
    public var createdAt: Date

    /// Creates an entry value.
    public init(
        id: Int64, transactionID: UUID, account: String, teamID: UUID?, kind: String, amount: Int64,
        jobID: UUID?, userID: UUID?, apiKeyID: UUID? = nil, lotID: UUID? = nil, reason: String?, createdAt: Date
    ) {
        self.lotID = lotID
        self.apiKeyID = apiKeyID
        self.id = id
        self.transactionID = transactionID
        self.account = account
        self.teamID = teamID
        self.kind = kind
        self.amount = amount
        self.jobID = jobID
        self.userID = userID
        self.reason = reason
        self.createdAt = createdAt
    }
}
