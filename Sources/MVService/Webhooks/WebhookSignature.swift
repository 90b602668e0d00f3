import Crypto
import Foundation

/// The Standard Webhooks signing scheme: `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`.
enum WebhookSignature {
    /// The message id of an event: `msg_` + its UUID's 32 hex digits; the same on every retry and replay.
    static func messageID(_ eventID: UUID) -> String {
        "msg_" + eventID.uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    /// The `webhook-signature` value for one attempt.
    /// - Parameters:
    ///   - secret: The endpoint's secret.
    ///   - messageID: `webhook-id`.
    ///   - timestamp: `webhook-timestamp` (unix seconds).
    ///   - body: The exact body bytes sent.
    static func sign(secret: WebhookSecret, messageID: String, timestamp: Int64, body: [UInt8]) -> String {
        var signed = Array("\(messageID).\(timestamp).".utf8)
        signed.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: secret.keyBytes))
        return "v1," + Data(mac).base64EncodedString()
    }
}
