/// A team's credit balances, in integer credits.
///
/// `posted` is everything granted minus everything captured; `held` is reserved by open holds;
/// `available = posted - held` is what new holds may use. The database keeps `available >= 0`.
public struct Balance: Codable, Sendable, Equatable {
    /// Credits that new holds may reserve (`posted - held`).
    public var available: Int64
    /// Credits reserved by open holds.
    public var held: Int64
    /// Credits on the account, counting held ones.
    public var posted: Int64

    /// Creates a balance.
    /// - Parameters:
    ///   - available: Credits that new holds may reserve.
    ///   - held: Credits reserved by open holds.
    ///   - posted: Credits on the account, counting held ones.
    public init(available: Int64, held: Int64, posted: Int64) {
        self.available = available
        self.held = held
        self.posted = posted
    }

    /// The balance of a team that has no account row yet.
    public static let zero = Balance(available: 0, held: 0, posted: 0)

    /// Builds a balance from the two stored columns.
    init(posted: Int64, held: Int64) {
        self.init(available: posted - held, held: held, posted: posted)
    }
}
