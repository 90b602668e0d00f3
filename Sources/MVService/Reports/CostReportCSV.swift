import Foundation
import MVBilling
import NIOCore

/// RFC 4180 CSV for cost reports: one header row, CRLF line ends, fields quoted when they hold a comma, a quote, CR
/// or LF (quotes doubled); a null group value is an empty field. No totals row: totals are the column sums.
enum CostReportCSV {
    /// The header line for a report grouped by `dimensions`.
    static func header(_ dimensions: [CostReportDimension]) -> String {
        line(CostReportRow.columns(dimensions).map(Optional.some))
    }

    /// One row's line.
    static func line(_ row: CostReportRow) -> String {
        line(row.columnValues)
    }

    static func line(_ fields: [String?]) -> String {
        fields.map { field(($0 ?? "")) }.joined(separator: ",") + "\r\n"
    }

    /// One field, quoted when needed.
    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
