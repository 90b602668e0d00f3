import Foundation
import JWTKit
import MVCore

/// The payload of an external provider's JWT: every claim, since which ones carry the user, team and role is
/// configuration (``ExternalIssuer/ClaimNames``). `verify(using:)` checks `exp` (required) and `nbf` with
/// ``AccessClaims/leeway``; ``ExternalTokenVerifier`` checks `iss` and `aud`.
public struct ExternalClaims: JWTPayload, Equatable {
    /// Every claim of the token.
    public var values: [String: JSONValue]

    /// Claims from values (tests).
    public init(_ values: [String: JSONValue]) {
        self.values = values
    }

    public init(from decoder: any Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: JSONValue].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    /// The string claim `name` (numbers are rendered, for providers with numeric ids), or nil.
    public func string(_ name: String) -> String? {
        switch values[name] {
        case .string(let value): value.isEmpty ? nil : value
        case .number(let value) where value == value.rounded() && abs(value) < 1e15: String(Int64(value))
        default: nil
        }
    }

    /// Whether `aud` (a string or a list of strings) includes `audience`.
    public func hasAudience(_ audience: String) -> Bool {
        values["aud"]?.strings?.contains(audience) ?? false
    }

    /// Checks `exp` (required) and `nbf` (when present) against now with ``AccessClaims/leeway``.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        let now = Date().timeIntervalSince1970
        guard case .number(let exp) = values["exp"], exp + AccessClaims.leeway > now else {
            throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "expired or without exp")
        }
        if let nbf = values["nbf"] {
            guard case .number(let notBefore) = nbf, notBefore - AccessClaims.leeway <= now else {
                throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "not yet valid")
            }
        }
    }
}
