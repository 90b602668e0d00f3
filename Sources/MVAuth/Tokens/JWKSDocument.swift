import Foundation

/// The JSON Web Key Set served at `/.well-known/jwks.json`.
struct JWKSDocument: Encodable {
    /// One public EC signing key.
    struct Key: Encodable {
        var kty = "EC"
        var crv = "P-256"
        var x: String
        var y: String
        var kid: String
        var alg = "ES256"
        var use = "sig"
    }

    var keys: [Key]

    /// The document as compact JSON with sorted keys.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
