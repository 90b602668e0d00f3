import Foundation
import Logging
import MVAuth
import MVBackends
import MVCore
import PostgresNIO

/// Projects in PostgreSQL: the asset row (kind `project`, its fields as metadata; access through `asset_permission`
/// like every asset) and the render state (`projects`, `project_stages`, `project_clips`). Reads of the render state
/// are one query each; the render job's writes are in ``ProjectStore`` `+Render`, every one fenced by the job's lease.
struct ProjectStore: Sendable {
    let client: PostgresClient
    let assets: AssetStore
    let logger: Logger

    /// Creates the project asset and its render-state row in one transaction.
    /// - Returns: The new project's id.
    func create(_ spec: ProjectSpec, tags: [String]?, ownerID: UUID, teamID: UUID) async throws -> UUID {
        let id = UUID()
        let metadata = try JSONValue.encoding(spec)
        try await client.transaction(logger: logger) { connection in
            try await assets.insert(
                AssetStore.NewAsset(
                    id: id, kind: .project, ownerID: ownerID, teamID: teamID, jobID: nil, projectID: id, blob: nil, title: spec.title,
                    metadata: metadata),
                on: connection)
            if let tags {
                try await connection.query("UPDATE assets SET tags = \(tags) WHERE id = \(id)", logger: logger)
            }
            try await connection.query("INSERT INTO projects (id) VALUES (\(id))", logger: logger)
        }
        return id
    }

    /// Stores changed fields (title and metadata, tags when given) of a live project.
    func update(id: UUID, spec: ProjectSpec, tags: [String]?) async throws {
        try await client.query("""
            UPDATE assets SET title = \(spec.title), metadata = \(JSONB(try JSONValue.encoding(spec))), tags = COALESCE(\(tags), tags)
            WHERE id = \(id) AND kind = 'project' AND deleted_at IS NULL
            """, logger: logger)
    }

    /// The project's render state, in one query; nil for an unknown id. Callers decided access already.
    func renderState(_ id: UUID) async throws -> ProjectRenderState? {
        try await renderState(id, on: nil)
    }

    /// Like ``renderState(_:)``, on `connection` when given (sees the caller's transaction).
    func renderState(_ id: UUID, on connection: PostgresConnection?) async throws -> ProjectRenderState? {
        let query: PostgresQuery = """
            SELECT p.render_job_id, j.state, p.scene_set_id, p.image_ids, p.final_video_id,
                (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'name', s.name, 'status', s.status, 'credits', s.credits,
                        'started_at', to_char(s.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                        'finished_at', to_char(s.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                        'provider_checkpoint', s.provider_checkpoint)
                    ORDER BY array_position(ARRAY['scenes', 'character', 'clips', 'merge'], s.name)), '[]'::jsonb)
                 FROM project_stages s WHERE s.project_id = p.id),
                (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'index', c.index, 'status', c.status, 'video_id', c.video_id, 'credits', c.credits, 'job_id', c.job_id,
                        'provider_checkpoint', c.provider_checkpoint) ORDER BY c.index), '[]'::jsonb)
                 FROM project_clips c WHERE c.project_id = p.id)
            FROM projects p LEFT JOIN jobs j ON j.id = p.render_job_id
            WHERE p.id = \(id)
            """
        let rows = if let connection { try await connection.query(query, logger: logger) } else { try await client.query(query, logger: logger) }
        let columns = (UUID?, JobState?, UUID?, [UUID], UUID?, JSONB<[ProjectRenderState.Stage]>, JSONB<[ProjectRenderState.Clip]>).self
        for try await row in rows.decode(columns) {
            return ProjectRenderState(
                projectID: id, renderJobID: row.0, jobState: row.1, sceneSetID: row.2, imageIDs: row.3, finalVideoID: row.4,
                stages: row.5.value, clips: row.6.value)
        }
        return nil
    }

    /// What the project's jobs cost so far (every render and re-roll): quoted, still held, charged, released.
    func cost(_ id: UUID) async throws -> JobResponse.Cost {
        let rows = try await client.query("""
            SELECT coalesce(sum(j.quoted), 0)::int8,
                coalesce(sum(CASE WHEN h.status = 'open' THEN h.amount - h.captured ELSE 0 END), 0)::int8,
                coalesce(sum(h.captured), 0)::int8, coalesce(sum(h.released), 0)::int8
            FROM jobs j JOIN holds h ON h.job_id = j.id
            WHERE j.project_id = \(id) AND j.kind IN ('render_project', 'regenerate_scene')
            """, logger: logger)
        for try await (quoted, held, charged, released) in rows.decode((Int64, Int64, Int64, Int64).self) {
            return JobResponse.Cost(quoted: quoted, held: held, charged: charged, released: released)
        }
        return JobResponse.Cost(quoted: 0, held: 0, charged: 0, released: 0)
    }

    /// The project's re-rolls, oldest first: which scene, the job, its state, what it cost and, when free, why.
    func rerolls(_ id: UUID) async throws -> [ProjectResponse.Reroll] {
        let rows = try await client.query("""
            SELECT j.id, (j.request ->> 'index')::int, j.state, j.charged, j.request ->> 'free_reason', j.created_at
            FROM jobs j
            WHERE j.project_id = \(id) AND j.kind = 'regenerate_scene'
            ORDER BY j.created_at, j.id LIMIT 200
            """, logger: logger)
        var rerolls: [ProjectResponse.Reroll] = []
        for try await (jobID, index, state, charged, reason, createdAt) in rows.decode((UUID, Int, JobState, Int64, String?, Date).self) {
            rerolls.append(.init(index: index, jobId: jobID, status: state, charged: charged, free: reason != nil, freeReason: reason, createdAt: createdAt))
        }
        return rerolls
    }

    /// Makes job `jobID` the project's latest render or re-roll, in the admission transaction, unless another one is
    /// queued or running; the project row's lock makes two concurrent admissions of one project serialise here.
    /// - Throws: ``ProjectError/busy``.
    func claim(projectID: UUID, jobID: UUID, on connection: PostgresConnection) async throws {
        // Lock first; the check below is then a new statement whose snapshot sees a concurrent admission's job.
        try await connection.query("SELECT id FROM projects WHERE id = \(projectID) FOR UPDATE", logger: logger)
        let rows = try await connection.query("""
            UPDATE projects p SET render_job_id = \(jobID), updated_at = now()
            WHERE p.id = \(projectID)
                AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = p.render_job_id AND j.state IN ('queued', 'running'))
            RETURNING p.id
            """, logger: logger)
        guard try await rows.decode(UUID.self).first(where: { _ in true }) != nil else { throw ProjectError.busy }
    }
}
