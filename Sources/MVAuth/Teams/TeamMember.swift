import Foundation

/// A member of a team as the members list shows it.
public struct TeamMember: Codable, Sendable, Equatable {
    /// The member.
    public var userID: UUID
    /// Their e-mail.
    public var email: String
    /// Their display name.
    public var name: String
    /// Their role in the team.
    public var role: TeamRole
    /// When they joined the team.
    public var addedAt: Date

    /// Creates a member value.
    public init(userID: UUID, email: String, name: String, role: TeamRole, addedAt: Date) {
        self.userID = userID
        self.email = email
        self.name = name
        self.role = role
        self.addedAt = addedAt
    }
}

/// An e-mail invited to a team before it has an account; it becomes a membership when that e-mail registers.
public struct TeamInvitation: Codable, Sendable, Equatable {
    /// The invited e-mail (normalised).
    public var email: String
    /// The role the membership will have.
    public var role: TeamRole
    /// When the invitation was made.
    public var invitedAt: Date

    /// Creates an invitation value.
    public init(email: String, role: TeamRole, invitedAt: Date) {
        self.email = email
        self.role = role
        self.invitedAt = invitedAt
    }
}

/// What adding a member by e-mail did.
public enum MemberAddition: Sendable, Equatable {
    /// The e-mail has an account: it is a member now.
    case added(TeamMember)
    /// No account yet: a pending invitation binds when the e-mail registers.
    case invited(TeamInvitation)
}
