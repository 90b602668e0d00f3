import Foundation

/// What a cost report can group by. The declaration order is the canonical nesting order: rows are grouped and
/// sorted by `team, user, api_key, provider, model, kind, day`, whatever order the caller listed them in.
public enum CostReportDimension: String, CaseIterable, Sendable, Codable {
    /// The paying team (`team_id`).
    case team
    /// The user who submitted the job (`user_id`).
    case user
    /// The API key the job came with (`api_key_id`, null for token calls).
    case apiKey = "api_key"
    /// The provider that served the job (`provider`).
    case provider
    /// The provider's model (`model`).
    case model
    /// The job kind (`kind`).
    case kind
    /// The local date of the money movement in the report's zone (`day`, `YYYY-MM-DD`).
    case day

    /// The column (JSON key and CSV header) carrying the group's value in each row.
    public var column: String {
        switch self {
        case .team: "team_id"
        case .user: "user_id"
        case .apiKey: "api_key_id"
        case .provider: "provider"
        case .model: "model"
        case .kind: "kind"
        case .day: "day"
        }
    }

    /// Parses `group_by`: a comma-separated subset, in any order, duplicates allowed; blank means no grouping.
    /// - Returns: The dimensions in canonical order, each once.
    /// - Throws: ``CostReportError/invalidParameter(field:message:)`` naming `group_by` for an unknown name.
    public static func parse(_ list: String) throws(CostReportError) -> [CostReportDimension] {
        var chosen = Set<CostReportDimension>()
        for part in list.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: .whitespaces)
            if name.isEmpty && list.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let dimension = CostReportDimension(rawValue: name) else {
                throw .invalidParameter(
                    field: "group_by", message: "must be a comma-separated list of \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            chosen.insert(dimension)
        }
        return allCases.filter(chosen.contains)
    }

    // MARK: SQL (fixed fragments over the report query's `m` rows, never client text)

    /// The expression selected into the row's column when grouping by this dimension.
    var selected: String {
        switch self {
        case .team: "m.team_id"
        case .user: "m.user_id"
        case .apiKey: "m.api_key_id"
        case .provider: "m.provider_name"
        case .model: "m.provider_model"
        case .kind: "m.kind"
        case .day: "to_char(m.day, 'YYYY-MM-DD')"
        }
    }

    /// What the column holds when not grouping by this dimension.
    var absent: String {
        switch self {
        case .team, .user, .apiKey: "NULL::uuid"
        case .provider, .model, .kind, .day: "NULL::text"
        }
    }

    /// The GROUP BY expression.
    var grouped: String {
        switch self {
        case .day: "m.day"
        default: selected
        }
    }
}
