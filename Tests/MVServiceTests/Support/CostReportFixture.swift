import AsyncHTTPClient
import Foundation
import Logging
import MVBackends
import MVBilling
import MVCore
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// Helpers of the cost report tests: workers for every job kind, historic jobs written in the ledger's own shape, and
/// report readers that flatten JSON and CSV rows to the same columns.
enum CostReportFixture {
    /// Provider prices for the mock models (models.yaml prices them at 0, which would prove nothing).
    static func priceMockModels(_ config: inout AppConfig) {
        guard var catalog = config.catalog else { return }
        for index in catalog.entries.indices where catalog.entries[index].provider == .mock {
            switch catalog.entries[index].capability {
            case .video: catalog.entries[index].cost = ModelCost(usdPerVideoSecond: 0.035)
            case .image: catalog.entries[index].cost = ModelCost(usdPerImage: 0.015)
            case .scenes: catalog.entries[index].cost = ModelCost(usdPerMillionInputTokens: 1.25, usdPerMillionOutputTokens: 10)
            }
        }
        config.catalog = catalog
    }

    /// A worker with the handlers of all three job kinds, built like `ServiceComponents.build` does.
    static func worker(_ config: AppConfig, postgres: PostgresClient, httpClient: HTTPClient, name: String) throws -> JobWorker {
        var logger = Logger(label: "mvtest.worker.\(name)")
        logger.logLevel = config.logLevel
        let router = GenerationRouter(configuration: config.backends, catalog: try #require(config.catalog), httpClient: httpClient, logger: logger)
        let media = try LocalMediaStore(root: config.dataDirectory + "/media")
        let assets = AssetStore(client: postgres, media: media, logger: logger)
        let handlers: [JobKind: any JobHandler] = [
            .generateVideo: VideoJobHandler(router: router, media: media, assets: assets, prices: config.prices),
            .createScenes: ScenesJobHandler(router: router, assets: assets, prices: config.prices),
            .generateCharacterReference: ImagesJobHandler(router: router, media: media, assets: assets, prices: config.prices),
        ]
        let queue = JobQueue(client: postgres, ledger: Ledger(logger: logger), logger: logger)
        return JobWorker(queue: queue, postgres: postgres, handlers: handlers, settings: config.jobs, name: name, logger: logger)
    }

    /// Runs one worker with `config` until every job in `ids` is final.
    static func drain(_ ids: [UUID], config: AppConfig, context: TestContext, name: String) async throws {
        try await context.withPostgres { postgres in
            let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
            let running = RunningWorker(try worker(config, postgres: postgres, httpClient: httpClient, name: name), name: name)
            let done = try await pollCondition(timeout: .seconds(60)) {
                let rows = try await postgres.query(
                    "SELECT count(*)::int FROM jobs WHERE id = ANY(\(ids)) AND state IN ('succeeded', 'failed', 'canceled')",
                    logger: TestCluster.logger)
                for try await count in rows.decode(Int.self) { return count == ids.count }
                return false
            }
            await running.kill()
            try await httpClient.shutdown()
            #expect(done, "worker \(name) did not finish \(ids)")
        }
    }

    /// Writes a finished job whose hold of `amount` was captured in full at `at`: the job row, its hold row, the hold
    /// and capture transactions, the account movement and the draw from the team's oldest lot that can pay it, exactly
    /// as `Ledger.placeHold` and `Ledger.capture` write them, only with chosen times.
    ///
    /// Why: ledger entries are immutable and stamped `now()` by the statements that write them, so a test cannot move
    /// real entries across a local midnight. Writing historic jobs in the ledger's own balanced shape keeps every
    /// invariant the checker verifies after the test (each transaction sums to zero, accounts equal their entries,
    /// holds match their jobs), and the report cannot tell them from jobs the worker finished.
    static func historicCapture(
        team: UUID, user: UUID, apiKey: UUID? = nil, amount: Int64, at: Date, postgres: PostgresClient
    ) async throws {
        let job = UUID()
        let (holdTransaction, captureTransaction) = (UUID(), UUID())
        let rows = try await postgres.query("""
            WITH acct AS (
                UPDATE credit_accounts SET posted = posted - \(amount), updated_at = now()
                WHERE team_id = \(team) AND posted - held >= \(amount)
                RETURNING team_id
            ), lot AS (
                SELECT id FROM credit_lots WHERE team_id = \(team) AND granted - consumed - expired >= \(amount)
                ORDER BY created_at, id LIMIT 1
            ), drawn AS (
                UPDATE credit_lots SET consumed = consumed + \(amount) WHERE id = (SELECT id FROM lot) AND EXISTS (SELECT 1 FROM acct)
                RETURNING id
            ), consumption AS (
                INSERT INTO lot_consumptions (lot_id, transaction_id, kind, job_id, amount, created_at)
                SELECT id, \(captureTransaction), 'capture', \(job), \(amount), \(at) FROM drawn
            ), job AS (
                INSERT INTO jobs (id, kind, state, user_id, team_id, api_key_id, request, quoted, charged, released,
                                  provider_name, provider_model, usage_video_seconds, progress, stage, created_at, finished_at)
                SELECT \(job), 'generate_video', 'succeeded', \(user), \(team), \(apiKey)::uuid, '{}'::jsonb, \(amount), \(amount), 0,
                       'mock', 'mock-video', \(amount), 1, 'done', \(at) - interval '1 minute', \(at)
                FROM acct, drawn
                RETURNING id
            ), hold AS (
                INSERT INTO holds (job_id, team_id, amount, status, captured, released, created_at, resolved_at, user_id, api_key_id)
                SELECT id, \(team), \(amount), 'captured', \(amount), 0, \(at) - interval '1 minute', \(at), \(user), \(apiKey)::uuid FROM job
            ), moved AS (
                INSERT INTO ledger_entries (transaction_id, account, team_id, kind, amount, job_id, user_id, api_key_id, created_at)
                SELECT v.transaction_id, v.account, v.team_id, v.kind, v.amount, job.id, \(user), \(apiKey)::uuid, v.at
                FROM job CROSS JOIN (VALUES
                    (\(holdTransaction)::uuid, 'available', \(team)::uuid, 'hold', \(-amount)::int8, \(at) - interval '1 minute'),
                    (\(holdTransaction)::uuid, 'held', \(team)::uuid, 'hold', \(amount)::int8, \(at) - interval '1 minute'),
                    (\(captureTransaction)::uuid, 'held', \(team)::uuid, 'capture', \(-amount)::int8, \(at)::timestamptz),
                    (\(captureTransaction)::uuid, 'revenue', NULL::uuid, 'capture', \(amount)::int8, \(at)::timestamptz)
                ) AS v (transaction_id, account, team_id, kind, amount, at)
            )
            SELECT count(*)::int FROM job
            """, logger: TestCluster.logger)
        var written = 0
        for try await count in rows.decode(Int.self) { written = count }
        #expect(written == 1, "historic job not written (team without \(amount) available credits?)")
    }

    /// The ledger's captures in `[from, to)`, optionally for one team: the figure every report must reproduce.
    static func ledgerCaptures(from: Date, to: Date, team: UUID?, context: TestContext) async throws -> Int {
        try await context.scalar("""
            SELECT coalesce(-sum(amount), 0)::int FROM ledger_entries
            WHERE kind = 'capture' AND account = 'held' AND created_at >= \(from) AND created_at < \(to)
              AND (\(team)::uuid IS NULL OR team_id = \(team)::uuid)
            """, as: Int.self) ?? -1
    }

    // MARK: Reading reports

    /// A report's rows flattened to its CSV columns: JSON rows through the column names, CSV rows as parsed.
    struct FlatRows: Equatable, CustomStringConvertible {
        var columns: [String]
        var rows: [[String]]

        var description: String { ([columns] + rows).map { $0.joined(separator: ",") }.joined(separator: "\n") }

        /// The integer sum of one column.
        func sum(_ column: String) -> Int {
            guard let index = columns.firstIndex(of: column) else { return -1 }
            return rows.reduce(0) { $0 + (Int($1[index]) ?? 0) }
        }

        /// Same columns and, cell by cell, the same text or the same number.
        func matches(_ other: FlatRows) -> Bool {
            guard columns == other.columns, rows.count == other.rows.count else { return false }
            for (a, b) in zip(rows, other.rows) {
                guard a.count == b.count else { return false }
                for (x, y) in zip(a, b) where x != y {
                    guard let dx = Double(x), let dy = Double(y), dx == dy else { return false }
                }
            }
            return true
        }
    }

    /// Flattens a JSON report's rows to `columns`.
    static func flatten(json: [String: Any], columns: [String]) -> FlatRows {
        let rows = (json["rows"] as? [[String: Any]] ?? []).map { row in
            columns.map { column -> String in
                let units = row["provider_units"] as? [String: Any] ?? [:]
                let value = column.hasPrefix("provider_units_") ? units[String(column.dropFirst("provider_units_".count))] : row[column]
                switch value {
                case let text as String: return text
                case let number as NSNumber: return number.stringValue
                default: return ""
                }
            }
        }
        return FlatRows(columns: columns, rows: rows)
    }

    /// Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF).
    static func parseCSV(_ text: String) -> FlatRows {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" { field.append("\""); characters.removeFirst() } else { quoted = false }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                record.append(field)
                field = ""
            } else if character == "\r\n" || character == "\n" {
                record.append(field)
                records.append(record)
                record = []
                field = ""
            } else {
                field.append(character)
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return FlatRows(columns: records.first ?? [], rows: Array(records.dropFirst()))
    }
}
