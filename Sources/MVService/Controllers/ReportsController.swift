import Foundation
import Hummingbird
import MVAuth
import MVBilling
import MVCore
import NIOCore
import PostgresNIO

/// Cost reports: `GET /api/teams/{id}/reports/costs` (team owners and admins: not a member → 404, other roles → 403)
/// and `GET /api/admin/reports/costs` (platform admins, not through API keys; optional `team_id`). Both answer the
/// same rows from ONE query over the ledger (``CostReport``), as JSON or as streamed CSV.
struct ReportsController {
    /// Rows a JSON report carries at most; past it `truncated` is true (totals still cover every row). CSV streams
    /// every row.
    static let maximumJSONRows = 10_000

    let report: CostReport
    let prices: [CostReportPrice]
    let teams: TeamStore
    let postgres: PostgresClient

    func addRoutes(teams group: RouterGroup<AppRequestContext>, admin: RouterGroup<AppRequestContext>) {
        group.get("{id}/reports/costs", use: teamCosts)
        admin.get("reports/costs", use: allCosts)
    }

    /// `format`.
    enum Format: String, CaseIterable {
        case json, csv
    }

    /// A JSON report.
    struct Document: ResponseEncodable {
        var from: Date
        var to: Date
        var tz: String
        var groupBy: [CostReportDimension]
        var rows: [CostReportRow]
        var totals: CostFigures
        var truncated: Bool
    }

    func teamCosts(_ request: Request, context: AppRequestContext) async throws -> Response {
        let teamID = try context.uuidParameter("id", what: "team")
        let (_, membership) = try await TeamAccess(teams: teams).require(.readLedger, in: teamID, context: context)
        var reader = QueryReader(request)
        let (query, format) = try await parameters(&reader, defaultZone: membership.team.timeZone, teamID: teamID)
        return try await respond(query, format: format, request: request, context: context)
    }

    func allCosts(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard principal.isPlatformAdmin, principal.apiKeyID == nil else { throw Problem.forbidden("Platform administrators only.") }
        var reader = QueryReader(request)
        let teamID = reader.uuid("team_id")
        let (query, format) = try await parameters(&reader, defaultZone: "UTC", teamID: teamID)
        return try await respond(query, format: format, request: request, context: context)
    }

    // MARK: Parameters

    /// Reads `from`, `to`, `tz`, `group_by`, `format` (one 422 naming every malformed one), then checks the zone with
    /// PostgreSQL and the range's order.
    private func parameters(
        _ reader: inout QueryReader, defaultZone: String, teamID: UUID?
    ) async throws -> (CostReportQuery, Format) {
        let zoneName = reader.value("tz", "must be an IANA time zone such as Europe/Berlin or UTC") { name in
            TimeZone(identifier: name) != nil && !name.isEmpty ? name : nil
        } ?? (reader.raw("tz") == nil ? defaultZone : nil)
        let zone = zoneName.flatMap(TimeZone.init(identifier:)) ?? .gmt
        let from = reader.value("from", Self.instantMessage) { try? CostReportQuery.instant($0, field: "from", zone: zone) }
        let to = reader.value("to", Self.instantMessage) { try? CostReportQuery.instant($0, field: "to", zone: zone) }
        let groupBy = reader.value("group_by", "must be a comma-separated list of \(Self.dimensionNames)") {
            try? CostReportDimension.parse($0)
        } ?? []
        let format = reader.oneOf("format", Format.self) ?? .json
        try reader.finish()
        guard let zoneName, try await report.knowsTimeZone(zoneName, client: postgres) else {
            throw CostReportError.invalidParameter(field: "tz", message: "is not a time zone the database knows")
        }
        let end = to ?? Date()
        let start = from ?? end.addingTimeInterval(-30 * 86_400)
        let query = try CostReportQuery(from: start, to: end, timeZone: zoneName, groupBy: groupBy, teamID: teamID)
        return (query, format)
    }

    private static let instantMessage = "must be a date YYYY-MM-DD or an RFC 3339 time such as 2026-11-24T18:00:00Z"
    private static let dimensionNames = CostReportDimension.allCases.map(\.rawValue).joined(separator: ", ")

    // MARK: Answers

    private func respond(_ query: CostReportQuery, format: Format, request: Request, context: AppRequestContext) async throws -> Response {
        switch format {
        case .json:
            let (rows, totals, truncated) = try await report.withRows(query, prices: prices, client: postgres) { rows in
                var kept: [CostReportRow] = []
                var totals = CostFigures()
                var truncated = false
                for try await row in rows {
                    totals = totals + row.figures
                    if kept.count < Self.maximumJSONRows { kept.append(row) } else { truncated = true }
                }
                return (kept, totals, truncated)
            }
            let document = Document(
                from: query.from, to: query.to, tz: query.timeZone, groupBy: query.groupBy, rows: rows, totals: totals, truncated: truncated)
            return try document.response(from: request, context: context)
        case .csv:
            var headers = HTTPFields()
            headers[.contentType] = "text/csv; charset=utf-8"
            headers[.contentDisposition] = #"attachment; filename="cost-report.csv""#
            let (report, prices, postgres) = (self.report, self.prices, self.postgres)
            // Streamed: the query runs as the body is written, and rows go out as the database hands them over, in
            // chunks of about 16 KiB. Everything that can be refused was checked before; a database failure from here
            // on can only abort the response.
            let body = ResponseBody { writer in
                var buffer = ByteBuffer()
                buffer.writeString(CostReportCSV.header(query.groupBy))
                try await report.withRows(query, prices: prices, client: postgres) { rows in
                    for try await row in rows {
                        buffer.writeString(CostReportCSV.line(row))
                        if buffer.readableBytes >= 16_384 {
                            try await writer.write(buffer)
                            buffer.clear()
                        }
                    }
                }
                if buffer.readableBytes > 0 { try await writer.write(buffer) }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: headers, body: body)
        }
    }
}
