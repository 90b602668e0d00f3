/// A member's role inside a team, ordered by power: `viewer < member < admin < owner`.
///
/// The raw values are the strings stored in `memberships.role`.
public enum TeamRole: String, Codable, Sendable, CaseIterable, Comparable {
    /// Can read the team's content.
    case viewer
    /// Can create content and spend the team's credits.
    case member
    /// Can manage members and settings.
    case admin
    /// Owns the team; there is at least one per team.
    case owner

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .member: 1
        case .admin: 2
        case .owner: 3
        }
    }

    /// Orders roles by power.
    /// - Parameters:
    ///   - lhs: A role.
    ///   - rhs: Another role.
    /// - Returns: `true` when `lhs` is less powerful than `rhs`.
    public static func < (lhs: TeamRole, rhs: TeamRole) -> Bool {
        lhs.rank < rhs.rank
    }
}
