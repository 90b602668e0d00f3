import Foundation
import Hummingbird
import Synchronization

/// An identity provider's JWKS endpoint on 127.0.0.1 (`GET /jwks.json`): serves whatever key set the test sets and
/// counts how often it was fetched.
public final class FakeJWKSServer: Sendable {
    /// The served document and the fetch count, shared with the route.
    private final class State: Sendable {
        let value = Mutex((document: #"{"keys":[]}"#, fetches: 0))
    }

    private let host: FakeServerHost
    private let state: State

    private init(host: FakeServerHost, state: State) {
        self.host = host
        self.state = state
    }

    /// Starts the server with an empty key set.
    public static func start() async throws -> FakeJWKSServer {
        let state = State()
        let router = Router()
        router.get("jwks.json") { _, _ -> Response in
            let document = state.value.withLock { value in
                value.fetches += 1
                return value.document
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: document)))
        }
        let host = try await FakeServerHost.start(router: router, label: "fake-jwks")
        return FakeJWKSServer(host: host, state: state)
    }

    /// `http://127.0.0.1:PORT/jwks.json`.
    public var url: String { "http://127.0.0.1:\(host.port)/jwks.json" }

    /// Replaces the key set served (a JWKS JSON document).
    public func serve(_ document: String) {
        state.value.withLock { $0.document = document }
    }

    /// How many times the key set was fetched.
    public var fetches: Int { state.value.withLock { $0.fetches } }

    /// Stops the server.
    public func stop() async {
        await host.stop()
    }
}
