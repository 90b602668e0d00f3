/// What a route does with an asset; ``AssetAccess`` says which permission each needs.
public enum AssetAction: String, Sendable, CaseIterable {
    /// Read metadata or content; list it.
    case read
    /// Rename or tag (`PATCH`).
    case edit
    /// Create, list or revoke share links.
    case share
    /// Read or replace the access list.
    case changeGrants
    /// Soft delete, or restore within the window.
    case delete
}
