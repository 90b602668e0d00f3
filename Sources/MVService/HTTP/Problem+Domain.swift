import Foundation
import HTTPTypes
import MVAuth
import MVBilling
import MVCore

/// The one mapping from domain errors (which know nothing of HTTP) to the problem documents clients see.
extension Problem {
    /// 422 `validation_failed` listing the bad fields.
    init(_ error: ValidationError) {
        self = .validation(error.errors)
    }

    /// 403: the caller's role in the team does not allow the action.
    static func roleForbids(_ role: TeamRole) -> Problem {
        .forbidden("Your role in this team (\(role.rawValue)) does not allow this.")
    }

    /// Admission refusals: 409 key in flight, 422 key reused, 400 bad key, 429 with the rate-limit fields.
    init(_ error: AdmissionError) {
        switch error {
        case .standingChanged:
            self = .conflict(
                code: "standing_changed", "Your account or role changed while this request was admitted; send it again.")
        case .idempotencyInFlight:
            self = .conflict(code: "idempotency_in_flight", "A request with this Idempotency-Key is still being processed; retry shortly.")
        case .idempotencyKeyReused:
            self.init(
                .unprocessableContent, code: "idempotency_key_reused", title: "Idempotency key reused",
                detail: "This Idempotency-Key was used with a different request body.")
        case .invalidIdempotencyKey:
            self = .badRequest(code: "invalid_idempotency_key", "Idempotency-Key must be 1...255 printable ASCII characters.")
        case .rateLimited(let decision):
            self = .rateLimited(decision)
        }
    }

    /// Job queue refusals a caller can cause: 409 for a finished job, 404 for one that is gone.
    init(_ error: JobQueue.Failure) {
        switch error {
        case .finished(let state):
            self = .conflict(code: "job_finished", "The job already finished as \(state.rawValue).")
        case .staleLease, .missing:
            self = .notFound("job")
        }
    }

    /// A failed job's stored failure, as the problem document shown in the job's `error`.
    init(_ failure: JobFailure) {
        let status: HTTPResponse.Status = switch failure.code {
        case .contentBlocked, .invalidInput: .unprocessableContent
        case .providerUnavailable, .invalidOutput, .providerAuth, .mockFailure: .badGateway
        case .canceled: .conflict
        case .workerLost, .unsupportedJob, .internalError: .internalServerError
        }
        self.init(status, code: failure.code.rawValue, title: "Generation failed", detail: failure.message)
        extensions["retryable"] = .bool(failure.code.isRetryable)
        if let failovers = failure.failovers { extensions["failovers"] = .array(failovers.map(JSONValue.string)) }
    }

    /// Authentication and identity failures.
    init(_ error: AuthError) {
        switch error {
        case .emailTaken:
            self = .conflict(code: "email_taken", "An account with that email already exists.")
        case .invalidCredentials:
            self = .unauthorized("Email or password is wrong.")
            code = "invalid_credentials"
        case .invalidToken:
            self = .unauthorized("The token is invalid or expired.")
        case .refreshTokenReused:
            self = .unauthorized("This refresh token was already used; every token of its session is now revoked.")
            code = "refresh_token_reused"
        case .userDisabled:
            self = .unauthorized("This account is disabled.")
            code = "account_disabled"
        case .notFound:
            self = .notFound()
        case .invalidInput(let field, let message):
            self = .invalid(field, message)
        }
    }

    /// Team management refusals: 404, 409 (last owner, already a member, personal team), 422.
    init(_ error: TeamError) {
        switch error {
        case .notFound:
            self = .notFound()
        case .lastOwner:
            self = .conflict(code: "last_owner", "A team must keep at least one owner; make someone else owner first.")
        case .alreadyMember:
            self = .conflict(code: "already_member", "That user is already a member of this team (or already invited).")
        case .personalTeam:
            self = .conflict(code: "personal_team", "A personal team has exactly one member; create a team to work with others.")
        case .invalidInput(let field, let message):
            self = .invalid(field, message)
        }
    }

    /// API-key management refusals: 404, 422.
    init(_ error: APIKeyError) {
        switch error {
        case .notFound:
            self = .notFound("API key")
        case .invalidInput(let field, let message):
            self = .invalid(field, message)
        }
    }

    /// Quota refusals: 429 `quota_exceeded` (with the quota, its subject, limit, use and reset, and `Retry-After` until
    /// the reset), 404, 409 duplicate, 422.
    init(_ error: QuotaError) {
        switch error {
        case .exceeded(let refusal):
            let retryAfter = max(1, Int(refusal.resetsAt.timeIntervalSinceNow.rounded(.up)))
            self.init(
                .tooManyRequests, code: "quota_exceeded", title: "Quota exceeded",
                detail: "A \(refusal.subject.type.rawValue) quota allows \(refusal.limit) credits per period and \(refusal.used) are used; it resets at \(RFC3339.string(from: refusal.resetsAt)).")
            extensions = [
                "quota_id": .string(refusal.quotaID.lowercased),
                "subject": .object(["type": .string(refusal.subject.type.rawValue), "id": .string(refusal.subject.id.lowercased)]),
                "limit": .number(Double(refusal.limit)), "used": .number(Double(refusal.used)),
                "resets_at": .string(RFC3339.string(from: refusal.resetsAt)), "retry_after": .number(Double(retryAfter)),
            ]
            headers[.retryAfter] = String(retryAfter)
        case .notFound:
            self = .notFound("quota")
        case .unknownSubject:
            self = .notFound("team, member or API key")
            errors = [FieldError(field: "subject.id", message: "is not this team, one of its members or one of its API keys")]
        case .duplicate:
            self = .conflict(code: "quota_exists", "This team already has a quota for that subject and period; change it instead.")
        case .invalidInput(let field, let message):
            self = .invalid(field, message)
        }
    }

