import Crypto
import Foundation
import Hummingbird
import MVAuth
import MVBackends
import MVBilling
import MVCore
import NIOFoundationEssentialsCompat
import PostgresNIO

/// `POST /api/mv/quote` and the generation endpoints: validate, price, admit in one transaction, answer 202.
struct GenerationController {
    let queue: JobQueue
    let rateLimiter: RateLimiter
    let quoter: Quoter
    let templates: PromptTemplates
    let assets: AssetStore
    let policy: RateLimitPolicy
    let maxAttempts: Int

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("quote", use: quote)
        group.post("generate_video", use: generateVideo)
        group.post("create_scenes", use: createScenes)
        group.post("generate_character_reference", use: generateCharacterReference)
        group.post("merge_videos", use: mergeVideos)
    }

    /// Body of `POST /api/mv/quote`: `kind` plus the fields of that kind's endpoint, decoded in one pass.
    enum QuoteInput: Codable {
        case video(GenerateVideoInput)
        case scenes(CreateScenesInput)
        case images(CharacterReferenceInput)
        case merge(MergeVideosInput)

        private enum CodingKeys: String, CodingKey { case kind }

        init(from decoder: any Decoder) throws {
            let kind = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .kind)
            switch kind ?? JobKind.generateVideo.rawValue {
            case JobKind.generateVideo.rawValue: self = .video(try GenerateVideoInput(from: decoder))
            case JobKind.createScenes.rawValue: self = .scenes(try CreateScenesInput(from: decoder))
            case JobKind.generateCharacterReference.rawValue: self = .images(try CharacterReferenceInput(from: decoder))
            case JobKind.mergeVideos.rawValue: self = .merge(try MergeVideosInput(from: decoder))
            default:
                throw DecodingError.dataCorrupted(.init(
                    codingPath: [CodingKeys.kind],
                    debugDescription: "must be one of generate_video, create_scenes, generate_character_reference, merge_videos"))
            }
        }

        /// The fields of the chosen kind (what the quote reads).
        func encode(to encoder: any Encoder) throws {
            switch self {
            case .video(let input): try input.encode(to: encoder)
            case .scenes(let input): try input.encode(to: encoder)
            case .images(let input): try input.encode(to: encoder)
            case .merge(let input): try input.encode(to: encoder)
            }
        }
    }

    func quote(_ request: Request, context: AppRequestContext) async throws -> Quote {
        let principal = try context.requirePrincipal()
        switch try await request.decode(as: QuoteInput.self, context: context) {
        case .video(let input): return try quoter.quote(video: try VideoJobSpec(validating: input))
        case .scenes(let input): return try quoter.quote(scenes: try ScenesJobSpec(validating: input, templates: templates))
        case .images(let input): return try quoter.quote(images: try ImageJobSpec(validating: input, templates: templates))
        case .merge(let input):
            let spec = try MergeJobSpec(validating: input)
            return try quoter.quote(merge: try await mergeInputs(spec, viewer: principal.assetViewer))
        }
    }

    func generateVideo(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.generate)
        let key = try idempotencyKey(request)
        let input = try await request.decode(as: GenerateVideoInput.self, context: context)
        let spec = try VideoJobSpec(validating: input)
        let quote = try quoter.quote(video: spec)
        let readable = try await assets.readableImageIDs(spec.referenceImageIds, viewer: principal.assetViewer)
        if let missing = spec.referenceImageIds.first(where: { !readable.contains($0) }) {
            throw Problem.notFound("reference image \(missing)")
        }
        return try await admit(
            kind: .generateVideo, spec: spec, projectID: spec.projectId, quote: quote.credits, key: key, principal: principal,
            standingCached: context.standingCached, request: request)
    }

    func createScenes(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.generate)
        let key = try idempotencyKey(request)
        let input = try await request.decode(as: CreateScenesInput.self, context: context)
        let spec = try ScenesJobSpec(validating: input, templates: templates)
        let quote = try quoter.quote(scenes: spec)
        return try await admit(
            kind: .createScenes, spec: spec, projectID: spec.projectId, quote: quote.credits, key: key, principal: principal,
            standingCached: context.standingCached, request: request)
    }

    func generateCharacterReference(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.generate)
        let key = try idempotencyKey(request)
        let input = try await request.decode(as: CharacterReferenceInput.self, context: context)
        let spec = try ImageJobSpec(validating: input, templates: templates)
        let quote = try quoter.quote(images: spec)
        return try await admit(
            kind: .generateCharacterReference, spec: spec, projectID: spec.projectId, quote: quote.credits, key: key, principal: principal,
            standingCached: context.standingCached, request: request)
    }

    /// Admits a validated, priced request as a job (idempotency, rate limit, quotas, hold, job row, in one
    /// transaction) and answers 202 with it, or 200 once it finished within `Prefer: wait`. Every generation route
    /// ends here, the project routes included.
    /// - Parameters:
    ///   - holdReason: Why a free job (quote 0) is free, written to the ledger.
    ///   - alsoWrite: A write that commits with the job or refuses it (a project's claim on its render).
    ///   - standingCached: Whether `principal`'s standing came from the standing cache (``AppRequestContext/standingCached``):
    ///     then the admission statement checks it again.
    func admit<Spec: Encodable>(
        kind: JobKind, spec: Spec, projectID: UUID?, quote: Int64, key: String?, principal: Principal, standingCached: Bool,
        request: Request,
        holdReason: String? = nil, jobID: UUID = UUID(), alsoWrite: (@Sendable (PostgresConnection) async throws -> Void)? = nil
    ) async throws -> Response {
        let specData = try Self.storedJSON(spec)
        let hash = SHA256.hash(data: specData).hexString
        let admission = AdmissionRequest(
            jobID: jobID, kind: kind, userID: principal.userID, teamID: principal.teamID, apiKeyID: principal.apiKeyID,
            projectID: projectID, specJSON: specData, specHash: hash, idempotencyKey: key, quote: quote,
            maxAttempts: maxAttempts, policy: policy, recheckStanding: standingCached, holdReason: holdReason, alsoWrite: alsoWrite)
        let outcome = try await queue.admit(admission)
        var (record, replayed) = switch outcome {
        case .created(let record, _): (record, false)
        case .replayed(let record): (record, true)
        }
        let wait = PreferWait(request.headers[MVHeader.prefer])
        if let wait, !record.state.isFinal {
            record = try await waitForFinish(record, viewer: principal.assetViewer, upTo: wait)
        }
        var response = jobResponse(record, finished: wait != nil && record.state.isFinal)
        if let wait { response.headers[MVHeader.preferenceApplied] = "wait=\(wait.seconds)" }
        if replayed { response.headers[MVHeader.idempotentReplayed] = "true" }
        if case .created(_, let decision) = outcome {
            response.headers.setRateLimitFields(decision.headers)
        }
        return response
    }

    /// The spec's stored JSON (``AdmissionRequest/specJSON``): the video spec, the hottest admission, writes its own
    /// (``VideoJobSpec/jsonBytes``, the same bytes); every other spec goes through `JSONCoding`.
    static func storedJSON<Spec: Encodable>(_ spec: Spec) throws -> Data {
        if let video = spec as? VideoJobSpec { return Data(video.jsonBytes) }
        return try JSONCoding.encode(spec)
    }

    /// Polls the job until it is final or `wait` runs out (`Prefer: wait=N`).
    private func waitForFinish(_ record: JobRecord, viewer: AssetViewer, upTo wait: PreferWait) async throws -> JobRecord {
        let deadline = ContinuousClock.now + .seconds(wait.seconds)
        var current = record
        while !current.state.isFinal, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            guard let fresh = try await queue.job(id: record.id, viewer: viewer) else { break }
            current = fresh
        }
        return current
    }

    /// 202 with the job, or 200 when `Prefer: wait` saw it finish.
    private func jobResponse(_ record: JobRecord, finished: Bool) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.location] = "/api/jobs/\(record.id.lowercased)"
        return Response(
            status: finished ? .ok : .accepted, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: JobResponse(record).jsonBytes)))
    }

    /// `Prefer: wait=N` (N clamped to 1...60 seconds).
    struct PreferWait {
        var seconds: Int

        init?(_ header: String?) {
            guard let header else { return nil }
            for preference in header.split(separator: ",") {
                let parts = preference.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "wait", let value = Int(parts[1].trimmingCharacters(in: .whitespaces)) else {
                    continue
                }
                seconds = min(max(value, 1), 60)
                return
            }
            return nil
        }
    }

    /// The request's `Idempotency-Key`, validated (400 when malformed).
    func idempotencyKey(_ request: Request) throws(AdmissionError) -> String? {
        guard let key = request.headers[MVHeader.idempotencyKey] else { return nil }
        try IdempotencyLock.validate(key)
        return key
    }
}
