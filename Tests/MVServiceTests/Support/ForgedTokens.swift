import Foundation
import JWTKit

/// Access-token claims a test signs itself, with every field free to be wrong: the service must refuse all
/// but the one that matches its configuration exactly. `verify` is a no-op so jwt-kit never stops a test from
/// signing an expired or otherwise bad token.
struct ForgedClaims: JWTPayload, Equatable {
    var iss: String
    var aud: [String]
    var sub: String
    var exp: Int
    var iat: Int
    var nbf: Int
    var jti: String

    /// Claims the service issues itself: its issuer and audience, valid from a minute ago for 10 minutes.
    static func valid(userID: String, issuer: String = "mvservice", audience: String = "mvservice-api") -> ForgedClaims {
        let now = Int(Date().timeIntervalSince1970)
        return ForgedClaims(
            iss: issuer, aud: [audience], sub: userID.lowercased(), exp: now + 600, iat: now - 60, nbf: now - 60,
            jti: UUID().uuidString.lowercased())
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// `header.payload.` with no signature (`alg` as given), built by hand: jwt-kit refuses to make these.
    func unsignedToken(header: [String: String]) throws -> String {
        let headerData = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        let payloadData = try JSONEncoder().encode(self)
        return Self.base64URL(headerData) + "." + Self.base64URL(payloadData) + "."
    }

    /// Base64url without padding.
    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