    /// Ledger refusals: 402 with `required` and `available`.
    init(_ error: BillingError) {
        switch error {
        case .insufficientCredits(let required, let available):
            self.init(
                HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"), code: "insufficient_credits",
                title: "Insufficient credits", detail: "This needs \(required) credits; your team has \(available) available.")
            extensions = ["required": .number(Double(required)), "available": .number(Double(available))]
        case .invalidAmount(let reason):
            self = .invalid("amount", reason)
        case .holdAlreadyExists:
            self = .conflict(code: "hold_exists", "This job already has a hold.")
        case .noOpenHold, .partAlreadyCaptured, .holdExceeded:
            // Raised only inside workers (a job's pieces being paid); never caused by a request.
            self.init(
                .internalServerError, code: "internal_error", title: "Internal server error",
                detail: "Something went wrong on our side; the request id identifies it in our logs.")
        case .lotsOutOfBalance:
            self.init(
                .internalServerError, code: "internal_error", title: "Internal server error",
                detail: "The credit books of this team need attention; nothing was changed. The request id identifies it in our logs.")
        }
    }

    /// Cost report parameters: 422 naming the parameter.
    init(_ error: CostReportError) {
        switch error {
        case .invalidParameter(let field, let message):
            self = .invalid(field, message)
        }
    }

    /// Asset and share refusals: 404 hides existence, 403 for a permission too low, 409/410 for restore and links.
    init(_ error: AssetError) {
        switch error {
        case .notFound(let kind):
            self = .notFound(kind?.noun ?? "asset")
        case .forbidden(let action):
            self = .forbidden("Your access to this asset does not allow \(action).")
        case .notDeleted:
            self = .conflict(code: "not_deleted", "This asset is not deleted.")
        case .restoreWindowPassed(let hours):
            self.init(.gone, code: "restore_window_passed", title: "Gone", detail: "Deleted assets can be restored for \(hours) hours only.")
        case .unknownGrantee(let field):
            self = .notFound("user or team")
            errors = [FieldError(field: field, message: "names no user or team")]
        case .notShareable:
            self = .conflict(code: "not_shareable", "This asset has no content to share.")
        case .shareNotFound:
            self = .notFound("share")
        case .shareGone:
            self.init(.gone, code: "share_gone", title: "Gone", detail: "This link expired or was revoked.")
        case .blobVanished:
            self.init(
                .serviceUnavailable, code: "storage_busy", title: "Service unavailable",
                detail: "Stored content was being cleaned up while the same bytes arrived; send them again.")
        }
    }

    /// Upload refusals: 413 past the size cap (the code of every body limit), 415 for bytes of no accepted type, 422 for a
    /// recognised but broken file or a missing `file` part, 400 for a malformed multipart body.
    init(_ error: UploadError) {
        switch error {
        case .tooLarge(let limit):
            self.init(.contentTooLarge, code: "body_too_large", title: "Body too large", detail: "Uploads are limited to \(limit) bytes.")
            extensions = ["limit": .number(Double(limit))]
        case .empty:
            self.init(.unprocessableContent, code: "invalid_media", title: "Invalid media", detail: "The upload is empty.")
        case .unsupportedType(let detail):
            self.init(.unsupportedMediaType, code: "unsupported_media_type", title: "Unsupported media type", detail: detail)
        case .invalidMedia(let detail):
            self.init(.unprocessableContent, code: "invalid_media", title: "Invalid media", detail: detail)
        case .malformedMultipart(let detail):
            self = .badRequest(code: "malformed_multipart", detail)
        case .missingFilePart:
            self = .invalid("file", "is required: send the file as the multipart/form-data part named file")
        }
    }

    /// Project refusals: 409 busy / rendered / not rendered, 404 for an unknown scene.
    init(_ error: ProjectError) {
        switch error {
        case .busy:
            self = .conflict(code: "project_busy", "A render or re-roll of this project is queued or running; wait for it to finish.")
        case .alreadyRendered:
            self = .conflict(code: "project_rendered", "This project is rendered; re-roll a scene to change it.")
        case .notRendered:
            self = .conflict(code: "project_not_rendered", "This project has no clips yet; render it first.")
        case .sceneNotFound:
            self = .notFound("scene")
        }
    }

    /// 429 naming the policy, with `Retry-After` and the rate-limit fields.
    static func rateLimited(_ decision: RateLimitDecision) -> Problem {
        var problem = Problem(
            .tooManyRequests, code: "rate_limited", title: "Too many requests",
            detail: "Rate limit '\(decision.policy.name)' exceeded; retry in \(decision.retryAfterSeconds) s.")
        problem.extensions = [
            "policy": .string(decision.policy.name), "retry_after": .number(Double(decision.retryAfterSeconds)),
        ]
        problem.headers = decision.httpFields
        return problem
    }
}
