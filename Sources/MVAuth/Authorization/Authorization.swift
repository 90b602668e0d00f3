/// The one authorization decision for team actions: the role matrix of API.md as data, not `if`s in controllers.
///
/// | action | viewer | member | admin | owner |
/// |---|---|---|---|---|
/// | read team, members, shared content, balance | ✓ | ✓ | ✓ | ✓ |
/// | generate, manage own assets and keys | | ✓ | ✓ | ✓ |
/// | update team, manage members (not owners), keys of others, quotas, webhooks, read ledger and audit | | | ✓ | ✓ |
/// | manage owners | | | | ✓ |
///
/// A caller who is not a member of the team is refused with "not found" by the routes (they never learn the team
/// exists); a member outside their role is refused with "forbidden".
public enum Authorization {
    /// The least role that may perform each action.
    public static let minimumRole: [TeamAction: TeamRole] = [
        .readTeam: .viewer,
        .readBalance: .viewer,
        .generate: .member,
        .manageOwnAssets: .member,
        .manageOwnKeys: .member,
        .manageTeamKeys: .admin,
        .updateTeam: .admin,
        .manageMembers: .admin,
        .manageQuotas: .admin,
        .manageWebhooks: .admin,
        .readLedger: .admin,
        .readAudit: .admin,
        .manageOwners: .owner,
    ]

    /// The scope an API key needs for each action; nil means no key may do it (keys cannot create keys).
    public static let requiredScope: [TeamAction: KeyScope] = [
        .readTeam: .read,
        .readBalance: .read,
        .generate: .generate,
        .manageOwnAssets: .generate,
        .manageTeamKeys: .admin,
        .updateTeam: .admin,
        .manageMembers: .admin,
        .manageQuotas: .admin,
        .manageWebhooks: .admin,
        .readLedger: .admin,
        .readAudit: .admin,
        .manageOwners: .admin,
    ]

    /// Whether `role` may perform `action`.
    public static func allows(_ role: TeamRole, _ action: TeamAction) -> Bool {
        guard let minimum = minimumRole[action] else { return false }
        return role >= minimum
    }

    /// Whether `principal` may perform `action` in its team: its current role, narrowed by its key's scopes when the
    /// request came with an API key.
    public static func allows(_ principal: Principal, _ action: TeamAction) -> Bool {
        guard allows(principal.role, action) else { return false }
        guard let scopes = principal.keyScopes else { return true }
        guard let needed = requiredScope[action] else { return false }
        return scopes.contains { $0 >= needed }
    }

    /// Whether `actor` may change a member whose role is `target` (nil: a new member) to `role` (nil: removal).
    /// Admins manage admins, members and viewers; only owners touch owners or make new ones.
    public static func canManage(actor: TeamRole, target: TeamRole?, to role: TeamRole?) -> Bool {
        guard allows(actor, .manageMembers) else { return false }
        let touchesOwner = target == .owner || role == .owner
        return !touchesOwner || allows(actor, .manageOwners)
    }
}
