import Foundation
import Logging
import PostgresNIO

/// The per-team cap on clips rendering at once (`projects.clip_concurrency`), across every render, re-roll, worker
/// and process: a clip takes a slot by turning `running` in a transaction serialised per team by an advisory lock,
/// and only while fewer than the cap of the team's clips are `running` under a live job lease (a dead worker's
/// clips stop counting when its lease expires).
struct ClipSlots: Sendable {
    let store: ProjectStore
    let queue: JobQueue
    /// Clips of one team rendering at once.
    let cap: Int
    /// How long to wait before asking again when the team has no free slot.
    let pollInterval: Duration

    /// Waits for a slot of `job`'s team and marks clip `index` of the project running (fenced).
    func acquire(projectID: UUID, index: Int, job: ClaimedJob) async throws {
        let logger = store.logger
        let cap = Int64(self.cap)
        while true {
            let taken = try await store.fenced(job, queue: queue) { connection -> Bool in
                try await connection.query(
                    "SELECT pg_advisory_xact_lock(hashtextextended('project-clips:' || \(job.teamID.uuidString.lowercased()), 0))",
                    logger: logger)
                let rows = try await connection.query("""
                    SELECT count(*)::int8 FROM project_clips c
                    JOIN jobs j ON j.id = c.job_id
                    WHERE c.status = 'running' AND j.team_id = \(job.teamID) AND j.state = 'running' AND j.lease_expires_at > now()
                        AND NOT (c.project_id = \(projectID) AND c.index = \(index))
                    """, logger: logger)
                var running: Int64 = 0
                for try await value in rows.decode(Int64.self) { running = value }
                guard running < cap else { return false }
                try await connection.query("""
                    UPDATE project_clips SET status = 'running', job_id = \(job.id), updated_at = now()
                    WHERE project_id = \(projectID) AND index = \(index)
                    """, logger: logger)
                return true
            }
            if taken { return }
            try await Task.sleep(for: pollInterval)
        }
    }
}
