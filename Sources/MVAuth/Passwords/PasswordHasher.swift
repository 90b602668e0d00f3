import HummingbirdBcrypt
import NIOPosix

/// bcrypt password hashing. All hashing and verification runs on `NIOThreadPool.singleton`, never on an
/// event loop or the cooperative pool.
public struct PasswordHasher: Sendable {
    /// The lowest cost accepted; smaller requests are raised to it.
    public static let minimumCost = 10
    /// The highest cost accepted (bcrypt's own limit); larger requests are lowered to it.
    public static let maximumCost = 31

    /// The bcrypt cost (log2 rounds) used for new hashes, always within ``minimumCost``...``maximumCost``.
    public let cost: Int

    /// A well-formed bcrypt string at ``cost`` that no password matches; verifying against it costs the
    /// same as a real verify (bcrypt recomputes the hash from the embedded salt before comparing).
    private let dummyHash: String

    /// Creates a hasher.
    /// - Parameter cost: bcrypt cost; clamped to ``minimumCost``...``maximumCost`` rather than trapping.
    public init(cost: Int = 12) {
        let clamped = min(max(cost, Self.minimumCost), Self.maximumCost)
        self.cost = clamped
        let costText = clamped < 10 ? "0\(clamped)" : "\(clamped)"
        self.dummyHash = "$2b$\(costText)$" + "mvdummysaltmvdummysalu" + "mvdummyhashmvdummyhashmvdummyha"
    }

    /// Hashes a password.
    /// - Parameter password: The plain password (validate it with ``PasswordPolicy`` first).
    /// - Returns: A `$2b$` bcrypt string.
    /// - Throws: If the thread pool is shut down or the task is cancelled.
    public func hash(_ password: String) async throws -> String {
        let cost = UInt8(self.cost)
        return try await NIOThreadPool.singleton.runIfActive {
            Bcrypt.hash(password, cost: cost)
        }
    }

    /// Checks a password against a stored hash (constant-time comparison inside bcrypt).
    /// - Parameters:
    ///   - password: The plain password.
    ///   - hash: The stored bcrypt string.
    /// - Returns: `true` when they match; `false` on mismatch or a malformed hash.
    /// - Throws: If the thread pool is shut down or the task is cancelled.
    public func verify(_ password: String, against hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive {
            Bcrypt.verify(password, hash: hash)
        }
    }

    /// Burns the same time as a ``verify(_:against:)``, for unknown users (uniform login timing).
    /// - Parameter password: The password presented at login.
    /// - Throws: If the thread pool is shut down or the task is cancelled.
    public func verifyDummy(_ password: String) async throws {
        let dummy = self.dummyHash
        _ = try await NIOThreadPool.singleton.runIfActive {
            Bcrypt.verify(password, hash: dummy)
        }
    }
}
