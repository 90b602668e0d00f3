import Foundation
import Hummingbird
import MVAuth
import MVBackends
import MVCore

extension GenerationController {
    /// `POST /api/mv/merge_videos`: validate, read the inputs as the caller (every video and the song readable, else
    /// 404 naming none of them), price the longest possible result, and admit like every generation route
    /// (idempotency, rate limit, quotas, hold in one transaction) → 202 with the job.
    func mergeVideos(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.generate)
        let key = try idempotencyKey(request)
        let input = try await request.decode(as: MergeVideosInput.self, context: context)
        let spec = try MergeJobSpec(validating: input)
        let inputs = try await mergeInputs(spec, viewer: principal.assetViewer)
        let quote = try quoter.quote(merge: inputs)
        return try await admit(
            kind: .mergeVideos, spec: spec, projectID: spec.projectId, quote: quote.credits, key: key, principal: principal, standingCached: context.standingCached, request: request)
    }

    /// The merge's inputs as `viewer` may read them; refusals as problems (404 without ids, 422 for fields).
    func mergeInputs(_ spec: MergeJobSpec, viewer: AssetViewer) async throws -> MergeAdmission {
        do {
            return try await MergeAdmission.load(spec, viewer: viewer, assets: assets)
        } catch let refusal as MergeAdmission.Refusal {
            switch refusal {
            case .videoNotFound:
                throw Problem(.notFound, code: "not_found", title: "Not found", detail: "Not every video to merge is visible to you.")
            case .audioNotFound:
                throw Problem(.notFound, code: "not_found", title: "Not found", detail: "No audio upload with that id is visible to you.")
            case .invalid(let error):
                throw error
            }
        }
    }
}
