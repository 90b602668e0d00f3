import Crypto
import Foundation
import Hummingbird
import MVBackends
import MVAuth
import MVBilling

/// `POST /api/mv/quote` and the generation endpoints: validate, price, admit in one transaction, answer 202.
struct GenerationController {
    let queue: JobQueue
    let rateLimiter: RateLimiter
    let quoter: Quoter
    let templates: PromptTemplates
    let assets: AssetStore
    let policy: RateLimitPolicy
    let maxAttempts: Int
    let bodyLimit: Int

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("quote", use: quote)
        group.post("generate_video", use: generateVideo)
        group.post("create_scenes", use: createScenes)
        group.post("generate_character_reference", use: generateCharacterReference)
    }

    /// Body of `POST /api/mv/quote`: `kind` plus the fields of that kind's endpoint.
    struct QuoteKind: Decodable {
        var kind: String?
    }

    func quote(_ request: Request, context: AppRequestContext) async throws -> Quote {
        _ = try context.requirePrincipal()
        let body = try await request.collectJSONData(limit: bodyLimit)
        let kind = try JSONCoding.decoder.decodeBody(QuoteKind.self, from: body).kind ?? "generate_video"
        switch kind {
        case JobKind.generateVideo.rawValue:
            let spec = try VideoJobSpec(validating: try JSONCoding.decoder.decodeBody(GenerateVideoInput.self, from: body))
            return try quoter.quote(video: spec)
        case JobKind.createScenes.rawValue:
            let input = try JSONCoding.decoder.decodeBody(CreateScenesInput.self, from: body)
            return try quoter.quote(scenes: try ScenesJobSpec(validating: input, templates: templates))
        case JobKind.generateCharacterReference.rawValue:
            let input = try JSONCoding.decoder.decodeBody(CharacterReferenceInput.self, from: body)
            return try quoter.quote(images: try ImageJobSpec(validating: input, templates: templates))
        default:
            throw Problem.invalid("kind", "must be one of generate_video, create_scenes, generate_character_reference")
        }
    }

    func generateVideo(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let key = try idempotencyKey(request)
        let input = try await request.decodeJSON(as: GenerateVideoInput.self, limit: bodyLimit)
        let spec = try VideoJobSpec(validating: input)
        let quote = try quoter.quote(video: spec)
        let readable = try await assets.readableImageIDs(spec.referenceImageIds, userID: principal.userID)
        if let missing = spec.referenceImageIds.first(where: { !readable.contains($0) }) {
            throw Problem.notFound("reference image \(missing)")
        }
        return try await admit(kind: .generateVideo, spec: spec, projectID: spec.projectId, quote: quote.credits, key: key, principal: principal, request: request)
    }

    func createScenes(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let key = try idempotencyKey(request)
        let input = try await request.decodeJSON(as: CreateScenesInput.self, limit: bodyLimit)
        let spec = try ScenesJobSpec(validating: input, templates: templates)
        let quote = try quoter.quote(scenes: spec)
        return try await admit(kind: .createScenes, spec: spec, projectID: spec.projectId, quote: quote.credits, key: key, principal: principal, request: request)
    }

    func generateCharacterReference(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let key = try idempotencyKey(request)
        let input = try await request.decodeJSON(as: CharacterReferenceInput.self, limit: bodyLimit)
        let spec = try ImageJobSpec(validating: input, templates: templates)
        let quote = try quoter.quote(images: spec)
        return try await admit(
            kind: .generateCharacterReference, spec: spec, projectID: spec.projectId, quote: quote.credits, key: key, principal: principal,
            request: request)
    }

    private func admit<Spec: Encodable>(
        kind: JobKind, spec: Spec, projectID: UUID?, quote: Int64, key: String?, principal: Principal, request: Request
    ) async throws -> Response {
        let specData = try JSONCoding.encoder.encode(spec)
        let hash = SHA256.hash(data: specData).map { String(format: "%02x", $0) }.joined()
        let admission = AdmissionRequest(
            kind: kind, userID: principal.userID, teamID: principal.teamID, projectID: projectID,
            specJSON: String(decoding: specData, as: UTF8.self), specHash: hash, idempotencyKey: key, quote: quote,
            maxAttempts: maxAttempts, policy: policy)
        switch try await queue.admit(admission, rateLimiter: rateLimiter) {
        case .created(let record, let decision):
            var response = try jobResponse(record, request: request)
            for field in decision.headerFields {
                response.headers.set(field.name, field.value)
            }
            return response
        case .replayed(let record):
            var response = try jobResponse(record, request: request)
            response.headers[MVHeader.idempotentReplayed] = "true"
            return response
        }
    }

    private func jobResponse(_ record: JobRecord, request: Request) throws -> Response {
        let data = try JSONCoding.encoder.encode(JobResponse(record))
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.location] = "/api/jobs/\(record.id)"
        return Response(status: .accepted, headers: headers, body: .init(byteBuffer: .init(data: data)))
    }

    private func idempotencyKey(_ request: Request) throws(Problem) -> String? {
        guard let key = request.headers[MVHeader.idempotencyKey] else { return nil }
        try IdempotencyStore.validate(key)
        return key
    }
}
