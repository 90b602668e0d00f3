import Crypto
import Foundation
import MVCore
import NIOPosix

/// The server-wide secret behind keyed hashes and signatures that must survive restarts and agree across instances:
/// API-key digests (so a stolen database alone does not reveal or verify keys) and share-link tokens.
///
/// ```swift
/// let secret = try await ServerSecret.load(configured: config.auth.serverSecret, path: dataDir + "/keys/server-secret")
/// let digest = secret.mac("mvk_…")                       // 32 bytes, stored
/// secret.isValid(mac: presented, for: "message")          // constant-time comparison
/// ```
public struct ServerSecret: Sendable {
    /// The fewest bytes a configured secret may have.
    public static let minimumBytes = 32

    /// The key; module-internal so sealing (``seal(_:purpose:binding:)``) can derive from it.
    let key: SymmetricKey

    /// A secret made of `bytes` (tests; production uses ``load(configured:path:)``).
    /// - Throws: ``SecretFileError/invalidKey(source:)`` when shorter than ``minimumBytes``.
    public init(bytes: [UInt8], source: String = "bytes") throws(SecretFileError) {
        guard bytes.count >= Self.minimumBytes else { throw .invalidKey(source: source) }
        key = SymmetricKey(data: bytes)
    }

    /// Loads the secret, first match wins: `configured` (config `auth.server_secret`, at least 32 bytes of text; blank
    /// counts as absent); the file at `path` (base64 of 32 random bytes, created with mode 0600 when missing).
    /// - Throws: ``SecretFileError`` when the configured value is too short or the file cannot be read or written.
    public static func load(configured: String?, path: String) async throws -> ServerSecret {
        if let configured, !configured.trimmingWhitespaceAndNewlines().isEmpty {
            return try ServerSecret(bytes: Array(configured.utf8), source: "config auth.server_secret")
        }
        let text = try await NIOThreadPool.singleton.runIfActive {
            try SecretFile.loadOrCreate(path: path) {
                Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }).base64EncodedString() + "\n"
            }
        }
        guard let bytes = Data(base64Encoded: text.trimmingWhitespaceAndNewlines()) else {
            throw SecretFileError.invalidKey(source: path)
        }
        return try ServerSecret(bytes: Array(bytes), source: path)
    }

    /// HMAC-SHA256 of `message` under this secret.
    public func mac(_ message: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key))
    }

    /// Whether `mac` is the HMAC-SHA256 of `message`, compared in constant time.
    public func isValid(mac: Data, for message: String) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(message.utf8), using: key)
    }
}
