import AsyncHTTPClient
import Foundation
import Logging
import MVCore
import NIOCore
import NIOHTTP1

/// Replicate: official-model predictions (`POST /v1/models/{owner}/{name}/predictions` with
/// `Prefer: wait=N`), polling `urls.get` until a terminal status, cancel on cancellation, reference
/// images as data URIs (small) or through the Files API (large), outputs as a string or a list of
/// https URLs or `data:` URIs.
///
/// An output present while the status is still `starting`/`processing` is NOT taken: only
/// `succeeded` means the output is complete (sync-mode outputs may be partial or still streaming).
struct ReplicateClient: GenerationProvider {
    let name = ProviderName.replicate
    let http: ProviderHTTP
    let configuration: BackendsConfiguration
    let token: String
    let base: String
    let downloader: MediaDownloader
    let poller: JobPoller

    init(configuration: BackendsConfiguration, token: String, httpClient: HTTPClient) {
        self.http = ProviderHTTP(client: httpClient)
        self.configuration = configuration
        self.token = token
        var base = configuration.replicateBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        let apiHost = URL(string: base)?.host ?? "api.replicate.com"
        self.downloader = MediaDownloader(
            client: httpClient,
            provider: .replicate,
            policy: DownloadPolicy(
                allowedHosts: [apiHost] + configuration.replicateDeliveryHosts,
                redirectsToAnyPublicHost: false,
                allowLoopback: HostClassifier.isLoopback(apiHost)
            ),
            timeout: configuration.downloadTimeout
        )
        self.poller = JobPoller(
            provider: .replicate,
            initialInterval: configuration.pollInitialInterval,
            maxInterval: configuration.pollMaxInterval,
            maxConsecutiveErrors: configuration.maxConsecutivePollErrors
        )
    }

    var headers: HTTPHeaders {
        ["Authorization": "Bearer \(token)", "Content-Type": "application/json", "User-Agent": "mv-service"]
    }

    func video(_ request: VideoRequest, entry: ModelEntry, resume: ProviderCheckpoint?, context: CallContext) async throws(ProviderError)
        -> ProviderOutput<VideoOutput>
    {
        var input: [String: Any] = [entry.parameterName("prompt"): request.prompt]
        input[entry.parameterName("aspect_ratio")] = request.aspectRatio
        input[entry.parameterName("duration")] = request.durationSeconds
        if !entry.features.resolutions.isEmpty { input[entry.parameterName("resolution")] = request.resolution }
        if entry.features.audio { input[entry.parameterName("generate_audio")] = request.generateAudio }
        if entry.features.seed, let seed = request.seed { input[entry.parameterName("seed")] = seed }
        if entry.features.negativePrompt, let negative = request.negativePrompt, !negative.isEmpty {
            input[entry.parameterName("negative_prompt")] = negative
        }
        if !request.referenceImages.isEmpty && resume == nil {
            var uris: [String] = []
            for image in request.referenceImages { uris.append(try await referenceURI(image)) }
            input[entry.parameterName("reference_images")] = uris
        }
        let prediction = try await run(entry: entry, input: input, resume: resume?.jobID, context: context)
        guard let url = prediction.output?.strings?.first else { throw .invalidOutput("prediction has no output URL", provider: name) }
        await context.observer.progress(0.9, stage: "downloading")
        let file = try await downloader.download(
            url, firstHopHeaders: downloadHeaders, kind: .video, maxBytes: configuration.maxVideoBytes, directory: context.workDirectory)
        let seconds = Double(request.durationSeconds)
        return ProviderOutput(value: VideoOutput(file: file, durationSeconds: seconds), jobID: prediction.id, usage: Usage(videoSeconds: seconds))
    }

    func scenes(_ request: ScenesRequest, entry: ModelEntry, resume: ProviderCheckpoint?, context: CallContext) async throws(ProviderError)
        -> ProviderOutput<[Scene]>
    {
        let shape = #"{"scenes":[{"description":"...","negative_description":"..."}]}"#
        let instruction = "\n\nAnswer with one JSON object only, no prose: \(shape) with exactly \(request.numberOfScenes) scenes."
        var input: [String: Any] = [entry.parameterName("prompt"): request.prompt + instruction]
        input[entry.parameterName("max_tokens")] = 8192
        let prediction = try await run(entry: entry, input: input, resume: resume?.jobID, context: context)
        guard let parts = prediction.output?.strings else { throw .invalidOutput("text model output is not text", provider: name) }
        let scenes = try SceneParser.parse(parts.joined(), expected: request.numberOfScenes, provider: name)
        let usage = Usage(
            inputTokens: prediction.metrics?.input_token_count ?? request.prompt.count / 4,
            outputTokens: prediction.metrics?.output_token_count ?? parts.joined().count / 4
        )
        return ProviderOutput(value: scenes, jobID: prediction.id, usage: usage)
    }

    /// The delivery host may require the token (the spec says so; recordings show it optional): send it.
    var downloadHeaders: HTTPHeaders { ["Authorization": "Bearer \(token)"] }
}
