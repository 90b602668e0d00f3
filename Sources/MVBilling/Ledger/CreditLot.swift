import Foundation

/// One grant of credits: what it brought, what captures and adjustments took from it, what expired, and what is left
/// (`granted = consumed + expired + remaining`, kept by a CHECK and by the invariant checker).
public struct CreditLot: Codable, Sendable, Equatable {
    /// The priority of a lot granted without one.
    public static let defaultPriority = 100
    /// The priorities a lot may have (lower is drawn first).
    public static let priorities = 0...1000

    /// The lot's id.
    public var id: UUID
    /// Credits granted.
    public var granted: Int64
    /// Credits captured or adjusted away from it.
    public var consumed: Int64
    /// Credits that expired unused.
    public var expired: Int64
    /// Credits left.
    public var remaining: Int64
    /// Draw priority, lower first.
    public var priority: Int
    /// When its unused credits expire, if ever.
    public var expiresAt: Date?
    /// Why it was granted.
    public var reason: String?
    /// Who granted it, if known.
    public var grantedBy: UUID?
    /// When it was granted.
    public var createdAt: Date

    /// Creates a lot value.
    public init(
        id: UUID, granted: Int64, consumed: Int64, expired: Int64, priority: Int, expiresAt: Date?, reason: String?, grantedBy: UUID?,
        createdAt: Date
    ) {
        self.id = id
        self.granted = granted
        self.consumed = consumed
        self.expired = expired
        self.remaining = granted - consumed - expired
        self.priority = priority
        self.expiresAt = expiresAt
        self.reason = reason
        self.grantedBy = grantedBy
        self.createdAt = createdAt
    }
}

/// Credits of one lot that will expire.
public struct ExpiringCredits: Codable, Sendable, Equatable {
    /// Credits left in the lot.
    public var amount: Int64
    /// When they expire.
    public var expiresAt: Date

    /// Creates a value.
    public init(amount: Int64, expiresAt: Date) {
        self.amount = amount
        self.expiresAt = expiresAt
    }
}

/// What took credits from lots.
public enum LotDrawKind: String, Sendable {
    /// A job's capture.
    case capture
    /// A negative adjustment.
    case adjustment
}
