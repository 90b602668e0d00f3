import AsyncHTTPClient
import Foundation
import Logging
import MVCore
import NIOCore
import NIOHTTP1

/// Sends one signed webhook request: re-checks the URL (SSRF policy, DNS included), pins the connection to the
/// address it checked (`HTTPClient.Configuration.dnsOverride`, so the client never resolves the name again), never
/// follows redirects, and gives up after `timeout`. Never throws: every outcome is an ``Outcome`` to record.
struct WebhookSender: Sendable {
    /// What one attempt came to.
    struct Outcome: Sendable, Equatable {
        /// The receiver's status code, when it answered.
        var responseCode: Int?
        /// Why it failed (refused by the policy, connection error, timeout, non-2xx), nil on success.
        var error: String?
        /// Whether the receiver answered 2xx.
        var succeeded: Bool
    }

    let policy: WebhookURLPolicy
    /// Whole-request deadline.
    let timeout: Duration
    let logger: Logger

    /// POSTs `body` with `headers` to `url`.
    func send(url: String, headers: [(String, String)], body: [UInt8]) async -> Outcome {
        let target: WebhookURLPolicy.Target
        let address: IPAddress
        do {
            target = try policy.parse(url)
            address = try await policy.address(for: target)
        } catch {
            return Outcome(responseCode: nil, error: "not sent: URL \(Self.reason(error))", succeeded: false)
        }
        let millis = Int64(timeout.seconds * 1000)
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .milliseconds(millis), read: .milliseconds(millis)))
        configuration.dnsOverride = [target.host: address.description]
        configuration.connectionPool = .init(idleTimeout: .seconds(1))
        configuration.decompression = .disabled
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let outcome: Outcome
        do {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await client.execute(request, timeout: .milliseconds(millis), logger: logger)
            // Drain a little of the answer so the exchange completes; its content is not kept.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let code = Int(response.status.code)
            let ok = (200..<300).contains(code)
            outcome = Outcome(responseCode: code, error: ok ? nil : "receiver answered \(code)", succeeded: ok)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            outcome = Outcome(responseCode: nil, error: "timed out after \(timeout)", succeeded: false)
        } catch {
            outcome = Outcome(responseCode: nil, error: "request failed: \(String(describing: error).prefix(200))", succeeded: false)
        }
        try? await client.shutdown()
        return outcome
    }

    private static func reason(_ error: any Error) -> String {
        guard let error = error as? WebhookError, case .invalidURL(let why) = error else { return "refused" }
        return why
    }
}
