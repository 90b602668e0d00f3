import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// A fake Replicate API on 127.0.0.1 speaking the wire protocol of providers.md Part A, with
/// switchable faults and counters. Output files are served from the same host under `/delivery/`.
///
/// ```swift
/// let fake = try await FakeReplicateServer.start()
/// fake.updateFaults { $0.createStatus = 500 }
/// // point REPLICATE_BASE_URL at fake.baseURL, token FakeReplicateServer.token
/// await fake.stop()
/// ```
public final class FakeReplicateServer: Sendable {
    /// How outputs are returned.
    public enum OutputMode: Sendable {
        /// A single https-style URL string (Veo, Imagen on Replicate).
        case url
        /// A list holding one URL.
        case list
        /// A `data:` URI (sync mode).
        case dataURI
    }

    /// Switchable faults; all off by default.
    public struct Faults: Sendable {
        /// Every create answers this status (problem+json), e.g. 500, 402, 422.
        public var createStatus: Int?
        /// Every poll answers this status.
        public var pollStatus: Int?
        /// Share of API calls answered 500, drawn from a seeded generator.
        public var serverErrorRate: Double = 0
        /// Seed of that generator.
        public var serverErrorSeed: UInt64 = 42
        /// The next N creates answer 429.
        public var rateLimitCreates: Int = 0
        /// `Retry-After` seconds on 429s (`nil` = no header).
        public var retryAfterSeconds: Int? = 1
        /// Extra latency of every API answer.
        public var responseDelay: Duration = .zero
        /// API calls never answer (until the server stops or `stallLimit` passes).
        public var stall: Bool = false
        /// Upper bound of a stall.
        public var stallLimit: Duration = .seconds(60)
        /// API answers drop the connection after the head.
        public var resetConnection: Bool = false
        /// JSON bodies of creates and polls are cut in half.
        public var truncatedJSON: Bool = false
        /// Output downloads send half the bytes and break.
        public var truncatedDownload: Bool = false
        /// Output shape.
        public var outputMode: OutputMode = .url
        /// The create answer (Prefer: wait) is already `succeeded`.
        public var finishOnCreate: Bool = false
        /// The create answer is `processing` with the output already present.
        public var outputWhileProcessing: Bool = false
        /// Polls answering `processing` before the terminal status.
        public var pollsBeforeDone: Int = 1
        /// Terminal status: `succeeded`, `failed`, `canceled`, `aborted`.
        public var finalStatus: String = "succeeded"
        /// `error` of a failed prediction.
        public var failureMessage: String = "Prediction failed: internal model error"
        /// Models answering 404 (retired), as `owner/name`.
        public var retiredModels: Set<String> = []
        /// Succeeded predictions carry `data_removed: true` and `output: null`.
        public var dataRemoved: Bool = false
        /// Files API size limit (413 above it).
        public var maxFileBytes: Int = 100 * 1024 * 1024

        /// No faults.
        public init() {}
    }

    /// What the fake has seen.
    public struct Counters: Sendable {
        /// Predictions created (201 answers).
        public var predictionsCreated = 0
        /// Create requests received (any answer).
        public var createRequests = 0
        /// Poll requests.
        public var polls = 0
        /// Cancel requests.
        public var cancels = 0
        /// Files uploaded.
        public var filesUploaded = 0
        /// Output downloads started.
        public var downloads = 0
        /// 500s answered because of `serverErrorRate`.
        public var injectedServerErrors = 0
        /// The `input` object of the last create, as JSON text.
        public var lastCreateInput: String?
        /// The `Prefer` header of the last create.
        public var lastPrefer: String?
    }

    struct Prediction {
        var id: String
        var model: String
        var polls: Int
        var status: String
        var isImage: Bool
        var created: Date
        /// Scene count for text models (`max_tokens` in the input), `nil` for media models.
        var textScenes: Int?
    }

    struct State {
        var faults = Faults()
        var counters = Counters()
        var predictions: [String: Prediction] = [:]
        var random = SeededRandom(state: 42)
        var seed: UInt64 = 42
    }

    /// The token the fake accepts (`Bearer` or `Token`).
    public static let token = "r8_fake_test_token"
    /// Base URL without `/v1`, e.g. `http://127.0.0.1:49152`.
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
    public static func start() async throws -> FakeReplicateServer {
        let media = try await FakeMedia.files()
        let box = FakeReplicateBox()
        let router = Router(context: BasicRequestContext.self)
        box.register(on: router)
        let host = try await FakeServerHost.start(router: router, label: "fake-replicate")
        let server = FakeReplicateServer(host: host, media: media)
        box.set(server)
        return server
    }

    /// Stops the server (stalled requests are released).
    public func stop() async {
        await host.stop()
    }

    /// Current faults.
    public var faults: Faults { state.withLock { $0.faults } }

    /// Changes faults.
    /// - Parameter change: Edits the faults.
    public func updateFaults(_ change: (inout Faults) -> Void) {
        state.withLock { value in
            change(&value.faults)
            if value.seed != value.faults.serverErrorSeed {
                value.seed = value.faults.serverErrorSeed
                value.random = SeededRandom(state: value.faults.serverErrorSeed)
            }
        }
    }

    /// Counters so far.
    public var counters: Counters { state.withLock { $0.counters } }
}

/// Lets routes registered before start reach the server object created after the port is known.
final class FakeReplicateBox: Sendable {
    private let server = Mutex<FakeReplicateServer?>(nil)

    func set(_ value: FakeReplicateServer) {
        server.withLock { $0 = value }
    }

    func get() throws -> FakeReplicateServer {
        guard let value = server.withLock({ $0 }) else { throw HTTPError(.serviceUnavailable) }
        return value
    }

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/models/:owner/:name/predictions") { request, context in
            let model = "\(context.parameters.get("owner") ?? "")/\(context.parameters.get("name") ?? "")"
            return try await self.get().create(request, model: model)
        }
        router.post("/v1/predictions") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            let version = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])?["version"] as? String ?? ""
            let model = String(version.split(separator: ":").first ?? "")
            return try await self.get().create(request, model: model, preread: body)
        }
        router.get("/v1/predictions/:id") { request, context in
            try await self.get().poll(request, id: context.parameters.get("id") ?? "")
        }
        router.post("/v1/predictions/:id/cancel") { request, context in
            try await self.get().cancel(request, id: context.parameters.get("id") ?? "")
        }
        router.post("/v1/files") { request, _ in
            try await self.get().upload(request)
        }
        router.get("/delivery/:id/:file") { _, context in
            try await self.get().deliver(file: context.parameters.get("file") ?? "")
        }
    }
}
