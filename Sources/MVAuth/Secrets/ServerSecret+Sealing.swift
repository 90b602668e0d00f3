import Crypto
import Foundation

/// Why a sealed value could not be opened.
public enum SealError: Error, Equatable, Sendable {
    /// The box is malformed, was sealed under another server secret or purpose, or was moved to another row.
    case unreadable
}

extension ServerSecret {
    /// Encrypts `plaintext` (AES-256-GCM) under a key derived from this secret for `purpose` (HKDF-SHA256), bound to
    /// `binding` (authenticated, not stored: typically the owning row's id, so a box copied to another row won't open).
    /// For secrets the service must use again later (webhook signing keys), where a hash is not enough.
    /// - Returns: nonce ‖ ciphertext ‖ tag.
    public func seal(_ plaintext: [UInt8], purpose: String, binding: String) throws -> Data {
        let box = try AES.GCM.seal(plaintext, using: derivedKey(purpose), authenticating: Data(binding.utf8))
        guard let combined = box.combined else { throw SealError.unreadable }
        return combined
    }

    /// Opens a box made by ``seal(_:purpose:binding:)`` with the same purpose and binding.
    /// - Throws: ``SealError/unreadable``.
    public func open(_ sealed: Data, purpose: String, binding: String) throws(SealError) -> [UInt8] {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            return Array(try AES.GCM.open(box, using: derivedKey(purpose), authenticating: Data(binding.utf8)))
        } catch {
            throw .unreadable
        }
    }

    private func derivedKey(_ purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("mvservice seal v1 \(purpose)".utf8), outputByteCount: 32)
    }
}
