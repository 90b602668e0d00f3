import Foundation
import Hummingbird
import MVAuth
import MVCore

/// Access lists and share links of any asset: `GET/PUT /api/mv/assets/{id}/acl`, `POST /api/mv/assets/{id}/share`,
/// `GET /api/mv/assets/{id}/shares`, `DELETE /api/mv/shares/{share_id}`. Reading and changing them needs `edit`
/// (the owner, team owners and admins, `edit` grantees); a `view` grantee gets 403, anyone else 404.
struct AssetSharingController {
    let assets: AssetStore
    let grants: AssetGrantStore
    let shares: ShareStore

    /// Most grants on one asset.
    static let maxGrants = 100
    /// Shortest and longest life of a share link, in seconds (one minute to 30 days).
    static let expiresIn: ClosedRange<Int> = 60...2_592_000
    /// Most downloads a link may allow.
    static let maxDownloads: ClosedRange<Int> = 1...1_000_000

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("assets/{id}/acl", use: acl)
        group.put("assets/{id}/acl", use: replaceACL)
        group.post("assets/{id}/share", use: share)
        group.get("assets/{id}/shares", use: list)
        group.delete("shares/{share_id}", use: revoke)
    }

    private var guarded: AssetGuard { AssetGuard(assets: assets) }

    /// An access list.
    struct ACL: ResponseEncodable {
        var assetId: UUID
        var grants: [AssetGrant]
    }

    struct ACLInput: Decodable {
        var grants: [AssetGrant]
    }

    struct ShareInput: Decodable {
        var expiresIn: Int
        var maxDownloads: Int?
    }

    /// A share link; `url` only while it works.
    struct ShareView: ResponseEncodable {
        var id: UUID
        var assetId: UUID
        var url: String?
        var status: String
        var expiresAt: Date
        var maxDownloads: Int?
        var downloadsLeft: Int?
        var downloads: Int
        var revokedAt: Date?
        var createdBy: UUID
        var createdAt: Date

        init(_ share: ShareStore.Share, path: String) {
            id = share.id
            assetId = share.assetID
            status =
                if share.revokedAt != nil { "revoked" } else if share.expiresAt <= Date() { "expired" } else if share.downloadsLeft == 0 {
                    "exhausted"
                } else { "active" }
            url = status == "active" ? path : nil
            expiresAt = share.expiresAt
            maxDownloads = share.maxDownloads
            downloadsLeft = share.downloadsLeft
            downloads = share.downloads
            revokedAt = share.revokedAt
            createdBy = share.createdBy
            createdAt = share.createdAt
        }
    }

    struct ShareList: ResponseEncodable {
        var items: [ShareView]
    }

    func acl(_ request: Request, context: AppRequestContext) async throws -> ACL {
        let (_, asset) = try await guarded.require(.changeGrants, context, kind: nil)
        return ACL(assetId: asset.id, grants: try await grants.grants(assetID: asset.id))
    }

    /// Replaces the access list (audited `acl.changed` in the same transaction). Grants give `view` or `edit`, never more.
    func replaceACL(_ request: Request, context: AppRequestContext) async throws -> ACL {
        let (principal, asset) = try await guarded.require(.changeGrants, context, kind: nil)
        let input = try await request.decode(as: ACLInput.self, context: context)
        guard input.grants.count <= Self.maxGrants else { throw ValidationError.invalid("grants", "at most \(Self.maxGrants) grants") }
        // The same user or team named twice keeps its best permission.
        var merged: [AssetGrant] = []
        for grant in input.grants {
            if let index = merged.firstIndex(where: { $0.principal == grant.principal && $0.id == grant.id }) {
                if grant.permission == .edit { merged[index].permission = .edit }
            } else {
                merged.append(grant)
            }
        }
        let stored = try await grants.replace(
            assetID: asset.id, with: merged, viewer: principal.assetViewer, by: context.auditActor(request))
        return ACL(assetId: asset.id, grants: stored)
    }

    /// `POST /api/mv/assets/{id}/share {expires_in, max_downloads?}` → 201 with the link (audited `share.created`).
    func share(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<ShareView> {
        let (principal, asset) = try await guarded.require(.share, context, kind: nil)
        let input = try await request.decode(as: ShareInput.self, context: context)
        var errors: [FieldError] = []
        if !Self.expiresIn.contains(input.expiresIn) {
            errors.append(FieldError(field: "expires_in", message: "must be \(Self.expiresIn.lowerBound)...\(Self.expiresIn.upperBound) seconds"))
        }
        if let max = input.maxDownloads, !Self.maxDownloads.contains(max) {
            errors.append(FieldError(field: "max_downloads", message: "must be 1...\(Self.maxDownloads.upperBound)"))
        }
        guard errors.isEmpty else { throw ValidationError(errors) }
        guard asset.sha256 != nil else { throw AssetError.notShareable }
        let share = try await shares.create(
            assetID: asset.id, expiresIn: input.expiresIn, maxDownloads: input.maxDownloads, viewer: principal.assetViewer,
            by: context.auditActor(request))
        var response = EditedResponse(status: .created, response: ShareView(share, path: shares.path(of: share)))
        response.headers[.cacheControl] = "no-store"
        return response
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> ShareList {
        let (_, asset) = try await guarded.require(.share, context, kind: nil)
        let items = try await shares.shares(assetID: asset.id)
        return ShareList(items: items.map { ShareView($0, path: shares.path(of: $0)) })
    }

    /// `DELETE /api/mv/shares/{share_id}` → 204 (audited `share.revoked`); the link answers 410 from then on.
    func revoke(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let principal = try context.requirePrincipal()
        let id = try context.uuidParameter("share_id", what: "share")
        guard let (_, permission) = try await shares.owner(ofShare: id, viewer: principal.assetViewer),
            AssetAccess.canRead(principal, permission: permission)
        else { throw AssetError.shareNotFound }
        try AssetGuard.check(.share, principal, permission)
        try await shares.revoke(shareID: id, viewer: principal.assetViewer, by: context.auditActor(request))
        return .noContent
    }
}
