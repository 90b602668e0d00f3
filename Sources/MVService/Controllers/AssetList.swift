import Foundation
import Hummingbird
import MVAuth
import MVCore

/// `GET /api/mv/videos|images|scene_sets|uploads?owner=&q=&project_id=&tags=&created_after=&created_before=&limit=&cursor=`:
/// the visible assets of one kind, newest first, keyset-paginated (`cursor` = created_at + id of the last item, so
/// inserts during paging neither shift nor repeat items). Visibility is decided in the query (``AssetStore/list(kind:userID:filter:)``).
struct AssetList: Sendable {
    let assets: AssetStore

    /// Unicode scalars of `q` that are searched.
    static let maxQueryScalars = 500
    /// Tags in a `tags=` filter at most.
    static let maxFilterTags = 20

    func page(_ kind: AssetKind, _ request: Request, context: AppRequestContext) async throws -> AssetPage {
        let (items, next) = try await assets(kind, request, context: context)
        return AssetPage(items: items.map(AssetResponse.init), nextCursor: next)
    }

    /// The page's assets and the cursor of the next page, for routes that show them in their own shape.
    func assets(_ kind: AssetKind, _ request: Request, context: AppRequestContext) async throws -> (items: [AssetStore.Asset], next: String?) {
        let principal = try context.requirePrincipal()
        var query = QueryReader(request)
        var filter = AssetStore.ListFilter()
        filter.owner = query.oneOf("owner", AssetStore.OwnerScope.self)
        filter.teamID = principal.teamID
        // Only the first 500 characters are searched (a longer query is cut); a blank `q` filters nothing.
        if let raw = query.raw("q") {
            let trimmed = raw.replacingOccurrences(of: "\u{0}", with: "").trimmingWhitespaceAndNewlines()
            filter.text = trimmed.isEmpty ? nil : String(String.UnicodeScalarView(trimmed.unicodeScalars.prefix(Self.maxQueryScalars)))
        }
        filter.projectID = query.uuid("project_id")
        filter.tags = query.value("tags", "must be 1...\(Self.maxFilterTags) comma-separated tags of 1...50 characters") { raw in
            let tags = raw.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard (1...Self.maxFilterTags).contains(tags.count), !raw.contains("\u{0}"),
                tags.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.count <= AssetUpdateInput.maxTagLength })
            else { return nil }
            return tags
        }
        filter.createdAfter = query.time("created_after")
        filter.createdBefore = query.time("created_before")
        filter.limit = query.limit()
        filter.after = query.value("cursor", "is not a cursor from this list") { JobCursor.decode($0) }
        try query.finish()
        let items = try await assets.list(kind: kind, viewer: principal.assetViewer, filter: filter)
        let next = items.count == filter.limit ? items.last.map { JobCursor.encode(createdAt: $0.createdAt, id: $0.id) } : nil
        return (items, next)
    }
}
