import Crypto
import Foundation
import MVAuth

/// A webhook endpoint's signing secret in the Standard Webhooks form: `whsec_` + base64 of 32 random bytes. The bytes
/// after the prefix, base64-decoded, are the HMAC key. Shown to the caller once; stored sealed under the server secret.
struct WebhookSecret: Sendable, Equatable {
    /// The prefix every secret starts with.
    static let prefix = "whsec_"
    /// What ``ServerSecret/seal(_:purpose:binding:)`` is told the box holds.
    static let sealPurpose = "webhook-signing-secret"

    /// The HMAC key.
    let keyBytes: [UInt8]

    /// A fresh random secret.
    static func generate() -> WebhookSecret {
        WebhookSecret(keyBytes: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    /// The text shown to the caller: `whsec_<base64>`.
    var text: String { Self.prefix + Data(keyBytes).base64EncodedString() }

    /// Parses `whsec_<base64>`; nil for anything else.
    init?(text: String) {
        guard text.hasPrefix(Self.prefix), let bytes = Data(base64Encoded: String(text.dropFirst(Self.prefix.count))), !bytes.isEmpty else {
            return nil
        }
        keyBytes = Array(bytes)
    }

    init(keyBytes: [UInt8]) {
        self.keyBytes = keyBytes
    }

    /// The sealed form stored in `webhook_endpoints.secret_sealed`, bound to the endpoint's id.
    func sealed(with secret: ServerSecret, endpointID: UUID) throws -> Data {
        try secret.seal(keyBytes, purpose: Self.sealPurpose, binding: endpointID.uuidString.lowercased())
    }

    /// Opens a stored secret.
    /// - Throws: `SealError.unreadable` (another server secret, or a box moved between rows).
    static func unsealed(_ box: Data, with secret: ServerSecret, endpointID: UUID) throws(SealError) -> WebhookSecret {
        WebhookSecret(keyBytes: try secret.open(box, purpose: sealPurpose, binding: endpointID.uuidString.lowercased()))
    }
}
