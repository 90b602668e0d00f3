import Foundation
import MVAuth
import MVTestSupport
import PostgresNIO
import Testing

/// Refresh-token rotation in PostgreSQL: each refresh uses up the presented token and hands out a successor in the
/// same family; presenting a used token again revokes the whole family; logout revokes the family; expired,
/// unknown, malformed tokens and disabled users are refused.
struct RefreshTokenRotationTests {
    @Test func rotationHandsOutASuccessorAndUsesUpThePresentedToken() async throws {
        try await TestDatabase.withAuth { auth in
            let (user, _) = try await auth.makeUser()
            let first = try await auth.refreshTokens.issue(userID: user.id, familyID: nil)
            #expect(first.hasPrefix("mvr_") && first.count == 47)

            let (owner, second) = try await auth.refreshTokens.rotate(first)
            #expect(owner == user.id)
            #expect(second != first && second.hasPrefix("mvr_"))
            let (_, third) = try await auth.refreshTokens.rotate(second)
            #expect(third != second)

            #expect(try await auth.count("SELECT count(DISTINCT family_id) FROM refresh_tokens WHERE user_id = \(user.id)") == 1)
            #expect(try await auth.count("SELECT count(*) FROM refresh_tokens WHERE used_at IS NOT NULL") == 2)
            #expect(try await auth.count("SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NOT NULL") == 0)
            // Only digests are stored.
            #expect(try await auth.count("SELECT count(*) FROM refresh_tokens WHERE length(token_hash) = 32") == 3)
        }
    }

    @Test func reuseOfARotatedTokenRevokesTheWholeFamilyOnly() async throws {
        try await TestDatabase.withAuth { auth in
            let (user, _) = try await auth.makeUser()
            let stolen = try await auth.refreshTokens.issue(userID: user.id, familyID: nil)
            let otherDevice = try await auth.refreshTokens.issue(userID: user.id, familyID: nil)
            let (_, successor) = try await auth.refreshTokens.rotate(stolen)

            await #expect(throws: AuthError.refreshTokenReused) { try await auth.refreshTokens.rotate(stolen) }
            // The legitimate successor dies with its family...
            await #expect(throws: AuthError.invalidToken) { try await auth.refreshTokens.rotate(successor) }
            #expect(try await auth.count("SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NOT NULL") == 2)
            // ...and the user's other login is untouched.
            let (owner, _) = try await auth.refreshTokens.rotate(otherDevice)
            #expect(owner == user.id)
        }
    }

    @Test func concurrentRotationsOfOneTokenLetOneWin() async throws {
        try await TestDatabase.withAuth { auth in
            let (user, _) = try await auth.makeUser()
            let token = try await auth.refreshTokens.issue(userID: user.id, familyID: nil)
            let outcomes = try await withThrowingTaskGroup(of: AuthError?.self) { group in
                for _ in 0..<5 {
                    group.addTask {
                        do {
                            _ = try await auth.refreshTokens.rotate(token)
                            return nil
                        } catch let error as AuthError {
                            return error
                        }
                    }
                }
                var outcomes: [AuthError?] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            // They serialise on the token's row lock: one rotates, the next is a reuse and revokes the family, the
            // rest find a revoked token.
            #expect(outcomes.filter { $0 == nil }.count == 1, "\(outcomes)")
            #expect(outcomes.filter { $0 == .refreshTokenReused }.count == 1, "\(outcomes)")
            #expect(outcomes.filter { $0 == .invalidToken }.count == 3, "\(outcomes)")
            // The reuse revoked the family, the winner's successor included.
            #expect(try await auth.count("SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NULL") == 0)
        }
    }

    @Test func logoutRevokesTheFamily() async throws {
        try await TestDatabase.withAuth { auth in
            let (user, _) = try await auth.makeUser()
            let first = try await auth.refreshTokens.issue(userID: user.id, familyID: nil)
            let (_, current) = try await auth.refreshTokens.rotate(first)
            let kept = try await auth.refreshTokens.issue(userID: user.id, familyID: nil)

            try await auth.refreshTokens.revokeFamily(of: current)
            await #expect(throws: AuthError.invalidToken) { try await auth.refreshTokens.rotate(current) }
            #expect(try await auth.refreshTokens.rotate(kept).userID == user.id)
            // Logging out with junk is not an error and revokes nothing.
            try await auth.refreshTokens.revokeFamily(of: "junk")
            #expect(try await auth.count("SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NOT NULL") == 2)
        }
    }

    @Test func joiningAFamilyKeepsItsID() async throws {
        try await TestDatabase.withAuth { auth in
            let (user, _) = try await auth.makeUser()
            let family = UUID()
            let token = try await auth.refreshTokens.issue(userID: user.id, familyID: family)
            _ = try await auth.refreshTokens.rotate(token)
            #expect(try await auth.count("SELECT count(*) FROM refresh_tokens WHERE family_id = \(family)") == 2)
        }
    }

    @Test func unknownMalformedAndExpiredTokensAreInvalid() async throws {
        try await TestDatabase.withAuth { auth in
            let (user, _) = try await auth.makeUser()
            let wellFormedButUnknown = "mvr_" + String(repeating: "A", count: 43)
            for token in ["", "junk", "mvr_short", wellFormedButUnknown] {
                await #expect(throws: AuthError.invalidToken, "\(token)") { try await auth.refreshTokens.rotate(token) }
            }
            let expired = try await auth.refreshTokens.issue(userID: user.id, familyID: nil)
            try await auth.execute("UPDATE refresh_tokens SET expires_at = now() - interval '1 second'")
            await #expect(throws: AuthError.invalidToken) { try await auth.refreshTokens.rotate(expired) }
            #expect(try await auth.count("SELECT count(*) FROM refresh_tokens") == 1)
        }
    }

    @Test func disabledUserCannotRefresh() async throws {
        try await TestDatabase.withAuth { auth in
            let (user, _) = try await auth.makeUser()
            let token = try await auth.refreshTokens.issue(userID: user.id, familyID: nil)
            // Disabled behind the store's back (tokens not revoked): the rotation itself checks the user.
            try await auth.execute("UPDATE users SET disabled = true WHERE id = \(user.id)")
            await #expect(throws: AuthError.userDisabled) { try await auth.refreshTokens.rotate(token) }
            // Disabled through the store: its tokens are revoked at once.
            try await auth.execute("UPDATE users SET disabled = false WHERE id = \(user.id)")
            try await auth.identities.setDisabled(userID: user.id, disabled: true)
            await #expect(throws: AuthError.invalidToken) { try await auth.refreshTokens.rotate(token) }
        }
    }
}
