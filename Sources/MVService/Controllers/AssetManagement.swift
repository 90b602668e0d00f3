import Foundation
import Hummingbird
import MVAuth
import MVCore

/// Renaming and tagging, soft delete and restore, the same for every asset kind at `<collection>/{id}`:
/// `PATCH` `{title?, tags?}`, `DELETE` (gone for everyone at once), `POST .../restore` within the restore window.
/// Every decision goes through ``AssetGuard`` (``AssetAccess``; in SQL `asset_permission`): no read access → 404
/// whether or not the asset exists, a `view` grantee → 403.
struct AssetManagement: Sendable {
    let assets: AssetStore
    /// The kind served at the collection.
    let kind: AssetKind
    /// How long a deleted asset can be restored (`media.restore_window_hours`).
    let restoreWindow: Duration

    /// Adds the three routes under `collection` (`videos`, `images`, ...).
    func addRoutes(to group: RouterGroup<AppRequestContext>, collection: String) {
        group.patch("\(collection)/{id}", use: update)
        group.delete("\(collection)/{id}", use: delete)
        group.post("\(collection)/{id}/restore", use: restore)
    }

    private var guarded: AssetGuard { AssetGuard(assets: assets) }

    /// `PATCH <collection>/{id}` `{title?, tags?}`: the owner, team owners and admins, and `edit` grantees.
    func update(_ request: Request, context: AppRequestContext) async throws -> AssetResponse {
        let (principal, asset) = try await guarded.require(.edit, context, kind: kind)
        let input = try await request.decode(as: AssetUpdateInput.self, context: context).validated()
        let updated = try await assets.update(id: asset.id, kind: kind, title: input.title, tags: input.tags, viewer: principal.assetViewer)
        return AssetResponse(updated)
    }

    /// `DELETE <collection>/{id}`: soft delete, gone for everyone at once (audited `asset.deleted`).
    func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let (principal, asset) = try await guarded.require(.delete, context, kind: kind)
        try await assets.softDelete(id: asset.id, kind: kind, by: context.auditActor(request), viewer: principal.assetViewer)
        return .noContent
    }

    /// `POST <collection>/{id}/restore`: undoes a delete within the restore window (audited `asset.restored`).
    func restore(_ request: Request, context: AppRequestContext) async throws -> AssetResponse {
        let principal = try context.requirePrincipal()
        let id = try context.uuidParameter("id", what: kind.noun)
        guard let asset = try await assets.anyAsset(id: id, kind: kind, viewer: principal.assetViewer),
            AssetAccess.canRead(principal, permission: asset.permission)
        else { throw Problem.notFound(kind.noun) }
        try AssetGuard.check(.delete, principal, asset.permission)
        guard let deletedAt = asset.deletedAt else { throw AssetError.notDeleted }
        if Date().timeIntervalSince(deletedAt) >= Double(restoreWindow.components.seconds) {
            throw AssetError.restoreWindowPassed(hours: Int(restoreWindow.components.seconds / 3600))
        }
        let restored = try await assets.restore(
            id: id, kind: kind, window: restoreWindow, by: context.auditActor(request), viewer: principal.assetViewer)
        return AssetResponse(restored)
    }
}
