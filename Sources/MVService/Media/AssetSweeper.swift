import Foundation
import Logging
import MVCore
import PostgresNIO
import ServiceLifecycle

/// Every ``interval``: soft-deletes generated assets older than their team's `retention_days` (audited
/// `asset.deleted`, reason `retention`), then purges rows deleted longer than the restore window ago and the blobs no
/// remaining row references (content-addressed refcount: the blob row and its FILE go only when the last reference
/// does). Each step is one statement; any number of instances may sweep at once. A failed sweep is retried next tick.
struct AssetSweeper: PeriodicChore {
    let postgres: PostgresClient
    let media: any MediaStore
    let restoreWindow: Duration
    let interval: Duration
    let logger: Logger

    var choreName: String { "asset sweep" }

    func runOnce() async throws {
        try await sweep()
    }

    /// One pass. - Returns: how many assets retention deleted, and the blobs whose files were removed.
    @discardableResult
    func sweep() async throws -> (retained: Int, removedBlobs: [String]) {
        let retained = try await applyRetention()
        let removed = try await purge()
        return (retained, removed)
    }

    /// Soft-deletes generated assets past their team's retention and audits each, in one statement.
    private func applyRetention() async throws -> Int {
        let rows = try await postgres.query("""
            WITH expired AS (
                UPDATE assets a SET deleted_at = now()
                FROM teams t
                WHERE t.id = a.team_id AND t.retention_days IS NOT NULL AND a.deleted_at IS NULL AND a.job_id IS NOT NULL
                    AND a.created_at < now() - make_interval(days => t.retention_days)
                RETURNING a.id, a.kind, a.team_id, t.retention_days
            ), audited AS (
                INSERT INTO audit_events (team_id, action, target_type, target_id, detail)
                SELECT team_id, 'asset.deleted', kind, id::text, jsonb_build_object('reason', 'retention', 'retention_days', retention_days)
                FROM expired
                RETURNING 1
            )
            SELECT count(*)::int FROM audited
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Deletes rows soft-deleted before the restore window and, in the same statement, the blobs of theirs that no
    /// other row references, then removes those blobs' files BEFORE committing, while the deleted blob rows are still
    /// locked. A writer storing the same bytes again meanwhile locks the blob row first (``AssetStore/insert(_:on:)``),
    /// so it either waits for this commit and then finds the file gone (and refuses, retryably), or holds the row
    /// first and this DELETE fails on its reference (nothing is removed; the next tick retries).
    /// - Returns: the removed blobs' hashes.
    private func purge() async throws -> [String] {
        let seconds = Double(restoreWindow.components.seconds)
        return try await postgres.transaction(logger: logger) { connection in
            let rows = try await connection.query("""
            WITH purged AS (
                DELETE FROM assets WHERE deleted_at < now() - make_interval(secs => \(seconds))
                RETURNING id, sha256
            ), unreferenced AS (
                DELETE FROM blobs b
                WHERE b.sha256 IN (SELECT sha256 FROM purged)
                    AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.sha256 = b.sha256 AND a.id NOT IN (SELECT id FROM purged))
                RETURNING b.sha256
            )
            SELECT sha256 FROM unreferenced
            """, logger: logger)
            var removed: [String] = []
            for try await sha in rows.decode(String.self) { removed.append(sha) }
            for sha in removed { try await media.remove(sha256: sha) }
            return removed
        }
    }
}
