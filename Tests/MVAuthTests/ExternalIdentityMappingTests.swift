import Foundation
import MVCore
import Testing
@testable import MVAuth

/// Reading identities from external claims, and which issuer configurations are refused.
struct ExternalIdentityMappingTests {
    static let issuer = try! ExternalIssuer(
        issuer: "https://idp.example.com", jwksURL: "https://idp.example.com/jwks.json", audience: "mv", algorithms: ["RS256"],
        claims: .init(team: "org_id", teamName: "org_name", role: "org_role"), file: "test", key: "auth.issuers[0]")

    @Test(arguments: [
        ("owner", TeamRole.owner), ("ADMIN", .admin), ("org:admin", .admin), ("member", .member), ("viewer", .viewer),
        ("superhero", .member), ("", .member),
    ])
    func rolesMapOrFallBackToMember(claim: String, role: TeamRole) {
        #expect(ExternalIdentity.role(claim) == role)
    }

    @Test func claimsNameTheUserAndTheOrganisation() throws {
        let claims = ExternalClaims([
            "sub": .string("u-1"), "email": .string(" Ada@Example.com "), "name": .string("Ada"),
            "org_id": .number(4711), "org_name": .string("Acme"), "org_role": .string("admin"),
        ])
        let identity = try ExternalIdentity(claims: claims, issuer: Self.issuer)
        #expect(identity.subject == "u-1" && identity.email == "Ada@Example.com" && identity.name == "Ada")
        #expect(identity.organisation == .init(externalID: "4711", name: "Acme", role: .admin))
        #expect(identity.placeholderEmail.hasSuffix("@identity.invalid"))
        let noOrg = try ExternalIdentity(claims: ExternalClaims(["sub": .string("u-2"), "email": .string("not an email")]), issuer: Self.issuer)
        #expect(noOrg.organisation == nil && noOrg.email == nil)
        #expect(throws: AuthError.invalidToken) { try ExternalIdentity(claims: ExternalClaims(["email": .string("a@b.co")]), issuer: Self.issuer) }
    }

    @Test func audienceIsAStringOrAList() {
        #expect(ExternalClaims(["aud": .string("mv")]).hasAudience("mv"))
        #expect(ExternalClaims(["aud": .array([.string("x"), .string("mv")])]).hasAudience("mv"))
        #expect(!ExternalClaims(["aud": .array([.string("x")])]).hasAudience("mv"))
        #expect(!ExternalClaims([:]).hasAudience("mv"))
    }

    @Test(arguments: ["127.0.0.1", "127.1.2.3", "localhost", "[::1]"])
    func httpIsAllowedToLoopbackOnly(host: String) throws {
        _ = try ExternalIssuer(
            issuer: "i", jwksURL: "http://\(host):8080/jwks", audience: "a", algorithms: ["ES256"], claims: .init(), file: "f", key: "k")
    }

    @Test(arguments: ["http://10.0.0.1/jwks", "http://idp.example.com/jwks", "http://127.0.0.1.evil.com/jwks", "ftp://idp.example.com/jwks"])
    func otherURLsAreRefused(url: String) {
        #expect(throws: ConfigError.self) {
            try ExternalIssuer(issuer: "i", jwksURL: url, audience: "a", algorithms: ["ES256"], claims: .init(), file: "f", key: "k")
        }
    }
}
