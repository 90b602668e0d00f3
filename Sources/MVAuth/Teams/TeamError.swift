/// Refusals of team management that are not authorization decisions.
public enum TeamError: Error, Sendable, Equatable {
    /// No such team or member (or not visible to the caller).
    case notFound
    /// The change would leave the team without an owner.
    case lastOwner
    /// The user is already a member (or the e-mail already invited).
    case alreadyMember
    /// A personal team has exactly one member, its owner.
    case personalTeam
    /// A request field failed validation.
    case invalidInput(field: String, message: String)
}
