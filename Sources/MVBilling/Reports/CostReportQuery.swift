import Foundation
import MVCore

/// One validated cost report request: a half-open time range `[from, to)`, the zone whose local days the `day`
/// dimension uses, the grouping, and optionally one team.
public struct CostReportQuery: Sendable, Equatable {
    /// Inclusive start: entries written at or after it count.
    public var from: Date
    /// Exclusive end: entries written before it count.
    public var to: Date
    /// IANA zone name for day buckets (known to both Foundation and PostgreSQL; see ``CostReport/knowsTimeZone(_:client:)``).
    public var timeZone: String
    /// Grouping, in canonical order, each dimension once (empty: one total row).
    public var groupBy: [CostReportDimension]
    /// Only this team's entries; nil for all teams (platform admins).
    public var teamID: UUID?

    /// Creates a query.
    /// - Parameters:
    ///   - from: Inclusive start.
    ///   - to: Exclusive end.
    ///   - timeZone: IANA zone for day buckets.
    ///   - groupBy: Dimensions in any order (normalised to canonical order, duplicates dropped).
    ///   - teamID: One team, or nil for all.
    /// - Throws: ``CostReportError/invalidParameter(field:message:)`` naming `from` unless `from < to`.
    public init(from: Date, to: Date, timeZone: String, groupBy: [CostReportDimension], teamID: UUID?) throws(CostReportError) {
        guard from < to else { throw .invalidParameter(field: "from", message: "must be before to (the range is [from, to))") }
        self.from = from
        self.to = to
        self.timeZone = timeZone
        self.groupBy = CostReportDimension.allCases.filter(groupBy.contains)
        self.teamID = teamID
    }

    /// Reads a range bound: a date `YYYY-MM-DD` (local midnight in `zone`) or an RFC 3339 time.
    /// - Parameters:
    ///   - text: What the caller sent.
    ///   - field: Its parameter name, for the error.
    ///   - zone: The report's zone.
    /// - Returns: The instant.
    /// - Throws: ``CostReportError/invalidParameter(field:message:)`` naming `field`.
    public static func instant(_ text: String, field: String, zone: TimeZone) throws(CostReportError) -> Date {
        if let date = RFC3339.date(from: text) { return date }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let components = DateComponents(year: year, month: month, day: day)
            if (1...12).contains(month), let midnight = calendar.date(from: components),
                calendar.component(.day, from: midnight) == day, calendar.component(.month, from: midnight) == month
            {
                // A zone that skips midnight (a DST change at 00:00) starts the day at its first existing instant.
                return calendar.startOfDay(for: midnight)
            }
        }
        throw .invalidParameter(field: field, message: "must be a date YYYY-MM-DD or an RFC 3339 time such as 2026-11-24T18:00:00Z")
    }
}
