import Foundation
import Hummingbird
import Logging
import MVAuth
import MVBilling
import NIOCore
import NIOFoundationEssentialsCompat

/// Turns every error into an `application/problem+json` response with a `request_id`: domain errors keep their
/// status and code; unexpected errors become a bare 500 (logged, never described to the caller).
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
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

    /// Maps any error to the problem the caller sees.
    static func problem(for error: any Error, context: Context) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as HTTPError:
            return problem(for: error)
        case let error as AuthError:
            return problem(for: error)
        case let error as BillingError:
            return problem(for: error)
        default:
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return Problem(
                .internalServerError, code: "internal_error", title: "Internal server error",
                detail: "Something went wrong on our side; the request id identifies it in our logs.")
        }
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

    static func problem(for error: AuthError) -> Problem {
        switch error {
        case .emailTaken:
            return .conflict(code: "email_taken", "An account with that email already exists.")
        case .invalidCredentials:
            var problem = Problem.unauthorized("Email or password is wrong.")
            problem.code = "invalid_credentials"
            return problem
        case .invalidToken:
            return .unauthorized("The token is invalid or expired.")
        case .refreshTokenReused:
            var problem = Problem.unauthorized("This refresh token was already used; every token of its session is now revoked.")
            problem.code = "refresh_token_reused"
            return problem
        case .userDisabled:
            var problem = Problem.unauthorized("This account is disabled.")
            problem.code = "account_disabled"
            return problem
        case .notFound:
            return .notFound()
        case .invalidInput(let field, let message):
            return .invalid(field, message)
        }
    }

    static func problem(for error: BillingError) -> Problem {
        switch error {
        case .insufficientCredits(let required, let available):
            var problem = Problem(
                HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"), code: "insufficient_credits",
                title: "Insufficient credits", detail: "This needs \(required) credits; your team has \(available) available.")
            problem.extensions = ["required": .int(required), "available": .int(available)]
            return problem
        case .invalidAmount(let reason):
            return .invalid("amount", reason)
        case .holdAlreadyExists:
            return .conflict(code: "hold_exists", "This job already has a hold.")
        }
    }
}

extension Problem: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response(requestID: context.id)
    }

    /// The problem as a response.
    func response(requestID: String) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/problem+json"
        for (name, value) in headers {
            fields.set(name, value)
        }
        let data = (try? JSONCoding.encoder.encode(body(requestID: requestID))) ?? Data()
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}
