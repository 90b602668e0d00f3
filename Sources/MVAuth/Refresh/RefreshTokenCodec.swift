import Crypto
import Foundation

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
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + base64URL(bytes)
    }

    /// The SHA-256 digest stored in `refresh_tokens.token_hash`, or `nil` when the string cannot be one of ours
    /// (saves a database round trip for junk).
    static func digest(of token: String) -> Data? {
        guard token.hasPrefix(prefix) else { return nil }
        let body = token.utf8.dropFirst(prefix.utf8.count)
        guard body.count == encodedCount, body.allSatisfy(isBase64URL) else { return nil }
        return Data(SHA256.hash(data: Data(token.utf8)))
    }

    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}
