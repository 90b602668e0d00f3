import Crypto
import Foundation
import MVCore

/// Who an external token says its bearer is, read from verified claims through the issuer's claim names.
public struct ExternalIdentity: Sendable, Equatable {
    /// The organisation the token names, mapped to one team per (issuer, external id).
    public struct Organisation: Sendable, Equatable {
        /// The provider's id of the organisation.
        public var externalID: String
        /// Its display name (used when the team is first created).
        public var name: String
        /// The bearer's role in it.
        public var role: TeamRole
    }

    /// The issuer.
    public var issuer: String
    /// The provider's stable id of the user.
    public var subject: String
    /// The user's e-mail, when the token has one.
    public var email: String?
    /// The user's display name.
    public var name: String
    /// The organisation, when the issuer maps one and the token names it.
    public var organisation: Organisation?

    /// Reads the identity from `claims`.
    /// - Throws: ``AuthError/invalidToken`` when the subject claim is missing.
    public init(claims: ExternalClaims, issuer: ExternalIssuer) throws(AuthError) {
        let names = issuer.claims
        guard let subject = claims.string(names.subject), subject.count <= 500 else { throw .invalidToken }
        self.issuer = issuer.issuer
        self.subject = subject
        self.email = claims.string(names.email).flatMap { try? EmailAddress.normalize($0) }
        self.name = String((claims.string(names.name) ?? "").prefix(200))
        if let teamClaim = names.team, let externalID = claims.string(teamClaim), externalID.count <= 500 {
            let teamName = names.teamName.flatMap(claims.string) ?? externalID
            organisation = Organisation(
                externalID: externalID, name: String(teamName.prefix(200)),
                role: Self.role(names.role.flatMap(claims.string)))
        }
    }

    /// Maps a provider role to ours: `owner`, `admin`, `member`, `viewer` (any case, an `org:` prefix ignored);
    /// anything else, or none, is `member`.
    public static func role(_ claim: String?) -> TeamRole {
        guard var value = claim?.lowercased() else { return .member }
        if value.hasPrefix("org:") { value.removeFirst(4) }
        return TeamRole(rawValue: value) ?? .member
    }

    /// The e-mail stored for a user whose token has none, or whose e-mail belongs to another account: unique per
    /// (issuer, subject) and undeliverable by construction (RFC 6761 `.invalid`).
    var placeholderEmail: String {
        let digest = SHA256.hash(data: Data("\(issuer)\n\(subject)".utf8)).prefix(12).hexString
        return "external-\(digest)@identity.invalid"
    }
}
