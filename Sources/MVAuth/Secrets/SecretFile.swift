import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a secret (the access-token signing key's PEM, the server secret) from disk, or creates it (mode 0600) when
/// missing. Blocking: call it off the event loop (callers use `NIOThreadPool`).
enum SecretFile {
    /// Returns the text at `path`, writing `generate()`'s text there first if the file does not exist.
    ///
    /// A new key is written to a private temporary file in the same directory and then hard-linked into place,
    /// which fails if the name exists: two instances starting together end up sharing one key, and nobody
    /// ever reads a half-written file.
    static func loadOrCreate(path: String, generate: () -> String) throws(SecretFileError) -> String {
        if let existing = try read(path: path) { return existing }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
                )
            } catch {
                throw .writeFailed(path: directory, errno: errno)
            }
        }
        let pem = generate()
        let temporary = "\(path).tmp-\(UUID().uuidString)"
        try writeExclusively(pem, to: temporary)
        defer { unlink(temporary) }
        if link(temporary, path) != 0 {
            let code = errno
            guard code == EEXIST, let winner = try read(path: path) else {
                throw .writeFailed(path: path, errno: code)
            }
            return winner
        }
        return pem
    }

    /// The file's text, or `nil` when it does not exist.
    private static func read(path: String) throws(SecretFileError) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path: path) }
        return String(decoding: data, as: UTF8.self)
    }

    /// Creates `path` exclusively with mode 0600 and writes `text` durably.
    private static func writeExclusively(_ text: String, to path: String) throws(SecretFileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .writeFailed(path: path, errno: errno) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                unlink(path)
                throw .writeFailed(path: path, errno: code)
            }
            bytes = bytes.dropFirst(written)
        }
        let synced = fsync(fd) == 0
        let code = errno
        close(fd)
        guard synced else {
            unlink(path)
            throw .writeFailed(path: path, errno: code)
        }
    }
}
