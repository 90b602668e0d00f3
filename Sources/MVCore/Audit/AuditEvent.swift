import Foundation

/// One audited action: who (a user and/or an API key), in which team, on what, from where, and details.
public struct AuditEvent: Sendable, Equatable {
    /// What the target of an action is.
    public struct Target: Sendable, Equatable, Codable {
        /// The kind of object (`user`, `team`, `api_key`, `asset`, ...).
        public var type: String
        /// Its id.
        public var id: String

        /// Creates a target.
        public init(type: String, id: String) {
            self.type = type
            self.id = id
        }
    }

    /// Where a request came from.
    public struct Origin: Sendable, Equatable {
        /// The client address.
        public var ip: String?
        /// The `User-Agent` header.
        public var userAgent: String?

        /// Creates an origin.
        public init(ip: String? = nil, userAgent: String? = nil) {
            self.ip = ip
            self.userAgent = userAgent
        }
    }

    /// Who acts and from where: the part of an event a request knows before anything happens.
    public struct Actor: Sendable, Equatable {
        /// The acting user, if known.
        public var userID: UUID?
        /// The API key used, if any.
        public var keyID: UUID?
        /// Where the request came from.
        public var origin: Origin

        /// Creates an actor.
        public init(userID: UUID?, keyID: UUID? = nil, origin: Origin = Origin()) {
            self.userID = userID
            self.keyID = keyID
            self.origin = origin
        }
    }

    /// The action.
    public var action: AuditAction
    /// The acting user, if known.
    public var actorUserID: UUID?
    /// The API key the request used, if any.
    public var actorKeyID: UUID?
    /// The team the action concerns.
    public var teamID: UUID?
    /// The object acted on.
    public var target: Target?
    /// Where the request came from.
    public var origin: Origin
    /// Extra facts (old and new role, amounts, ...).
    public var detail: [String: JSONValue]

    /// Creates an event.
    public init(
        _ action: AuditAction, actorUserID: UUID?, actorKeyID: UUID? = nil, teamID: UUID?, target: Target? = nil,
        origin: Origin = Origin(), detail: [String: JSONValue] = [:]
    ) {
        self.action = action
        self.actorUserID = actorUserID
        self.actorKeyID = actorKeyID
        self.teamID = teamID
        self.target = target
        self.origin = origin
        self.detail = detail
    }

    /// Creates an event performed by `actor`.
    public init(_ action: AuditAction, by actor: Actor, teamID: UUID?, target: Target? = nil, detail: [String: JSONValue] = [:]) {
        self.init(
            action, actorUserID: actor.userID, actorKeyID: actor.keyID, teamID: teamID, target: target, origin: actor.origin,
            detail: detail)
    }
}
