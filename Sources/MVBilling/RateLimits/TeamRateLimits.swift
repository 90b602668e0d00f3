import Foundation
import Logging
import MVCore
import PostgresNIO

/// Per-team overrides of the named rate-limit policies (`team_rate_limits`), set by platform admins. The bucket
/// statements read them (SQL function `rate_limit_policy`), so a change applies on the very next request of every
/// instance, with no redeploy and no cache to invalidate.
public struct TeamRateLimits: Sendable {
    /// The policies a team may override.
    public static let policies: Set<String> = ["generate", "api"]

    /// One override: `refill` tokens every `perSeconds` seconds, up to `capacity`.
    public struct Override: Codable, Sendable, Equatable {
        /// Bucket size.
        public var capacity: Int
        /// Tokens added per `perSeconds`.
        public var refill: Int
        /// The refill period in seconds.
        public var perSeconds: Int

        /// Creates an override.
        public init(capacity: Int, refill: Int, perSeconds: Int) {
            self.capacity = capacity
            self.refill = refill
            self.perSeconds = perSeconds
        }

        /// The policy this override puts in force for `name`.
        public func policy(named name: String) -> RateLimitPolicy {
            RateLimitPolicy(name: name, capacity: capacity, refillPerSecond: Double(refill) / Double(perSeconds))
        }
    }

    /// Why an override set was refused.
    public enum Failure: Error, Sendable, Equatable {
        /// A field is out of range or names an unknown policy.
        case invalidInput(field: String, message: String)
    }

    let client: PostgresClient
    let audit: AuditLog
    let logger: Logger

    /// Creates the store.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.audit = AuditLog(logger: logger)
        self.logger = logger
    }

    /// The team's overrides by policy name.
    public func overrides(teamID: UUID) async throws -> [String: Override] {
        let rows = try await client.query(
            "SELECT policy, capacity, refill, per_seconds FROM team_rate_limits WHERE team_id = \(teamID)", logger: logger)
        var result: [String: Override] = [:]
        for try await (policy, capacity, refill, perSeconds) in rows.decode((String, Int, Int, Int).self) {
            result[policy] = Override(capacity: capacity, refill: refill, perSeconds: perSeconds)
        }
        return result
    }

    /// Replaces the team's overrides with `overrides` (policies not named lose theirs) and records
    /// `admin.rate_limits_changed`, in one transaction.
    /// - Throws: ``Failure/invalidInput(field:message:)`` naming `<policy>.<field>`.
    public func replace(teamID: UUID, with overrides: [String: Override], by actor: AuditEvent.Actor) async throws {
        for (name, value) in overrides {
            guard Self.policies.contains(name) else {
                throw Failure.invalidInput(field: name, message: "is not a policy; use \(Self.policies.sorted().joined(separator: " or "))")
            }
            guard (1...1_000_000).contains(value.capacity) else { throw Failure.invalidInput(field: "\(name).capacity", message: "must be 1...1000000") }
            guard (1...1_000_000).contains(value.refill) else { throw Failure.invalidInput(field: "\(name).refill", message: "must be 1...1000000") }
            guard (1...86_400).contains(value.perSeconds) else {
                throw Failure.invalidInput(field: "\(name).per_seconds", message: "must be 1...86400")
            }
        }
        let names = overrides.keys.sorted()
        let capacities = names.map { overrides[$0]?.capacity ?? 0 }
        let refills = names.map { overrides[$0]?.refill ?? 0 }
        let periods = names.map { overrides[$0]?.perSeconds ?? 0 }
        try await client.transaction(logger: logger) { connection in
            try await connection.query(
                """
                WITH dropped AS (
                    DELETE FROM team_rate_limits WHERE team_id = \(teamID) AND NOT (policy = ANY(\(names)))
                )
                INSERT INTO team_rate_limits AS o (team_id, policy, capacity, refill, per_seconds, updated_by)
                SELECT \(teamID), v.policy, v.capacity, v.refill, v.per_seconds, \(actor.userID)
                FROM unnest(\(names)::text[], \(capacities)::int[], \(refills)::int[], \(periods)::int[]) AS v (policy, capacity, refill, per_seconds)
                ON CONFLICT (team_id, policy) DO UPDATE
                SET capacity = EXCLUDED.capacity, refill = EXCLUDED.refill, per_seconds = EXCLUDED.per_seconds,
                    updated_by = EXCLUDED.updated_by, updated_at = now()
                """,
                logger: logger)
            var detail: [String: JSONValue] = [:]
            for name in names {
                guard let value = overrides[name] else { continue }
                detail[name] = .object([
                    "capacity": .number(Double(value.capacity)), "refill": .number(Double(value.refill)),
                    "per_seconds": .number(Double(value.perSeconds)),
                ])
            }
            try await audit.record(
                AuditEvent(.adminRateLimitsChanged, by: actor, teamID: teamID, target: .init(type: "team", id: teamID.lowercased), detail: detail),
                on: connection)
        }
    }
}
