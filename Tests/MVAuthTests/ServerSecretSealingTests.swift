import Foundation
import MVAuth
import Testing

/// Sealing under the server secret: a box opens only with the same secret, purpose and binding, and never holds the
/// plaintext in clear.
struct ServerSecretSealingTests {
    @Test func aBoxOpensOnlyWithTheSameSecretPurposeAndBinding() throws {
        let secret = try ServerSecret(bytes: Array(repeating: 1, count: 32))
        let other = try ServerSecret(bytes: Array(repeating: 2, count: 32))
        let plaintext: [UInt8] = Array("whsec key bytes, 32 of them....!".utf8)
        let box = try secret.seal(plaintext, purpose: "p", binding: "row-1")
        #expect(box.count == 12 + plaintext.count + 16)
        #expect(box.range(of: Data(plaintext)) == nil)
        #expect(try secret.open(box, purpose: "p", binding: "row-1") == plaintext)
        #expect(throws: SealError.unreadable) { try secret.open(box, purpose: "p", binding: "row-2") }
        #expect(throws: SealError.unreadable) { try secret.open(box, purpose: "q", binding: "row-1") }
        #expect(throws: SealError.unreadable) { try other.open(box, purpose: "p", binding: "row-1") }
        var tampered = box
        tampered[20] ^= 1
        #expect(throws: SealError.unreadable) { try secret.open(tampered, purpose: "p", binding: "row-1") }
        #expect(try secret.seal(plaintext, purpose: "p", binding: "row-1") != box, "a fresh nonce each time")
    }
}
