import Foundation
import Testing
@testable import MVService

/// The owner lock of an embedded cluster: one holder at a time, the holder's pid in the file, free again once
/// released (by `release()`, by dropping the value, or — what the crash tests prove — by the holder dying).
struct ClusterOwnerLockTests {
    static func path() -> String {
        NSTemporaryDirectory() + "mvlock-\(UUID().uuidString.prefix(8)).owner"
    }

    @Test func oneHolderAtATimeWithItsPidInTheFile() throws {
        let path = Self.path()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "4242\n".write(toFile: path, atomically: true, encoding: .utf8)

        let first = try #require(try ClusterOwnerLock.acquire(path: path))
        #expect(first.previousOwner == 4242)
        #expect(ClusterOwnerLock.recordedOwner(path: path) == getpid())
        #expect(try ClusterOwnerLock.acquire(path: path) == nil)

        first.release()
        first.release()
        let second = try #require(try ClusterOwnerLock.acquire(path: path))
        #expect(second.previousOwner == getpid())
        second.release()
    }

    @Test func droppingTheLockReleasesIt() throws {
        let path = Self.path()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let held = try ClusterOwnerLock.acquire(path: path)
            #expect(held != nil)
            #expect(held?.previousOwner == nil)
        }
        #expect(try ClusterOwnerLock.acquire(path: path) != nil)
    }

    @Test func missingFolderIsAnError() {
        #expect(throws: EmbeddedPostgres.Failure.self) { try ClusterOwnerLock.acquire(path: "/nonexistent/dir/x.owner") }
        #expect(ClusterOwnerLock.recordedOwner(path: "/nonexistent/dir/x.owner") == nil)
    }
}
