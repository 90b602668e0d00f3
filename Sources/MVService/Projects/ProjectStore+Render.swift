import Foundation
import Logging
import MVBackends
import MVBilling
import MVCore
import PostgresNIO

/// The render job's writes: each one transaction, fenced by the job's lease token (``JobQueue/requireLease(_:on:)``),
/// and each finished piece recorded together with its capture (``Ledger/capturePart(jobID:part:amount:reason:on:)``),
/// so a rescued render resumes at the first unfinished piece and never pays twice for a finished one.
extension ProjectStore {
    /// Runs `body` in one transaction under `job`'s lease.
    func fenced<T: Sendable>(
        _ job: ClaimedJob, queue: JobQueue, _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await client.transaction(logger: logger) { connection in
            try await queue.requireLease(job, on: connection)
            return try await body(connection)
        }
    }

    /// Marks stage `name` running for `job` (stage event `running`). A stage's credits add up over the project's
    /// renders and re-rolls.
    func startStage(_ name: ProjectStageName, projectID: UUID, job: ClaimedJob, queue: JobQueue) async throws {
        _ = try await fenced(job, queue: queue) { connection in
            try await connection.query("""
                INSERT INTO project_stages (project_id, name, status, job_id, started_at, credits)
                VALUES (\(projectID), \(name.rawValue), 'running', \(job.id), now(), 0)
                ON CONFLICT (project_id, name) DO UPDATE
                SET status = 'running', job_id = EXCLUDED.job_id, started_at = now(), finished_at = NULL
                """, logger: logger)
            try await queue.recordStage(job, name, .running, on: connection)
        }
    }

    /// Records that stage `name` was done before (a resumed render): stage event `skipped`.
    func skipStage(_ name: ProjectStageName, job: ClaimedJob, queue: JobQueue) async throws {
        _ = try await fenced(job, queue: queue) { connection in try await queue.recordStage(job, name, .skipped, on: connection) }
    }

    /// Marks stage `name` failed (stage event `failed`).
    func failStage(_ name: ProjectStageName, projectID: UUID, job: ClaimedJob, queue: JobQueue) async throws {
        _ = try await fenced(job, queue: queue) { connection in
            try await connection.query("""
                UPDATE project_stages SET status = 'failed', finished_at = now(), provider_checkpoint = NULL
                WHERE project_id = \(projectID) AND name = \(name.rawValue)
                """, logger: logger)
            try await queue.recordStage(job, name, .failed, on: connection)
        }
    }

    /// Saves the provider job a stage (`clip` nil) or a clip started, before the worker waits on it.
    func saveCheckpoint(
        _ checkpoint: ProviderCheckpoint, projectID: UUID, stage: ProjectStageName, clip: Int?, job: ClaimedJob, queue: JobQueue
    ) async throws {
        _ = try await fenced(job, queue: queue) { connection in
            if let clip {
                try await connection.query("""
                    UPDATE project_clips SET provider_checkpoint = \(JSONB(checkpoint)), updated_at = now()
                    WHERE project_id = \(projectID) AND index = \(clip)
                    """, logger: logger)
            } else {
                try await connection.query("""
                    UPDATE project_stages SET provider_checkpoint = \(JSONB(checkpoint))
                    WHERE project_id = \(projectID) AND name = \(stage.rawValue)
                    """, logger: logger)
            }
        }
    }

    /// Records a finished stage in ONE fenced transaction: `write` (its asset rows and project columns), the stage
    /// row (succeeded, its credits), the capture of `charge` as part `name` of the job's hold, and the stage event.
    func finishStage(
        _ name: ProjectStageName, projectID: UUID, charge: Int64, job: ClaimedJob, queue: JobQueue,
        write: @Sendable (PostgresConnection) async throws -> Void
    ) async throws {
        let ledger = queue.ledger
        _ = try await fenced(job, queue: queue) { connection in
            try await write(connection)
            try await connection.query("""
                UPDATE project_stages SET status = 'succeeded', finished_at = now(), credits = credits + \(charge),
                    provider_checkpoint = NULL
                WHERE project_id = \(projectID) AND name = \(name.rawValue)
                """, logger: logger)
            if charge > 0 {
                _ = try await ledger.capturePart(
                    jobID: job.id, part: name.rawValue, amount: charge, reason: "project \(projectID.lowercased) \(name.rawValue)",
                    on: connection)
            }
            try await queue.recordStage(job, name, .succeeded, on: connection)
        }
    }

