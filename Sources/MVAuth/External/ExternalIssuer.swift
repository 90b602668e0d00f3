import Foundation
import MVCore

/// An external identity provider whose JWTs the service accepts (config `auth.issuers`): where its keys are, which
/// audience and algorithms it must use, and which claims name the user, their team and their role.
public struct ExternalIssuer: Sendable, Equatable {
    /// The signature algorithms an issuer may be configured with: asymmetric only (never `none`, never HMAC, whose
    /// "key" would be public).
    public static let supportedAlgorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]

    /// The claim names that carry identity facts.
    public struct ClaimNames: Sendable, Equatable {
        /// The stable user id at the provider (default `sub`).
        public var subject: String
        /// The user's e-mail (default `email`).
        public var email: String
        /// The user's display name (default `name`).
        public var name: String
        /// The organisation id, mapped to one team (default none: users act in their personal team).
        public var team: String?
        /// The organisation's display name, used when the team is first created.
        public var teamName: String?
        /// The user's role in that organisation (`owner`, `admin`, `member`, `viewer`; anything else is `member`).
        public var role: String?

        /// Creates claim names.
        public init(
            subject: String = "sub", email: String = "email", name: String = "name", team: String? = nil, teamName: String? = nil,
            role: String? = nil
        ) {
            self.subject = subject
            self.email = email
            self.name = name
            self.team = team
            self.teamName = teamName
            self.role = role
        }
    }

    /// The exact `iss` value of its tokens.
    public var issuer: String
    /// Where its JSON Web Key Set is (https, or http to a loopback host).
    public var jwksURL: URL
    /// The `aud` its tokens must include.
    public var audience: String
    /// The algorithms accepted from it, whatever a token's header says.
    public var algorithms: Set<String>
    /// Which claims carry what.
    public var claims: ClaimNames

    /// Checks and creates an issuer; `key` names its place in the configuration file for errors (`auth.issuers[0]`).
    /// - Throws: ``ConfigError`` naming `file`, the key and the reason: an empty issuer or audience, a JWKS URL that is
    ///   not https (http only to 127.0.0.0/8, `::1` or `localhost`), no algorithms, or one outside
    ///   ``supportedAlgorithms``.
    public init(
        issuer: String, jwksURL: String, audience: String, algorithms: [String], claims: ClaimNames, file: String, key: String
    ) throws(ConfigError) {
        guard !issuer.isEmpty else { throw ConfigError(file: file, key: key + ".issuer", reason: "must not be empty") }
        guard !audience.isEmpty else { throw ConfigError(file: file, key: key + ".audience", reason: "must not be empty") }
        guard let url = URL(string: jwksURL), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw ConfigError(file: file, key: key + ".jwks_url", reason: "not an absolute URL: \(jwksURL)")
        }
        guard scheme == "https" || (scheme == "http" && Self.isLoopback(host)) else {
            throw ConfigError(file: file, key: key + ".jwks_url", reason: "must be https (http only to a loopback host), got \(jwksURL)")
        }
        guard !algorithms.isEmpty else { throw ConfigError(file: file, key: key + ".algorithms", reason: "name at least one algorithm") }
        for algorithm in algorithms where !Self.supportedAlgorithms.contains(algorithm) {
            throw ConfigError(
                file: file, key: key + ".algorithms",
                reason: "\(algorithm) is not allowed; use \(Self.supportedAlgorithms.sorted().joined(separator: ", "))")
        }
        self.issuer = issuer
        self.jwksURL = url
        self.audience = audience
        self.algorithms = Set(algorithms)
        self.claims = claims
    }

    /// Whether `host` is a loopback name or address.
    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
