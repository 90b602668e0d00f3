import MVAuth
import Testing

/// bcrypt hashing: a hash verifies its own password and no other, is salted, carries the clamped cost, and a
/// malformed stored hash is a plain mismatch.
struct PasswordHasherTests {
    let hasher = PasswordHasher(cost: 10)

    @Test func hashVerifiesOnlyItsPassword() async throws {
        let hash = try await hasher.hash("correct horse battery")
        #expect(hash.hasPrefix("$2b$10$") && hash.count == 60)
        #expect(try await hasher.verify("correct horse battery", against: hash))
        #expect(try await hasher.verify("correct horse batterY", against: hash) == false)
        #expect(try await hasher.verify("", against: hash) == false)
    }

    @Test func samePasswordGetsADifferentSalt() async throws {
        let first = try await hasher.hash("correct horse battery")
        let second = try await hasher.hash("correct horse battery")
        #expect(first != second)
        #expect(try await hasher.verify("correct horse battery", against: second))
    }

    @Test func costIsClampedToTheAcceptedRange() {
        #expect(PasswordHasher(cost: 4).cost == 10)
        #expect(PasswordHasher(cost: 12).cost == 12)
        #expect(PasswordHasher(cost: 99).cost == 31)
        #expect(PasswordHasher().cost == 12)
    }

    @Test func malformedHashIsAMismatch() async throws {
        #expect(try await hasher.verify("anything", against: "not-a-bcrypt-hash") == false)
        #expect(try await hasher.verify("anything", against: "") == false)
        // The dummy verify used for unknown users runs without error.
        try await hasher.verifyDummy("anything")
    }
}
