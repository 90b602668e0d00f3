import Foundation
import MVCore
import Testing
@testable import MVAuth

/// The shape of API-key secrets and their keyed digest.
struct APIKeySecretTests {
    @Test func generatedKeysHaveTheShapeAndParse() {
        let keys = (0..<50).map { _ in APIKeySecret.generate() }
        #expect(Set(keys.map(\.text)).count == 50)
        for key in keys {
            #expect(key.text.hasPrefix("mvk_") && key.text.utf8.count == 47)
            #expect(APIKeySecret(parsing: key.text) == key)
            #expect(key.prefix == String(key.text.prefix(12)))
        }
    }

    @Test(arguments: ["", "mvk_", "mvr_" + String(repeating: "a", count: 43), "mvk_" + String(repeating: "a", count: 42),
        "mvk_" + String(repeating: "a", count: 44), "mvk_" + String(repeating: "a", count: 42) + "=", "eyJhbGciOi.x.y"])
    func otherTextsAreNotKeys(text: String) {
        #expect(APIKeySecret(parsing: text) == nil)
    }

    @Test func theDigestIsKeyedAndComparedInConstantTime() throws {
        let one = try ServerSecret(bytes: Array(repeating: 1, count: 32))
        let two = try ServerSecret(bytes: Array(repeating: 2, count: 32))
        let key = APIKeySecret.generate().text
        #expect(one.mac(key).count == 32)
        #expect(one.mac(key) == one.mac(key))
        #expect(one.mac(key) != two.mac(key))
        #expect(one.isValid(mac: one.mac(key), for: key))
        #expect(!one.isValid(mac: two.mac(key), for: key))
        #expect(throws: SecretFileError.self) { try ServerSecret(bytes: Array(repeating: 1, count: 31)) }
    }

    @Test func theServerSecretFileIsCreatedOnceAndReused() async throws {
        let path = NSTemporaryDirectory() + "mvtest-secret-\(UUID().uuidString.prefix(8))/keys/server-secret"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let first = try await ServerSecret.load(configured: nil, path: path)
        let second = try await ServerSecret.load(configured: "  ", path: path)
        #expect(first.mac("x") == second.mac("x"))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let configured = try await ServerSecret.load(configured: String(repeating: "s", count: 32), path: path)
        #expect(configured.mac("x") != first.mac("x"))
    }

    @Test func base64URLRoundTrips() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(($0 * 37 + length) % 256) }
            let text = Base64URL.encode(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(Base64URL.decode(text).map(Array.init) == bytes)
        }
        #expect(Base64URL.decode("a") == nil)
    }
}
