import Crypto
import Foundation
import HTTPTypes
import MVFakeProviders
import Testing

/// Webhook helpers: registration through the API, and a Standard Webhooks verifier written here, independently of
/// the service's signing code (swift-crypto HMAC directly).
enum WebhookFixtures {
    /// Registers `url` for `events` in `team` as `account`; fails the test unless 201.
    static func register(
        _ client: TestClient, team: String, as account: TestClient.Account, url: String, events: [String]
    ) async throws -> (id: String, secret: String) {
        let reply = try await client.request(
            .post, "/api/teams/\(team)/webhooks", token: account.accessToken, json: ["url": url, "events": events])
        guard reply.status == .created, let id = reply.json["id"] as? String, let secret = reply.json["secret"] as? String else {
            throw TestFailure("webhook registration failed: \(reply.status) \(reply.text)")
        }
        return (id, secret)
    }

    /// Whether `received` carries a valid `v1` signature under `secret` (`whsec_<base64 key>`), per the Standard Webhooks
    /// spec: HMAC-SHA256 over `"<webhook-id>.<webhook-timestamp>.<body>"`, base64, any of the space-separated signatures,
    /// and a timestamp within five minutes of now.
    static func verify(_ received: FakeWebhookReceiver.Received, secret: String) -> Bool {
        guard secret.hasPrefix("whsec_"), let key = Data(base64Encoded: String(secret.dropFirst(6))),
            let id = received.headers["webhook-id"], let timestamp = received.headers["webhook-timestamp"],
            let seconds = Int64(timestamp), let signatures = received.headers["webhook-signature"]
        else { return false }
        guard abs(Int64(Date().timeIntervalSince1970) - seconds) <= 300 else { return false }
        var signed = Data("\(id).\(timestamp).".utf8)
        signed.append(contentsOf: received.body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: key))
        let expected = "v1," + Data(mac).base64EncodedString()
        return signatures.split(separator: " ").contains { $0 == expected }
    }

    /// The received body as a JSON object.
    static func body(_ received: FakeWebhookReceiver.Received) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(received.body))) as? [String: Any] ?? [:]
    }
}
