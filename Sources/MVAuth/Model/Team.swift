import Foundation

/// A team: the unit that owns content and credits.
public struct Team: Codable, Sendable, Equatable {
    /// Primary key.
    public var id: UUID
    /// Display name (1...200 characters).
    public var name: String
    /// `true` for the team created with each user at registration.
    public var personal: Bool
    /// When the team was created.
    public var createdAt: Date
    /// The IANA time zone its calendar periods (quotas, report days) follow.
    public var timeZone: String

    /// Creates a team value.
    /// - Parameters:
    ///   - id: Primary key.
    ///   - name: Display name.
    ///   - personal: Whether this is a user's personal team.
    ///   - createdAt: Creation time.
    ///   - timeZone: IANA time zone, `UTC` by default.
    public init(id: UUID, name: String, personal: Bool, createdAt: Date, timeZone: String = "UTC") {
        self.timeZone = timeZone
        self.id = id
        self.name = name
        self.personal = personal
        self.createdAt = createdAt
    }
}
