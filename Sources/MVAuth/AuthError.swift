/// Failures of the identity and token layer. Cases are deliberately coarse so that callers cannot
/// leak *why* a credential was refused.
public enum AuthError: Error, Sendable, Equatable {
    /// Registration with an e-mail that already exists (case-insensitive).
    case emailTaken
    /// Login failed; the same for an unknown user and a wrong password.
    case invalidCredentials
    /// Any access- or refresh-token problem (bad signature, expired, unknown, revoked...); never says which.
    case invalidToken
    /// A refresh token was presented after it had been used; its whole family is now revoked.
    case refreshTokenReused
    /// The account is disabled.
    case userDisabled
    /// The addressed user or team does not exist.
    case notFound
    /// A request field failed validation.
    case invalidInput(field: String, message: String)
}
