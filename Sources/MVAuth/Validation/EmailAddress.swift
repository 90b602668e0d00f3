import Foundation
import MVCore

/// E-mail address normalisation for registration and login.
public enum EmailAddress {
    /// The longest address accepted (characters, as PostgreSQL's `length()` counts them).
    public static let maximumLength = 320

    /// Trims surrounding whitespace and checks the basic shape: exactly one `@`, a non-empty local part,
    /// a domain containing a dot (not at either end), no whitespace or control characters, at most
    /// ``maximumLength`` characters. Case is kept as typed; uniqueness is enforced on `lower(email)`.
    /// - Parameter s: The address as received.
    /// - Returns: The trimmed address.
    /// - Throws: ``AuthError/invalidInput(field:message:)`` with field `"email"`.
    public static func normalize(_ s: String) throws(AuthError) -> String {
        let trimmed = s.trimmingWhitespaceAndNewlines()
        let scalars = trimmed.unicodeScalars
        guard !scalars.isEmpty else { throw invalid("is required") }
        guard s.unicodeScalars.count <= maximumLength else { throw invalid("is too long") }
        let forbidden = CharacterSet.whitespacesAndNewlines.union(.controlCharacters)
        guard !scalars.contains(where: { forbidden.contains($0) }) else {
            throw invalid("must not contain spaces or control characters")
        }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw invalid("must contain exactly one @") }
        let local = parts[0]
        let domain = parts[1]
        guard !local.isEmpty else { throw invalid("is missing the part before @") }
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else {
            throw invalid("has an invalid domain")
        }
        return trimmed
    }

    private static func invalid(_ message: String) -> AuthError {
        .invalidInput(field: "email", message: "email \(message)")
    }
}
