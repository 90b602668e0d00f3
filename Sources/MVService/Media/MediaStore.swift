import Crypto
import Foundation
import MVCore
import NIOPosix

/// A stored blob: content-addressed bytes.
struct StoredBlob: Sendable, Equatable {
    /// Hex SHA-256 of the bytes; the blob's identity.
    var sha256: String
    /// Size in bytes.
    var size: Int64
    /// MIME type.
    var contentType: String
}

/// Where media bytes live. Rows reference blobs by hash; nothing is served by a client-supplied path.
protocol MediaStore: Sendable {
    /// A folder on the same file system as the store, for files being written (downloads, renders).
    var temporaryDirectory: String { get }
    /// Moves a finished file from ``temporaryDirectory`` into the store under its hash (atomically: rename).
    func ingest(temporaryFile path: String, contentType: String) async throws -> StoredBlob
    /// Local path of a stored blob, for streaming.
    func path(of sha256: String) -> String
    /// Removes a blob's file (once no asset row references it); a missing file is not an error.
    func remove(sha256: String) async throws
}

/// The default store: a local folder, `blobs/ab/abcdef…`, written with temp file + rename.
struct LocalMediaStore: MediaStore {
    /// Root folder.
    let root: String
    var temporaryDirectory: String { root + "/tmp" }

    /// Creates the store's folders under `root`.
    init(root: String) throws {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: self.root + "/tmp", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: self.root + "/blobs", withIntermediateDirectories: true)
    }

    func path(of sha256: String) -> String {
        "\(root)/blobs/\(sha256.prefix(2))/\(sha256)"
    }

    func remove(sha256: String) async throws {
        guard sha256.utf8.count == 64, sha256.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return }
        let path = path(of: sha256)
        try await NIOThreadPool.singleton.runIfActive {
            guard FileManager.default.fileExists(atPath: path) else { return }
            try FileManager.default.removeItem(atPath: path)
        }
    }

    func ingest(temporaryFile path: String, contentType: String) async throws -> StoredBlob {
        let root = self.root
        return try await NIOThreadPool.singleton.runIfActive {
            let (digest, size) = try Self.hashFile(at: path)
            let folder = "\(root)/blobs/\(digest.prefix(2))"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let target = "\(folder)/\(digest)"
            if FileManager.default.fileExists(atPath: target) {
                try FileManager.default.removeItem(atPath: path)
            } else if rename(path, target) != 0 {
                throw CocoaError(.fileWriteUnknown)
            }
            return StoredBlob(sha256: digest, size: size, contentType: contentType)
        }
    }

    private static func hashFile(at path: String) throws -> (String, Int64) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            size += Int64(chunk.count)
        }
        let digest = hasher.finalize().hexString
        return (digest, size)
    }
}
