import Foundation
import Hummingbird
import Logging
import MVAuth
import MVBilling
import MVCore
import NIOCore
import NIOFoundationEssentialsCompat

/// Turns every error into an `application/problem+json` response with a `request_id`: domain errors keep their
/// status and code; unexpected errors become a bare 500 (logged, never described to the caller).
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    /// The largest JSON body routes accept (`limits.max_json_body_bytes`), handed to the request decoder.
    var maxJSONBodyBytes = 1 << 20

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.maxJSONBodyBytes = maxJSONBodyBytes
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let problem = Self.problem(for: error, context: context)
            response = problem.response(requestID: context.id)
        }
        response.headers[MVHeader.requestID] = context.id
        return response
    }

    /// Maps any error to the problem the caller sees: domain errors through ``Problem``'s initialisers; unexpected
    /// errors become a bare 500 (logged, never described to the caller).
    static func problem(for error: any Error, context: Context) -> Problem {
        switch error {
        case let problem as Problem: problem
        case let error as ValidationError: Problem(error)
        case let error as AdmissionError: Problem(error)
        case let error as JobQueue.Failure: Problem(error)
        case let error as AuthError: Problem(error)
        case let error as TeamError: Problem(error)
        case let error as APIKeyError: Problem(error)
        case let error as QuotaError: Problem(error)
        case let error as BillingError: Problem(error)
        case let error as CostReportError: Problem(error)
        case let error as AssetError: Problem(error)
        case let error as WebhookError: Problem(error)
        case let error as UploadError: Problem(error)
        case let error as ProjectError: Problem(error)
        case let error as HTTPError: problem(for: error)
        default: unexpected(error, context: context)
        }
    }

    private static func unexpected(_ error: any Error, context: Context) -> Problem {
        context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
        return Problem(
            .internalServerError, code: "internal_error", title: "Internal server error",
            detail: "Something went wrong on our side; the request id identifies it in our logs.")
    }

    static func problem(for error: HTTPError) -> Problem {
        switch error.status {
        case .notFound:
            return Problem(.notFound, code: "not_found", title: "Not found", detail: "No such route or resource.")
        case .methodNotAllowed:
            return Problem(.methodNotAllowed, code: "method_not_allowed", title: "Method not allowed", detail: "This route does not accept that method.")
        case .contentTooLarge:
            return Problem(.contentTooLarge, code: "body_too_large", title: "Body too large", detail: "The request body is too large.")
        case .unauthorized:
            return .unauthorized()
        default:
            return Problem(error.status, code: "http_\(error.status.code)", title: error.status.reasonPhrase, detail: error.body ?? error.status.reasonPhrase)
        }
    }
}

extension Problem: HTTPResponseError {
    func response(from request: Request, context: some RequestContext) throws -> Response {
        response(requestID: context.id)
    }

    /// The problem as a response.
    func response(requestID: String) -> Response {
        var fields = headers
        fields[.contentType] = "application/problem+json"
        let data = (try? JSONCoding.encode(body(requestID: requestID))) ?? Data()
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
