import Foundation
import MVCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The claim of one process on an embedded PostgreSQL cluster: an exclusive `flock` on the file `<cluster>.owner`,
/// held for as long as the process owns the cluster, with the owner's pid written inside for people and logs.
///
/// Why a lock and not only a pid file checked with `kill(pid, 0)`: the kernel drops an `flock` when its holder
/// dies, even by `kill -9`, so "the lock is free" means exactly "the owner is gone"; a recorded pid may already
/// belong to an unrelated process (pid reuse), and a check-then-write pid file lets two starters both take over.
/// The descriptor is opened `O_CLOEXEC`, and ``ChildProcess`` closes inherited descriptors anyway, so neither
/// `pg_ctl` nor the postmaster it leaves running can keep the lock alive after its owner is gone.
final class ClusterOwnerLock: Sendable {
    /// The lock file.
    let path: String
    /// The pid the file named before this process took it over, if any (the crashed owner, when adopting).
    let previousOwner: Int32?
    private let descriptor: Mutex<Int32?>

    private init(path: String, descriptor: Int32, previousOwner: Int32?) {
        self.path = path
        self.previousOwner = previousOwner
        self.descriptor = Mutex(descriptor)
    }

    /// Takes the lock if no live process holds it, and records this process's pid in the file.
    /// - Parameter path: The lock file (created if missing).
    /// - Returns: The held lock, or nil when another live process holds it.
    /// - Throws: ``EmbeddedPostgres/Failure`` when the file cannot be opened or written.
    static func acquire(path: String) throws -> ClusterOwnerLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot open", path) }
        var locked: Int32
        repeat {
            locked = flock(fd, LOCK_EX | LOCK_NB)
        } while locked != 0 && errno == EINTR
        if locked != 0 {
            let code = errno
            close(fd)
            guard code == EWOULDBLOCK else { throw failure("cannot lock", path, code) }
            return nil
        }
        let previous = readPID(fd)
        let text = Array("\(getpid())\n".utf8)
        let written = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        guard ftruncate(fd, off_t(text.count)) == 0, written == text.count else {
            let code = errno
            close(fd)
            throw failure("cannot write", path, code)
        }
        return ClusterOwnerLock(path: path, descriptor: fd, previousOwner: previous)
    }

    /// The pid recorded in the lock file (the current or last owner), if readable.
    /// - Parameter path: The lock file.
    /// - Returns: The pid, or nil.
    static func recordedOwner(path: String) -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readPID(fd)
    }

    /// Gives the lock up; the next process to start may then adopt the cluster. Safe to call twice.
    func release() {
        let fd = descriptor.withLock { fd -> Int32? in
            defer { fd = nil }
            return fd
        }
        if let fd { close(fd) }
    }

    deinit {
        release()
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer.prefix(count), as: UTF8.self)
        return Int32(text.trimmingWhitespaceAndNewlines())
    }

    private static func failure(_ what: String, _ path: String, _ code: Int32 = errno) -> EmbeddedPostgres.Failure {
        EmbeddedPostgres.Failure(description: "\(what) \(path): \(String(cString: strerror(code)))")
    }
}
