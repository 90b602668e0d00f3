/// How an open hold was resolved: `captured + released` equals the hold's amount.
public struct HoldResolution: Sendable, Equatable {
    /// Credits moved from the team's held balance to revenue.
    public var captured: Int64
    /// Credits returned from held to available.
    public var released: Int64

    /// Creates a resolution.
    /// - Parameters:
    ///   - captured: Credits charged.
    ///   - released: Credits returned to the team.
    public init(captured: Int64, released: Int64) {
        self.captured = captured
        self.released = released
    }
}
