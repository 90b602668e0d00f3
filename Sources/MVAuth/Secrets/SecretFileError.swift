/// Failures loading or creating a secret file: the access-token signing key, the server secret (startup only; never
/// shown to clients).
public enum SecretFileError: Error, Sendable, Equatable {
    /// The secret (from config or file) is not what it must be (a P-256 private key PEM, 32+ bytes).
    case invalidKey(source: String)
    /// The file exists but could not be read.
    case unreadable(path: String)
    /// The file (or its directory) could not be created; `errno` as reported by the system.
    case writeFailed(path: String, errno: Int32)
}
