import MVCore

/// The secret text of an API key: `mvk_` and 43 base64url characters (32 random bytes). Shown to its creator once;
/// only its keyed digest (``ServerSecret/mac(_:)``) is stored.
public struct APIKeySecret: Sendable, Equatable {
    /// What every key starts with, so a bearer token is told apart from a JWT without parsing.
    public static let scheme = "mvk_"
    /// Random bytes behind every key.
    public static let randomBytes = 32
    static let encodedLength = scheme.count + 43

    /// The whole key, as the client sends it.
    public let text: String

    /// A new key from the system's cryptographic random source.
    public static func generate() -> APIKeySecret {
        APIKeySecret(verified: Base64URL.randomToken(prefix: scheme, bytes: randomBytes))
    }

    /// `text` when it has the shape of a key (scheme, length, alphabet), else nil.
    public init?(parsing text: String) {
        guard text.hasPrefix(Self.scheme), text.utf8.count == Self.encodedLength,
            text.utf8.dropFirst(Self.scheme.utf8.count).allSatisfy(Base64URL.isAlphabet)
        else { return nil }
        self.text = text
    }

    private init(verified text: String) {
        self.text = text
    }

    /// The first 12 characters (`mvk_` and 8 more): shown in listings to tell keys apart, never enough to use one.
    public var prefix: String { String(text.prefix(Self.scheme.count + 8)) }
}
