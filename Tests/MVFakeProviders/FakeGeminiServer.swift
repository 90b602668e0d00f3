import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// A fake Gemini API on 127.0.0.1 (providers.md Part B): `generateContent`, Veo
/// `predictLongRunning` + operations + file download with a redirect, Imagen `:predict`.
public final class FakeGeminiServer: Sendable {
    /// Variants of the generateContent answer.
    public enum SceneMode: Sendable {
        /// Valid JSON scenes, with a thought part before the answer.
        case ok
        /// `finishReason: MAX_TOKENS` and no text part.
        case maxTokensNoText
        /// `finishReason: SAFETY` with no content.
        case safety
        /// `promptFeedback.blockReason: PROHIBITED_CONTENT`, no candidates.
        case promptBlocked
        /// Text that is not valid JSON (cut off).
        case malformedJSON
    }

    /// How a Veo operation ends.
    public enum VeoOutcome: Sendable {
        /// One sample with a download URI.
        case success
        /// One sample with inline base64 bytes.
        case inlineBytes
        /// `done`, no samples, RAI filter reasons.
        case filtered
        /// `done` with `error: {code: 13}`.
        case error
    }

    /// Switchable faults; all off by default.
    public struct Faults: Sendable {
        /// Every API call answers this status with a google.rpc.Status body (500, 503, 504, 403, 404).
        public var status: Int?
        /// The next N calls answer 429 with QuotaFailure + RetryInfo.
        public var rateLimited: Int = 0
        /// The 429s use a per-day quota id (not retryable).
        public var perDayQuota: Bool = false
        /// `RetryInfo.retryDelay`.
        public var retryDelay: String = "1s"
        /// Models answering 404 NOT_FOUND.
        public var retiredModels: Set<String> = []
        /// generateContent variant.
        public var sceneMode: SceneMode = .ok
        /// Veo end state.
        public var veoOutcome: VeoOutcome = .success
        /// Polls answering `done: false` first.
        public var pollsBeforeDone: Int = 1
        /// Operation lookups answer this status (404 = lost operation, 500 = flaky).
        public var operationLookupStatus: Int?
        /// Downloads send half the bytes and break.
        public var truncatedDownload: Bool = false
        /// Extra latency of API answers.
        public var responseDelay: Duration = .zero
        /// API calls never answer (until stop or `stallLimit`).
        public var stall: Bool = false
        /// Upper bound of a stall.
        public var stallLimit: Duration = .seconds(60)

        /// No faults.
        public init() {}
    }

    /// What the fake has seen.
    public struct Counters: Sendable {
        /// generateContent calls.
        public var generateContentCalls = 0
        /// Veo operations created.
        public var operationsCreated = 0
        /// Operation polls.
        public var operationPolls = 0
        /// Imagen predict calls.
        public var imagePredictCalls = 0
        /// File downloads (first hop).
        public var downloads = 0
        /// Second-hop requests that carried the API key (must stay 0).
        public var keyLeakedOnRedirect = 0
        /// Body of the last predictLongRunning, as JSON text.
        public var lastVeoRequest: String?
    }

    struct Operation {
        var model: String
        var polls: Int
    }

    struct State {
        var faults = Faults()
        var counters = Counters()
        var operations: [String: Operation] = [:]
    }

    /// The key the fake accepts.
    public static let apiKey = "fake-gemini-key"
    /// Base URL without `/v1beta`.
    public let baseURL: String
    let host: FakeServerHost
    let state: Mutex<State>
    let media: FakeMedia.Files

    private init(host: FakeServerHost, media: FakeMedia.Files) {
        self.host = host
        self.baseURL = "http://127.0.0.1:\(host.port)"
        self.state = Mutex(State())
        self.media = media
    }

    /// Starts a fake on 127.0.0.1 with a free port.
    /// - Returns: The running fake.
    /// - Throws: When ffmpeg or the server can't start.
    public static func start() async throws -> FakeGeminiServer {
        let media = try await FakeMedia.files()
        let box = FakeGeminiBox()
        let router = Router(context: BasicRequestContext.self)
        box.register(on: router)
        let host = try await FakeServerHost.start(router: router, label: "fake-gemini")
        let server = FakeGeminiServer(host: host, media: media)
        box.set(server)
        return server
    }

    /// Stops the server.
    public func stop() async {
        await host.stop()
    }

    /// Current faults.
    public var faults: Faults { state.withLock { $0.faults } }

    /// Changes faults.
    /// - Parameter change: Edits the faults.
    public func updateFaults(_ change: (inout Faults) -> Void) {
        state.withLock { change(&$0.faults) }
    }

    /// Counters so far.
    public var counters: Counters { state.withLock { $0.counters } }
}

/// Routes registered before the server object exists.
final class FakeGeminiBox: Sendable {
    private let server = Mutex<FakeGeminiServer?>(nil)

    func set(_ value: FakeGeminiServer) {
        server.withLock { $0 = value }
    }

    func get() throws -> FakeGeminiServer {
        guard let value = server.withLock({ $0 }) else { throw HTTPError(.serviceUnavailable) }
        return value
    }

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1beta/models/:model") { request, context in
            try await self.get().modelAction(request, segment: context.parameters.get("model") ?? "")
        }
        router.get("/v1beta/models/:model/operations/:op") { request, context in
            try await self.get().operation(request, model: context.parameters.get("model") ?? "", id: context.parameters.get("op") ?? "")
        }
        router.get("/v1beta/files/:fileAction") { request, context in
            try await self.get().download(request, segment: context.parameters.get("fileAction") ?? "")
        }
        router.get("/storage/:file") { request, _ in
            try await self.get().storage(request)
        }
    }
}
