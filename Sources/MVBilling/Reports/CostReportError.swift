/// Why a cost report cannot be produced as asked. Knows nothing of HTTP: the edge answers 422 naming `field`.
public enum CostReportError: Error, Sendable, Equatable {
    /// A parameter is malformed or out of range (`from`, `to`, `tz`, `group_by`).
    case invalidParameter(field: String, message: String)
}
