import Foundation
import MVCore
import MVTestSupport
import Testing
@testable import MVService

/// The embedded PostgreSQL of `mvservice serve` across crashes: `pg_ctl` starts the postmaster outside the process
/// group, so `kill -9` of `serve` leaves the cluster running. The next `serve` adopts it and stops it when it exits
/// cleanly; a second `serve` that merely joins a cluster owned by a live one leaves it running when it exits.
/// Both run the real binary on a temporary data directory, one after the other (each runs two servers and a cluster).
@Suite(.serialized)
struct EmbeddedPostgresCrashTests {
    @Test(.timeLimit(.minutes(2)))
    func clusterLeftByAKilledServeIsAdoptedAndStoppedByTheNext() async throws {
        try await Self.withDataDirectory { dataDirectory, cluster in
            let first = try ServeProcess(dataDirectory: dataDirectory, name: "first")
            try await first.waitUntilReady()
            #expect(first.log.contains("started embedded PostgreSQL"))
            let postmaster = try #require(Self.postmasterPID(cluster), "no postmaster.pid after the first start")
            #expect(ClusterOwnerLock.recordedOwner(path: cluster.ownerLockPath) == first.pid)

            #expect(try await first.stop(with: SIGKILL) == SIGKILL)
            // The crash left the cluster running (the situation this test is about).
            #expect(Self.isAlive(postmaster))
            #expect(try await Self.pgCtlStatus(cluster) == 0)

            let second = try ServeProcess(dataDirectory: dataDirectory, name: "second")
            try await second.waitUntilReady()
            #expect(second.log.contains("adopted the running embedded PostgreSQL"), "\(second.log)")
            #expect(Self.postmasterPID(cluster) == postmaster, "the same cluster, not a new one")
            #expect(ClusterOwnerLock.recordedOwner(path: cluster.ownerLockPath) == second.pid)

            #expect(try await second.stop(with: SIGTERM) == 0, "\(second.log)")
            #expect(Self.postmasterPID(cluster) == nil, "postmaster.pid still there")
            #expect(try await Self.pgCtlStatus(cluster) == 3, "pg_ctl status should say: no server running")
            #expect(!Self.isAlive(postmaster))
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func serveThatJoinedALiveOwnersClusterLeavesItRunning() async throws {
        try await Self.withDataDirectory { dataDirectory, cluster in
            let owner = try ServeProcess(dataDirectory: dataDirectory, name: "owner")
            try await owner.waitUntilReady()
            let postmaster = try #require(Self.postmasterPID(cluster))

            let guest = try ServeProcess(dataDirectory: dataDirectory, name: "guest")
            try await guest.waitUntilReady()
            #expect(guest.log.contains("using the embedded PostgreSQL of another process"), "\(guest.log)")
            #expect(try await guest.stop(with: SIGTERM) == 0, "\(guest.log)")
            #expect(try await Self.pgCtlStatus(cluster) == 0, "the guest stopped the owner's cluster")
            #expect(Self.postmasterPID(cluster) == postmaster)
            #expect(ClusterOwnerLock.recordedOwner(path: cluster.ownerLockPath) == owner.pid)

            #expect(try await owner.stop(with: SIGTERM) == 0, "\(owner.log)")
            #expect(try await Self.pgCtlStatus(cluster) == 3)
            #expect(Self.postmasterPID(cluster) == nil)
        }
    }

    /// Runs `body` on a new data directory; afterwards stops whatever cluster is left there and removes it all.
    static func withDataDirectory(_ body: (String, EmbeddedPostgres) async throws -> Void) async throws {
        let dataDirectory = NSTemporaryDirectory() + "mvcrash-\(UUID().uuidString.prefix(8).lowercased())"
        let cluster = try EmbeddedPostgres(directory: dataDirectory + "/postgres", logger: TestCluster.logger)
        defer {
            for path in [dataDirectory, dataDirectory + "-first.log", dataDirectory + "-second.log", dataDirectory + "-owner.log",
                         dataDirectory + "-guest.log"] {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        do {
            try await body(dataDirectory, cluster)
        } catch {
            _ = try? await pgCtl(cluster, ["-m", "immediate", "-w", "stop"])
            throw error
        }
        if postmasterPID(cluster) != nil {
            _ = try? await pgCtl(cluster, ["-m", "immediate", "-w", "stop"])
        }
    }

    /// The postmaster's pid from `postmaster.pid`, or nil when the file is absent.
    static func postmasterPID(_ cluster: EmbeddedPostgres) -> Int32? {
        guard let text = try? String(contentsOfFile: cluster.directory + "/postmaster.pid", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first.flatMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Whether `pid` is a live process (a zombie waiting for a reaper counts as gone).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.range(of: ") ", options: .backwards)
        else { return false }
        return stat[afterName.upperBound...].first != "Z"
    }

    /// `pg_ctl status`: 0 when a server runs, 3 when none does.
    static func pgCtlStatus(_ cluster: EmbeddedPostgres) async throws -> Int32 {
        try await pgCtl(cluster, ["status"])
    }

    static func pgCtl(_ cluster: EmbeddedPostgres, _ arguments: [String]) async throws -> Int32 {
        let pgCtl = cluster.binDirectory + "/pg_ctl"
        let all = ["-D", cluster.directory] + arguments
        if geteuid() == 0 {
            return try await ProcessRunner.run("/usr/sbin/runuser", ["-u", "postgres", "--", pgCtl] + all, outputPath: nil)
        }
        return try await ProcessRunner.run(pgCtl, all, outputPath: nil)
    }
}
