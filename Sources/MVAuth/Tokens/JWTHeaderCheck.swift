import Foundation
import MVCore

/// A pre-check of a compact JWS header, before any signature work: only our algorithm and our key id pass.
///
/// jwt-kit lets the key decide the algorithm (so `none`/HS256 forgeries already fail); this makes the
/// allowed algorithm explicit and rejects junk cheaply.
public enum JWTHeaderCheck {
    /// Longest token accepted; ours are well under 1 KB, providers' with many claims a few KB.
    static let maximumTokenLength = 8192

    /// The header fields that decide how a token is verified.
    struct Header: Decodable {
        var alg: String?
        var kid: String?
    }

    private struct Issuer: Decodable {
        var iss: String?
    }

    /// Whether `token` has three segments and a header with exactly `alg` and `kid`.
    static func accepts(_ token: String, alg: String, kid: String) -> Bool {
        guard let header = header(of: token) else { return false }
        return header.alg == alg && header.kid == kid
    }

    /// The header of a compact JWS of at most ``maximumTokenLength`` bytes with three segments, or nil.
    static func header(of token: String) -> Header? {
        guard let segments = segments(of: token), let data = Base64URL.decode(segments[0]) else { return nil }
        return try? JSONDecoder().decode(Header.self, from: data)
    }

    /// The `iss` claim of a compact JWS, UNVERIFIED: only for choosing which issuer's keys to verify it with.
    public static func unverifiedIssuer(of token: String) -> String? {
        guard let segments = segments(of: token), let data = Base64URL.decode(segments[1]) else { return nil }
        return (try? JSONDecoder().decode(Issuer.self, from: data))?.iss
    }

    private static func segments(of token: String) -> [Substring]? {
        guard token.utf8.count <= maximumTokenLength else { return nil }
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        return segments.count == 3 ? segments : nil
    }
}
