import Foundation
import Hummingbird
import MVAuth

/// How an asset id route decides, through ``AssetAccess``: the store returns the asset only when `asset_permission`
/// (SQL) lets the caller read it, else the route answers 404 (401 anonymous, before any lookup); a visible asset
/// whose permission does not allow the action is 403.
struct AssetGuard: Sendable {
    let assets: AssetStore

    /// The caller and the live asset named by path parameter `parameter`, if readable; else 404.
    func visible(_ context: AppRequestContext, kind: AssetKind?, parameter: String = "id") async throws -> (Principal, AssetStore.Asset) {
        let principal = try context.requirePrincipal()
        let noun = kind?.noun ?? "asset"
        let id = try context.uuidParameter(parameter, what: noun)
        guard let asset = try await assets.asset(id: id, kind: kind, viewer: principal.assetViewer),
            AssetAccess.canRead(principal, permission: asset.permission)
        else { throw Problem.notFound(noun) }
        return (principal, asset)
    }

    /// Like ``visible(_:kind:parameter:)``, then 403 unless the caller may perform `action`.
    func require(_ action: AssetAction, _ context: AppRequestContext, kind: AssetKind?) async throws -> (Principal, AssetStore.Asset) {
        let (principal, asset) = try await visible(context, kind: kind)
        try Self.check(action, principal, asset.permission)
        return (principal, asset)
    }

    /// 403 unless `principal` with `permission` may perform `action`.
    static func check(_ action: AssetAction, _ principal: Principal, _ permission: AssetPermission) throws(Problem) {
        guard AssetAccess.allows(principal, action, permission: permission) else {
            throw Problem(AssetError.forbidden(action: Self.describe(action)))
        }
    }

    private static func describe(_ action: AssetAction) -> String {
        switch action {
        case .read: "reading it"
        case .edit: "renaming or tagging it"
        case .share: "sharing it"
        case .changeGrants: "changing who may use it"
        case .delete: "deleting or restoring it"
        }
    }
}
