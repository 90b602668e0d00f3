import Crypto
import Foundation
import MVCore

/// Creation and hashing of opaque refresh-token strings.
enum RefreshTokenCodec {
    /// Every refresh token starts with this, so scanners and humans can tell what leaked.
    static let prefix = "mvr_"
    /// Random bytes per token.
    static let byteCount = 32
    /// Length of the base64url (unpadded) encoding of ``byteCount`` bytes.
    static let encodedCount = 43

    /// A fresh token: prefix + 32 random bytes from the system CSPRNG, base64url without padding.
    static func generate() -> String {
        Base64URL.randomToken(prefix: prefix, bytes: byteCount)
    }

    /// The SHA-256 digest stored in `refresh_tokens.token_hash`, or `nil` when the string cannot be one of ours
    /// (saves a database round trip for junk).
    static func digest(of token: String) -> Data? {
        guard token.hasPrefix(prefix) else { return nil }
        let body = token.utf8.dropFirst(prefix.utf8.count)
        guard body.count == encodedCount, body.allSatisfy(Base64URL.isAlphabet) else { return nil }
        return Data(SHA256.hash(data: Data(token.utf8)))
    }
}
