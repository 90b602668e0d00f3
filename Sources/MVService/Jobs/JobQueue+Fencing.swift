import Foundation
import Logging
import MVCore
import PostgresNIO

/// One `event: stage` of a render or re-roll job's SSE stream.
struct StageEvent: Sendable, Equatable {
    /// Row id: the order of events, and the stream's event id (`stage-<id>`).
    var id: Int64
    var stage: ProjectStageName
    var status: StageEventStatus
}

extension JobQueue {
    /// The fence of a worker's multi-statement write: refuses with ``Failure/staleLease`` unless `job`'s lease is
    /// still current, and locks the job row until `connection`'s transaction ends, so a cancel or a rescue waits for
    /// this transaction and everything it writes commits under the lease (or not at all).
    func requireLease(_ job: ClaimedJob, on connection: PostgresConnection) async throws {
        let rows = try await connection.query("""
            SELECT id FROM jobs WHERE id = \(job.id) AND lease_token = \(job.leaseToken) AND state = 'running' FOR UPDATE
            """, logger: logger)
        guard try await rows.decode(UUID.self).first(where: { _ in true }) != nil else { throw Failure.staleLease }
    }

    /// Appends a stage event of `job` on `connection` (inside a fenced transaction).
    func recordStage(_ job: ClaimedJob, _ stage: ProjectStageName, _ status: StageEventStatus, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO job_stage_events (job_id, stage, status) VALUES (\(job.id), \(stage.rawValue), \(status.rawValue))
            """, logger: logger)
    }

    /// The stage events of `jobID` after event `after` (0 for all), in order.
    func stageEvents(jobID: UUID, after: Int64) async throws -> [StageEvent] {
        let rows = try await client.query("""
            SELECT id, stage, status FROM job_stage_events WHERE job_id = \(jobID) AND id > \(after) ORDER BY id LIMIT 1000
            """, logger: logger)
        var events: [StageEvent] = []
        for try await (id, stage, status) in rows.decode((Int64, String, String).self) {
            guard let stage = ProjectStageName(rawValue: stage), let status = StageEventStatus(rawValue: status) else { continue }
            events.append(StageEvent(id: id, stage: stage, status: status))
        }
        return events
    }
}
