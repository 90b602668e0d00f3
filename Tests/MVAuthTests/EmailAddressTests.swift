import MVAuth
import Testing

/// E-mail normalisation: surrounding space trimmed, case kept, and each malformed shape refused with its own message.
struct EmailAddressTests {
    @Test(arguments: [
        ("ada@example.com", "ada@example.com"),
        ("  Ada@Example.COM\n", "Ada@Example.COM"),
        ("a+tag@sub.example.co", "a+tag@sub.example.co"),
    ])
    func validAddressesAreTrimmed(input: String, expected: String) throws {
        #expect(try EmailAddress.normalize(input) == expected)
    }

    @Test(arguments: [
        ("", "email is required"),
        ("   ", "email is required"),
        ("ada example@example.com", "email must not contain spaces or control characters"),
        ("ada\u{7}@example.com", "email must not contain spaces or control characters"),
        ("ada.example.com", "email must contain exactly one @"),
        ("ada@@example.com", "email must contain exactly one @"),
        ("@example.com", "email is missing the part before @"),
        ("ada@localhost", "email has an invalid domain"),
        ("ada@.example.com", "email has an invalid domain"),
        ("ada@example.com.", "email has an invalid domain"),
        ("ada@example..com", "email has an invalid domain"),
        (String(repeating: "a", count: 310) + "@example.com", "email is too long"),
    ])
    func invalidAddressesAreRefused(input: String, message: String) {
        #expect(throws: AuthError.invalidInput(field: "email", message: message)) { try EmailAddress.normalize(input) }
    }

    @Test func longestAcceptedAddress() throws {
        let address = String(repeating: "a", count: 320 - "@example.com".count) + "@example.com"
        #expect(try EmailAddress.normalize(address).count == EmailAddress.maximumLength)
    }
}