    /// Records the scene script: the scene set asset, `projects.scene_set_id`, one pending clip row per scene (a
    /// re-written script starts its clips afresh).
    func finishScenes(projectID: UUID, made: ScenesOutcome, charge: Int64, job: ClaimedJob, queue: JobQueue) async throws {
        let assets = self.assets
        let logger = self.logger
        try await finishStage(.scenes, projectID: projectID, charge: charge, job: job, queue: queue) { connection in
            try await assets.insert(made.asset, on: connection)
            try await connection.query("""
                UPDATE projects SET scene_set_id = \(made.asset.id), final_video_id = NULL, updated_at = now() WHERE id = \(projectID)
                """, logger: logger)
            try await connection.query("DELETE FROM project_clips WHERE project_id = \(projectID)", logger: logger)
            try await connection.query("""
                INSERT INTO project_clips (project_id, index, status)
                SELECT \(projectID), i, 'pending' FROM generate_series(0, \(made.sceneSet.scenes.count - 1)) AS i
                """, logger: logger)
        }
    }

    /// Records the character reference: its image assets and `projects.image_ids`.
    func finishCharacter(projectID: UUID, made: ImagesOutcome, charge: Int64, job: ClaimedJob, queue: JobQueue) async throws {
        let assets = self.assets
        let logger = self.logger
        try await finishStage(.character, projectID: projectID, charge: charge, job: job, queue: queue) { connection in
            for asset in made.assets { try await assets.insert(asset, on: connection) }
            try await connection.query("""
                UPDATE projects SET image_ids = \(made.imageIDs), updated_at = now() WHERE id = \(projectID)
                """, logger: logger)
        }
    }

    /// Puts clips a previous attempt left `running` back to `pending` (they belong to no live worker now).
    func resetRunningClips(projectID: UUID, job: ClaimedJob, queue: JobQueue) async throws {
        _ = try await fenced(job, queue: queue) { connection in
            try await connection.query("""
                UPDATE project_clips SET status = 'pending', updated_at = now() WHERE project_id = \(projectID) AND status = 'running'
                """, logger: logger)
        }
    }

    /// Records a finished clip in ONE fenced transaction: its video asset, the clip row (succeeded, its video, its
    /// credits), the clips stage's credits, and the capture of `charge` as part `clip:<index>` of the job's hold.
    func finishClip(projectID: UUID, index: Int, made: VideoOutcome, charge: Int64, job: ClaimedJob, queue: JobQueue) async throws {
        let assets = self.assets
        let ledger = queue.ledger
        _ = try await fenced(job, queue: queue) { connection in
            try await assets.insert(made.asset, on: connection)
            let rows = try await connection.query("""
                UPDATE project_clips SET status = 'succeeded', video_id = \(made.asset.id), job_id = \(job.id), credits = \(charge),
                    provider_checkpoint = NULL, error = NULL, updated_at = now()
                WHERE project_id = \(projectID) AND index = \(index)
                RETURNING index
                """, logger: logger)
            guard try await rows.decode(Int.self).first(where: { _ in true }) != nil else { throw ProjectError.sceneNotFound(index: index) }
            try await connection.query("""
                UPDATE project_stages SET credits = credits + \(charge) WHERE project_id = \(projectID) AND name = 'clips'
                """, logger: logger)
            if charge > 0 {
                _ = try await ledger.capturePart(
                    jobID: job.id, part: "clip:\(index)", amount: charge, reason: "project \(projectID.lowercased) clip \(index)",
                    on: connection)
            }
        }
    }

    /// Records a clip that failed (`blocked` when the provider refused it): re-rolling it later is free. With
    /// `keepPrevious` (a failed re-roll) a clip that has a video stays `succeeded` with it. The clip's provider
    /// checkpoint is dropped: the next attempt starts a new provider job rather than resuming a failed one.
    func failClip(
        projectID: UUID, index: Int, status: PieceStatus, failure: JobFailure, keepPrevious: Bool, job: ClaimedJob, queue: JobQueue
    ) async throws {
        _ = try await fenced(job, queue: queue) { connection in
            try await connection.query("""
                UPDATE project_clips
                SET status = CASE WHEN \(keepPrevious) AND video_id IS NOT NULL THEN 'succeeded' ELSE \(status.rawValue) END,
                    error = \(JSONB(failure)), provider_checkpoint = NULL, updated_at = now()
                WHERE project_id = \(projectID) AND index = \(index)
                """, logger: logger)
        }
    }

    /// Records the final cut inside the job's completing transaction (already fenced by ``JobQueue/complete``): the
    /// video asset, `projects.final_video_id`, the merge stage, its event.
    func finishMerge(projectID: UUID, video: AssetStore.NewAsset, job: ClaimedJob, queue: JobQueue, on connection: PostgresConnection) async throws {
        try await assets.insert(video, on: connection)
        try await connection.query("""
            UPDATE projects SET final_video_id = \(video.id), updated_at = now() WHERE id = \(projectID)
            """, logger: logger)
        try await connection.query("""
            UPDATE project_stages SET status = 'succeeded', finished_at = now(), provider_checkpoint = NULL
            WHERE project_id = \(projectID) AND name = 'merge'
            """, logger: logger)
        try await queue.recordStage(job, .merge, .succeeded, on: connection)
    }
}
