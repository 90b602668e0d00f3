/// What an API key may do, narrowing its creator's role (never widening it).
public enum KeyScope: String, Codable, Sendable, CaseIterable, Comparable {
    /// Read-only routes.
    case read
    /// Also submit generation jobs and manage the creator's own assets.
    case generate
    /// Also the team administration the creator's role allows (members, quotas, keys of others, ledger, audit).
    case admin

    public static func < (lhs: KeyScope, rhs: KeyScope) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}
