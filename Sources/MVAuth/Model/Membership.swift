/// A user's membership of one team.
public struct Membership: Codable, Sendable, Equatable {
    /// The team.
    public var team: Team
    /// The user's role in it.
    public var role: TeamRole

    /// Creates a membership value.
    /// - Parameters:
    ///   - team: The team.
    ///   - role: The role in that team.
    public init(team: Team, role: TeamRole) {
        self.team = team
        self.role = role
    }
}
