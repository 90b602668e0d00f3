import MVCore
import PostgresNIO

/// Permissions and grant vocabulary travel as `text` (`asset_permission(...)`, `asset_grants.permission`).
extension AssetPermission: PostgresStringEnum {}
extension GrantPermission: PostgresStringEnum {}
extension GrantPrincipalType: PostgresStringEnum {}
