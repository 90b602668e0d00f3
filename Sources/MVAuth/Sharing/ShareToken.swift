import Foundation
import MVCore

/// The token of a share link (`/s/{token}`): base64url of the share id (16 bytes), the expiry (8 bytes, big-endian
/// seconds since 1970) and an HMAC-SHA256 (32 bytes) under the ``ServerSecret`` over (share id, asset id, expiry).
/// The asset id is not in the token: it comes from the share row, so a token verifies only for the asset it was made for.
///
/// ```swift
/// let text = ShareToken.sign(shareID: id, assetID: asset, expiresAt: expiry, secret: secret)
/// guard let token = ShareToken(text), token.isValid(assetID: row.assetID, secret: secret) else { /* 404 */ }
/// ```
public struct ShareToken: Sendable, Equatable {
    /// Bytes of a token: id, expiry, MAC.
    static let byteCount = 16 + 8 + 32

    /// The share row's id.
    public var shareID: UUID
    /// When the link stops working (whole seconds since 1970).
    public var expiresAt: Int64
    /// The presented MAC.
    var mac: Data

    /// Parses `text`; nil unless it is base64url of exactly ``byteCount`` bytes.
    public init?(_ text: some StringProtocol) {
        guard text.utf8.count <= 100, text.utf8.allSatisfy(Base64URL.isAlphabet),
            let bytes = Base64URL.decode(text), bytes.count == Self.byteCount
        else { return nil }
        let raw = Array(bytes)
        shareID = UUID(uuid: (
            raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7], raw[8], raw[9], raw[10], raw[11], raw[12], raw[13],
            raw[14], raw[15]))
        expiresAt = raw[16..<24].reduce(Int64(0)) { ($0 << 8) | Int64($1) }
        mac = Data(raw[24...])
    }

    /// The token text for a share.
    public static func sign(shareID: UUID, assetID: UUID, expiresAt: Int64, secret: ServerSecret) -> String {
        var bytes = withUnsafeBytes(of: shareID.uuid) { Array($0) }
        bytes += (0..<8).reversed().map { UInt8(truncatingIfNeeded: expiresAt >> ($0 * 8)) }
        bytes += Array(secret.mac(message(shareID: shareID, assetID: assetID, expiresAt: expiresAt)))
        return Base64URL.encode(bytes)
    }

    /// Whether the MAC is the one for (``shareID``, `assetID`, ``expiresAt``), compared in constant time.
    public func isValid(assetID: UUID, secret: ServerSecret) -> Bool {
        secret.isValid(mac: mac, for: Self.message(shareID: shareID, assetID: assetID, expiresAt: expiresAt))
    }

    private static func message(shareID: UUID, assetID: UUID, expiresAt: Int64) -> String {
        "mv-share-v1:\(shareID.lowercased):\(assetID.lowercased):\(expiresAt)"
    }
}
