/// Everything a caller can do inside a team, as the role matrix names it.
public enum TeamAction: String, Sendable, CaseIterable, Codable {
    /// Read the team, its members and what is shared with it.
    case readTeam = "team.read"
    /// Read the team's balance and prices.
    case readBalance = "billing.read_balance"
    /// Submit generation jobs (spends the team's credits).
    case generate = "generation.submit"
    /// Read, rename, tag, share and delete one's own assets.
    case manageOwnAssets = "assets.manage_own"
    /// Create API keys and revoke one's own.
    case manageOwnKeys = "keys.manage_own"
    /// List and revoke every key of the team.
    case manageTeamKeys = "keys.manage_team"
    /// Rename the team, set its time zone.
    case updateTeam = "team.update"
    /// Add, re-role and remove members (owners only by owners, see ``Authorization/canManage(actor:target:to:)``).
    case manageMembers = "team.manage_members"
    /// Manage the team's member and key quotas.
    case manageQuotas = "quotas.manage"
    /// Manage webhooks.
    case manageWebhooks = "webhooks.manage"
    /// Read the ledger, lots and cost reports.
    case readLedger = "billing.read_ledger"
    /// Read the team's audit log.
    case readAudit = "audit.read"
    /// Add or remove owners, and delete the team.
    case manageOwners = "team.manage_owners"
}
