/// The password rules applied at registration and password change.
///
/// Note: bcrypt only uses the first 72 bytes of a password; longer passwords are accepted (up to
/// ``maximumLength`` characters) but the extra bytes do not add strength.
public enum PasswordPolicy {
    /// Fewest characters accepted.
    public static let minimumLength = 8
    /// Most characters accepted (bounds the bcrypt input and request size).
    public static let maximumLength = 128

    /// Checks a candidate password: ``minimumLength``...``maximumLength`` Unicode scalars (as JSON Schema counts), no NUL
    /// character (the C bcrypt implementation would silently cut the password there).
    /// - Parameter password: The candidate password.
    /// - Throws: ``AuthError/invalidInput(field:message:)`` with field `"password"`.
    public static func validate(_ password: String) throws(AuthError) {
        let count = password.unicodeScalars.count
        guard count >= minimumLength else {
            throw .invalidInput(field: "password", message: "password must be at least \(minimumLength) characters")
        }
        guard count <= maximumLength else {
            throw .invalidInput(field: "password", message: "password must be at most \(maximumLength) characters")
        }
        guard !password.unicodeScalars.contains("\0") else {
            throw .invalidInput(field: "password", message: "password must not contain NUL characters")
        }
    }
}
