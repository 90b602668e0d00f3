import Foundation

/// One row of a cost report: the values of its groups (ids lowercase, `day` as local `YYYY-MM-DD`) and its figures.
///
/// JSON: the grouped columns (`team_id`, `user_id`, `api_key_id`, `provider`, `model`, `kind`, `day`; null when the
/// group's value is null, e.g. `api_key_id` of token calls), then the ``CostFigures`` members.
public struct CostReportRow: Sendable, Equatable, Encodable {
    /// The report's grouping, canonical order.
    public var dimensions: [CostReportDimension]
    /// The row's value per grouped dimension; a missing key is a null value.
    public var group: [CostReportDimension: String]
    /// The row's figures.
    public var figures: CostFigures

    /// Creates a row.
    public init(dimensions: [CostReportDimension], group: [CostReportDimension: String], figures: CostFigures) {
        self.dimensions = dimensions
        self.group = group
        self.figures = figures
    }

    /// The flat column names of a report grouped by `dimensions`: the group columns, then ``CostFigures/columns``.
    public static func columns(_ dimensions: [CostReportDimension]) -> [String] {
        dimensions.map(\.column) + CostFigures.columns
    }

    /// The values of ``columns(_:)`` (nil for a null group value).
    public var columnValues: [String?] {
        dimensions.map { group[$0] } + figures.columnValues.map(Optional.some)
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Encodes the group columns, then the figures, as one JSON object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for dimension in dimensions {
            let key = Key(stringValue: dimension.column)
            if let value = group[dimension] { try container.encode(value, forKey: key) } else { try container.encodeNil(forKey: key) }
        }
        try figures.encode(to: encoder)
    }
}
