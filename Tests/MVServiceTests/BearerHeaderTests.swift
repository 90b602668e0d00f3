import Testing
@testable import MVService

/// The bearer scheme and token as the auth middleware reads them from `Authorization` (RFC 9110: the scheme is
/// case-insensitive; spaces and tabs around the token are not part of it).
struct BearerHeaderTests {
    @Test func theSchemeIsBearerInAnyCaseFollowedByASpace() {
        for header in ["Bearer abc", "bearer abc", "BEARER abc", "bEaReR abc"] {
            #expect(AuthMiddleware.isBearer(header), "\(header)")
        }
        for header in ["Basic abc", "Bearer", "Bearer ", "Bearerabc", "Bearer\u{0}abc", "Bearer\tabc", "Béarer abc", "Bearer_abc"] {
            #expect(!AuthMiddleware.isBearer(header), "\(header.debugDescription)")
        }
    }

    @Test func theTokenLosesOnlySpacesAndTabsAroundIt() {
        let token = { (header: String) in AuthMiddleware.trimmed(header.utf8.dropFirst("Bearer ".utf8.count)) }
        #expect(token("Bearer abc.def") == "abc.def")
        #expect(token("Bearer   abc.def \t ") == "abc.def")
        #expect(token("Bearer \tabc def\t") == "abc def")
        #expect(token("Bearer    ") == "")
    }
}
