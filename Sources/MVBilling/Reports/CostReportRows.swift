import Foundation
import MVCore
import PostgresNIO

/// The rows of one cost report as they stream from the database (see ``CostReport/rows(_:prices:client:)``).
public struct CostReportRows: AsyncSequence, Sendable {
    /// One report row.
    public typealias Element = CostReportRow

    let rows: PostgresRowSequence
    let dimensions: [CostReportDimension]

    /// Starts reading (a row sequence is read once).
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(rows: rows.makeAsyncIterator(), dimensions: dimensions)
    }

    /// Decodes one database row per step.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var rows: PostgresRowSequence.AsyncIterator
        let dimensions: [CostReportDimension]

        /// The next row, or nil after the last.
        /// - Throws: A `PSQLError` or a `PostgresDecodingError`.
        public mutating func next() async throws -> CostReportRow? {
            guard let row = try await rows.next() else { return nil }
            let columns = try row.decode(
                (UUID?, UUID?, UUID?, String?, String?, String?, String?,
                 Int64, Int64, Int64, Int64, Int64, Int64, Decimal, Int64, Int64, Int64, Decimal, Int64).self)
            let values: [CostReportDimension: String?] = [
                .team: columns.0?.lowercased, .user: columns.1?.lowercased, .apiKey: columns.2?.lowercased,
                .provider: columns.3, .model: columns.4, .kind: columns.5, .day: columns.6,
            ]
            var group: [CostReportDimension: String] = [:]
            for dimension in dimensions {
                if let value = values[dimension] ?? nil { group[dimension] = value }
            }
            let figures = CostFigures(
                jobs: columns.7, succeeded: columns.8, failed: columns.9, canceled: columns.10, creditsCharged: columns.11,
                creditsReleased: columns.12,
                providerUnits: .init(videoSeconds: columns.13, images: columns.14, inputTokens: columns.15, outputTokens: columns.16),
                providerCostUsd: columns.17, marginCredits: columns.18)
            return CostReportRow(dimensions: dimensions, group: group, figures: figures)
        }
    }
}
