import Foundation
import Hummingbird
import MVCore

/// `GET`/`HEAD /s/{token}`: the content of one shared asset, without authentication, while the link is valid
/// (``ShareStore/redeem(_:counts:origin:)``: expired or revoked → 410; unknown, tampered or exhausted → 404; never
/// content). Served by ``MediaResponder`` (Range, ETag, HEAD); a `GET` takes one download, `HEAD` none.
struct ShareLinkController {
    let shares: ShareStore
    let media: any MediaStore

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("s/{token}", use: content)
        router.head("s/{token}", use: content)
    }

    func content(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        let asset = try await shares.redeem(token, counts: request.method == .get, origin: context.auditActor(request).origin)
        var response = try await MediaResponder.respond(to: request, context: context, asset: asset, media: media)
        response.headers[.cacheControl] = "private, no-store"
        response.headers[MVHeader.referrerPolicy] = "no-referrer"
        return response
    }
}
