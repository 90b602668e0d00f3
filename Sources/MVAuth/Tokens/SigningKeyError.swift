/// Failures loading or creating the access-token signing key (startup only; never shown to clients).
public enum SigningKeyError: Error, Sendable, Equatable {
    /// The PEM (from config or file) is not a P-256 private key.
    case invalidKey(source: String)
    /// The key file exists but could not be read.
    case unreadable(path: String)
    /// The key file (or its directory) could not be created; `errno` as reported by the system.
    case writeFailed(path: String, errno: Int32)
}
