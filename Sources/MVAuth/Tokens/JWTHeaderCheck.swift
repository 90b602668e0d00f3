import Foundation

/// A pre-check of a compact JWS header, before any signature work: only our algorithm and our key id pass.
///
/// jwt-kit lets the key decide the algorithm (so `none`/HS256 forgeries already fail); this makes the
/// allowed algorithm explicit and rejects junk cheaply.
enum JWTHeaderCheck {
    /// Longest token accepted; ours are well under 1 KB.
    static let maximumTokenLength = 4096

    private struct Header: Decodable {
        var alg: String?
        var kid: String?
    }

    /// Whether `token` has three segments and a header with exactly `alg` and `kid`.
    static func accepts(_ token: String, alg: String, kid: String) -> Bool {
        guard token.utf8.count <= maximumTokenLength else { return false }
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3, let data = base64URLDecode(segments[0]),
            let header = try? JSONDecoder().decode(Header.self, from: data)
        else { return false }
        return header.alg == alg && header.kid == kid
    }

    private static func base64URLDecode(_ segment: Substring) -> Data? {
        var text = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let remainder = text.utf8.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { text += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: text)
    }
}
