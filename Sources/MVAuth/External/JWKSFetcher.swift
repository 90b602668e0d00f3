import Foundation

/// Fetches a JSON Web Key Set document. The service implements it over HTTP (size- and time-capped, no redirects);
/// MVAuth only decides when to ask.
public protocol JWKSFetcher: Sendable {
    /// The JWKS document at `url`.
    /// - Throws: Any failure; the verifier treats it as "no new keys".
    func jwks(at url: URL) async throws -> Data
}
