import Foundation
import NIOHTTP1

extension GeminiClient {
    /// Veo: `predictLongRunning`, checkpoint the operation name, poll it, download the sample.
    /// A finished operation without samples is a content-policy block (RAI filter), not a transient error.
    func video(_ request: VideoRequest, entry: ModelEntry, resume: ProviderCheckpoint?, context: CallContext) async throws(ProviderError)
        -> ProviderOutput<VideoOutput>
    {
        let operationName: String
        if let resume {
            operationName = resume.jobID
        } else {
            var instance: [String: Any] = ["prompt": request.prompt]
            if !request.referenceImages.isEmpty {
                var references: [[String: Any]] = []
                for image in request.referenceImages {
                    guard let data = FileManager.default.contents(atPath: image.path) else {
                        throw .unsupportedFeature("reference image is not readable", provider: name)
                    }
                    references.append([
                        "image": ["bytesBase64Encoded": data.base64EncodedString(), "mimeType": image.contentType], "referenceType": "ASSET",
                    ])
                }
                instance["referenceImages"] = references
            }
            var parameters: [String: Any] = ["sampleCount": 1, "aspectRatio": request.aspectRatio, "durationSeconds": request.durationSeconds]
            if !entry.features.resolutions.isEmpty { parameters["resolution"] = request.resolution }
            if entry.features.seed, let seed = request.seed { parameters["seed"] = seed }
            if entry.features.negativePrompt, let negative = request.negativePrompt, !negative.isEmpty { parameters["negativePrompt"] = negative }
            if let person = entry.parameters["person_generation"] { parameters["personGeneration"] = person }
            let exchange = try await post(
                modelURL(entry.model, "predictLongRunning"), json: ["instances": [instance], "parameters": parameters], jobCreate: true)
            guard let operation = exchange.decode(GeminiWire.Operation.self),
                operation.name.hasPrefix("models/") || operation.name.hasPrefix("operations/")
            else {
                throw .invalidOutput("predictLongRunning answered without an operation name", provider: name, retryable: false)
            }
            operationName = operation.name
            do {
                try await context.observer.providerJobStarted(
                    ProviderCheckpoint(provider: name, model: entry.model, jobID: operationName, pollURL: operationURL(operationName)))
            } catch {
                throw ProviderError(code: .checkpointFailed, message: "could not record the provider job", provider: name, retryable: false)
            }
        }
        let video = try await waitForVideo(operationName, context: context)
        await context.observer.progress(0.9, stage: "downloading")
        let file: MediaFile
        if let uri = video.uri {
            file = try await downloader.download(
                uri, firstHopHeaders: ["x-goog-api-key": key], kind: .video, maxBytes: configuration.maxVideoBytes, directory: context.workDirectory)
        } else if let encoded = video.encodedVideo {
            file = try await downloader.download(
                DataURI.encode(Data(base64Encoded: encoded) ?? Data(), mimeType: video.encoding ?? "video/mp4"),
                firstHopHeaders: [:], kind: .video, maxBytes: configuration.maxVideoBytes, directory: context.workDirectory
            )
        } else {
            throw .invalidOutput("video sample has neither uri nor bytes", provider: name)
        }
        let seconds = Double(request.durationSeconds)
        return ProviderOutput(value: VideoOutput(file: file, durationSeconds: seconds), jobID: operationName, usage: Usage(videoSeconds: seconds))
    }

    /// Operation names are `models/{model}/operations/{id}`; only that shape is polled, on the configured host.
    func operationURL(_ name: String) -> String {
        let safe = name.split(separator: "/").map {
            $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_."))) ?? String($0)
        }
        return "\(base)/v1beta/" + safe.joined(separator: "/")
    }

    private func waitForVideo(_ operationName: String, context: CallContext) async throws(ProviderError) -> GeminiWire.Operation.Video {
        let deadline = min(context.deadline, ContinuousClock.now + configuration.providerJobDeadline)
        let url = operationURL(operationName)
        // Cancelling a Veo operation over REST is not documented: nothing to call on cancellation.
        return try await poller.poll(deadline: deadline, observer: context.observer, cancel: {}) {
            () async throws(ProviderError) -> PollStep<GeminiWire.Operation.Video> in
            switch await http.send(.GET, url, headers: headers, timeout: configuration.requestTimeout) {
            case .failure(let failure):
                return .transient(GeminiErrors.from(failure))
            case .success(let exchange):
                guard exchange.status == 200 else {
                    if exchange.status == 404 {
                        throw ProviderError(code: .jobNotFound, message: "operation not found", provider: name, retryable: false, httpStatus: 404)
                    }
                    let error = GeminiErrors.from(exchange)
                    if error.retryable { return .transient(error) }
                    throw error
                }
                guard let operation = exchange.decode(GeminiWire.Operation.self) else {
                    return .transient(.invalidOutput("operation answered with malformed JSON", provider: name))
                }
                guard operation.done == true else { return .pending(fraction: nil) }
                if let error = operation.error {
                    throw ProviderError(
                        code: .generationFailed, message: "operation failed (code \(error.code ?? 0)): \(error.message ?? "")", provider: name,
                        retryable: true)
                }
                let response = operation.response?.generateVideoResponse
                guard let video = response?.generatedSamples?.first?.video else {
                    let reasons = response?.raiMediaFilteredReasons?.joined(separator: "; ") ?? "no video generated"
                    throw ProviderError(code: .contentPolicy, message: "video filtered: \(reasons)", provider: name, retryable: false)
                }
                return .done(video)
            }
        }
    }
}
