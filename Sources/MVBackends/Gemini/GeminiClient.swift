import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The Gemini API: `generateContent` with a JSON response schema for scenes, Veo through
/// `predictLongRunning` + operation polling + download (key on the first hop only, redirects
/// followed one by one), and Imagen `:predict` for images.
struct GeminiClient: GenerationProvider {
    let name = ProviderName.gemini
    let http: ProviderHTTP
    let configuration: BackendsConfiguration
    let key: String
    let base: String
    let downloader: MediaDownloader
    let poller: JobPoller

    init(configuration: BackendsConfiguration, key: String, httpClient: HTTPClient) {
        self.http = ProviderHTTP(client: httpClient)
        self.configuration = configuration
        self.key = key
        var base = configuration.geminiBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        let apiHost = URL(string: base)?.host ?? "generativelanguage.googleapis.com"
        self.downloader = MediaDownloader(
            client: httpClient,
            provider: .gemini,
            policy: DownloadPolicy(allowedHosts: [apiHost], redirectsToAnyPublicHost: true, allowLoopback: HostClassifier.isLoopback(apiHost)),
            timeout: configuration.downloadTimeout
        )
        self.poller = JobPoller(
            provider: .gemini,
            initialInterval: configuration.pollInitialInterval,
            maxInterval: configuration.pollMaxInterval,
            maxConsecutiveErrors: configuration.maxConsecutivePollErrors
        )
    }

    var headers: HTTPHeaders { ["x-goog-api-key": key, "Content-Type": "application/json"] }

    func modelURL(_ model: String, _ method: String) -> String {
        let safe = model.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/:"))) ?? model
        return "\(base)/v1beta/models/\(safe):\(method)"
    }

    /// POSTs JSON and returns the 200 exchange, or the mapped error.
    func post(_ url: String, json: [String: Any], jobCreate: Bool) async throws(ProviderError) -> HTTPExchange {
        guard let body = try? JSONSerialization.data(withJSONObject: json) else {
            throw .unsupportedFeature("request cannot be encoded", provider: name)
        }
        switch await http.send(.POST, url, headers: headers, body: ByteBuffer(data: body), timeout: configuration.requestTimeout) {
        case .failure(let failure): throw GeminiErrors.from(failure, jobCreate: jobCreate)
        case .success(let exchange):
            guard exchange.status == 200 else { throw GeminiErrors.from(exchange, jobCreate: jobCreate) }
            return exchange
        }
    }

    func scenes(_ request: ScenesRequest, entry: ModelEntry, resume: ProviderCheckpoint?, context: CallContext) async throws(ProviderError)
        -> ProviderOutput<[Scene]>
    {
        let sceneSchema: [String: Any] = [
            "type": "OBJECT",
            "properties": ["description": ["type": "STRING"], "negative_description": ["type": "STRING"]],
            "required": ["description", "negative_description"],
            "propertyOrdering": ["description", "negative_description"],
        ]
        let schema: [String: Any] = [
            "type": "OBJECT",
            "properties": ["scenes": ["type": "ARRAY", "items": sceneSchema, "minItems": request.numberOfScenes]],
            "required": ["scenes"],
        ]
        let json: [String: Any] = [
            "contents": [["role": "user", "parts": [["text": request.prompt]]]],
            "generationConfig": ["responseMimeType": "application/json", "responseSchema": schema],
        ]
        await context.observer.progress(0.2, stage: "writing")
        let exchange = try await post(modelURL(entry.model, "generateContent"), json: json, jobCreate: false)
        guard let response = exchange.decode(GeminiWire.GenerateContentResponse.self) else {
            throw .invalidOutput("generateContent answered with malformed JSON", provider: name)
        }
        if let blocked = response.promptFeedback?.blockReason {
            throw ProviderError(code: .contentPolicy, message: "prompt blocked: \(blocked)", provider: name, retryable: false)
        }
        guard let candidate = response.candidates?.first else { throw .invalidOutput("response has no candidates", provider: name) }
        let text = (candidate.content?.parts ?? []).filter { $0.thought != true }.compactMap(\.text).joined()
        let reason = candidate.finishReason ?? "STOP"
        if ["SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION", "IMAGE_SAFETY"].contains(reason) {
            throw ProviderError(code: .contentPolicy, message: "answer blocked: \(reason)", provider: name, retryable: false)
        }
        if reason == "MAX_TOKENS" {
            throw .invalidOutput(
                text.isEmpty ? "MAX_TOKENS with no text (thinking used the budget)" : "answer truncated at MAX_TOKENS", provider: name,
                retryable: false)
        }
        guard !text.isEmpty else { throw .invalidOutput("answer has no text (finishReason \(reason))", provider: name) }
        let scenes = try SceneParser.parse(text, expected: request.numberOfScenes, provider: name)
        let usage = response.usageMetadata
        let output = (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0)
        return ProviderOutput(
            value: scenes, jobID: response.responseId, usage: Usage(inputTokens: usage?.promptTokenCount ?? 0, outputTokens: output))
    }

    func images(_ request: ImageRequest, entry: ModelEntry, resume: ProviderCheckpoint?, context: CallContext) async throws(ProviderError)
        -> ProviderOutput<[ImageOutcome]>
    {
        var parameters: [String: Any] = ["sampleCount": request.numImages, "aspectRatio": request.aspectRatio]
        parameters["personGeneration"] = request.personGeneration
        parameters["outputOptions"] = ["mimeType": request.outputFormat == "jpg" ? "image/jpeg" : "image/png"]
        if entry.features.seed, let seed = request.seed { parameters["seed"] = seed }
        if entry.features.negativePrompt, let negative = request.negativePrompt, !negative.isEmpty { parameters["negativePrompt"] = negative }
        await context.observer.progress(0.2, stage: "rendering")
        let exchange = try await post(
            modelURL(entry.model, "predict"), json: ["instances": [["prompt": request.prompt]], "parameters": parameters], jobCreate: false)
        guard let predictions = exchange.decode(GeminiWire.PredictResponse.self)?.predictions, !predictions.isEmpty else {
            throw .invalidOutput("predict answered without predictions", provider: name)
        }
        var outcomes: [ImageOutcome] = []
        for index in 0..<request.numImages {
            let seed = entry.features.seed ? request.seed : nil
            guard index < predictions.count else {
                outcomes.append(
                    ImageOutcome(index: index, result: .failure(.invalidOutput("fewer images than requested", provider: name)), seed: seed))
                continue
            }
            let prediction = predictions[index]
            if let encoded = prediction.bytesBase64Encoded {
                do throws(ProviderError) {
                    let file = try await downloader.download(
                        DataURI.encode(Data(base64Encoded: encoded) ?? Data(), mimeType: prediction.mimeType ?? "image/png"),
                        firstHopHeaders: [:], kind: .image, maxBytes: configuration.maxImageBytes, directory: context.workDirectory
                    )
                    outcomes.append(ImageOutcome(index: index, result: .success(file), seed: seed))
                } catch {
                    outcomes.append(ImageOutcome(index: index, result: .failure(error), seed: seed))
                }
            } else {
                let reason = prediction.raiFilteredReason ?? "image missing"
                let error = ProviderError(code: .contentPolicy, message: "image filtered: \(reason)", provider: name, retryable: false)
                outcomes.append(ImageOutcome(index: index, result: .failure(error), seed: seed))
            }
        }
        let made = outcomes.filter { $0.failure == nil }.count
        return ProviderOutput(value: outcomes, jobID: nil, usage: Usage(images: made))
    }
}
