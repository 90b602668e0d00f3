import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A webhook receiver on 127.0.0.1 (`POST /hook`): records every request (headers and raw body) and answers with the
/// scripted statuses in order (then `defaultStatus`). Signature checks are the test's job, with its own code.
public final class FakeWebhookReceiver: Sendable {
    /// One received request.
    public struct Received: Sendable {
        /// Header fields, lowercased names.
        public var headers: [String: String]
        /// The raw body.
        public var body: [UInt8]
        /// `webhook-id`.
        public var id: String? { headers["webhook-id"] }
    }

    private final class State: Sendable {
        let value = Mutex((received: [Received](), script: [Int](), defaultStatus: 200))
    }

    private let host: FakeServerHost
    private let state: State

    private init(host: FakeServerHost, state: State) {
        self.host = host
        self.state = state
    }

    /// Starts a receiver answering `defaultStatus` unless scripted otherwise.
    public static func start(defaultStatus: Int = 200) async throws -> FakeWebhookReceiver {
        let state = State()
        state.value.withLock { $0.defaultStatus = defaultStatus }
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let status = state.value.withLock { value -> Int in
                value.received.append(Received(headers: headers, body: Array(buffer: body)))
                return value.script.isEmpty ? value.defaultStatus : value.script.removeFirst()
            }
            return Response(status: HTTPResponse.Status(code: status))
        }
        let host = try await FakeServerHost.start(router: router, label: "fake-webhook-receiver")
        return FakeWebhookReceiver(host: host, state: state)
    }

    /// `http://127.0.0.1:PORT/hook`.
    public var url: String { "http://127.0.0.1:\(host.port)/hook" }

    /// The next answers, in order (then the default again).
    public func script(_ statuses: [Int]) {
        state.value.withLock { $0.script = statuses }
    }

    /// Changes the answer after the script runs out.
    public func answer(_ status: Int) {
        state.value.withLock { $0.defaultStatus = status }
    }

    /// Everything received so far, in order.
    public var received: [Received] { state.value.withLock { $0.received } }

    /// Stops the receiver.
    public func stop() async {
        await host.stop()
    }
}
