import Foundation
import JWTKit
import MVCore

/// The payload of an access token (ES256 JWT).
///
/// `verify(using:)` checks only the time claims (with ``leeway``); ``TokenIssuer/verifyAccessToken(_:)``
/// additionally checks `iss`, `aud`, `sub` and the header.
public struct AccessClaims: JWTPayload, Equatable {
    /// Clock skew tolerated on `exp` and `nbf`, in seconds.
    public static let leeway: TimeInterval = 30

    /// Issuer: this service's configured issuer string.
    public var iss: IssuerClaim
    /// Audience: the configured audience.
    public var aud: AudienceClaim
    /// Subject: the user id (UUID string).
    public var sub: SubjectClaim
    /// Expiry.
    public var exp: ExpirationClaim
    /// Issue time.
    public var iat: IssuedAtClaim
    /// Not valid before.
    public var nbf: NotBeforeClaim
    /// Unique token id.
    public var jti: IDClaim

    /// Creates claims.
    /// - Parameters:
    ///   - iss: Issuer.
    ///   - aud: Audience.
    ///   - sub: Subject (user id string).
    ///   - exp: Expiry.
    ///   - iat: Issue time.
    ///   - nbf: Not-before time.
    ///   - jti: Token id.
    public init(
        iss: IssuerClaim,
        aud: AudienceClaim,
        sub: SubjectClaim,
        exp: ExpirationClaim,
        iat: IssuedAtClaim,
        nbf: NotBeforeClaim,
        jti: IDClaim
    ) {
        self.iss = iss
        self.aud = aud
        self.sub = sub
        self.exp = exp
        self.iat = iat
        self.nbf = nbf
        self.jti = jti
    }

    /// The user id in `sub`; never `nil` for claims returned by ``TokenIssuer/verifyAccessToken(_:)``.
    public var userID: UUID? {
        UUID(parsing: sub.value)
    }

    /// Checks `exp` and `nbf` against the current time with ``leeway``.
    /// - Parameter algorithm: The verifying algorithm (unused; the key decides it).
    /// - Throws: `JWTError.claimVerificationFailure` when expired or not yet valid.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        let now = Date()
        try exp.verifyNotExpired(currentDate: now.addingTimeInterval(-Self.leeway))
        try nbf.verifyNotBefore(currentDate: now.addingTimeInterval(Self.leeway))
    }
}
