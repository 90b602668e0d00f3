import MVAuth
import Testing

/// The password rules: 8 to 128 Unicode scalars (as JSON Schema counts `minLength`; not bytes, not grapheme clusters), no NUL.
struct PasswordPolicyTests {
    @Test(arguments: ["12345678", String(repeating: "x", count: 128), "pässwörd", "🔑🔑🔑🔑🔑🔑🔑🔑", "e\u{301}e\u{301}e\u{301}e\u{301}"])
    func acceptedPasswords(password: String) throws {
        try PasswordPolicy.validate(password)
    }

    @Test(arguments: [
        ("", "password must be at least 8 characters"),
        ("1234567", "password must be at least 8 characters"),
        ("🔑🔑🔑🔑🔑🔑🔑", "password must be at least 8 characters"),
        ("e\u{301}e\u{301}e\u{301}", "password must be at least 8 characters"),
        (String(repeating: "x", count: 129), "password must be at most 128 characters"),
        ("12345678\u{0}9", "password must not contain NUL characters"),
    ])
    func refusedPasswords(password: String, message: String) {
        #expect(throws: AuthError.invalidInput(field: "password", message: message)) { try PasswordPolicy.validate(password) }
    }
}
