import Foundation

/// The offline provider: real media made with ffmpeg, simulated latency, injected failures.
///
/// Failures are non-retryable `mock_failure` errors at `failureRate`, so the service's job retry applies.
struct MockProvider: GenerationProvider {
    let name = ProviderName.mock
    let configuration: MockConfiguration
    let renderer: MockRenderer

    init(configuration: MockConfiguration) {
        self.configuration = configuration
        self.renderer = MockRenderer(configuration: configuration)
    }

    func video(_ request: VideoRequest, entry: ModelEntry, resume: ProviderCheckpoint?, context: CallContext) async throws(ProviderError)
        -> ProviderOutput<VideoOutput>
    {
        let jobID = try await begin(entry: entry, context: context)
        await context.observer.progress(0.5, stage: "rendering")
        let path: String
        do {
            path = try await renderer.renderVideo(
                prompt: request.prompt,
                seed: request.seed,
                aspectRatio: request.aspectRatio,
                resolution: request.resolution,
                seconds: request.durationSeconds,
                audio: request.generateAudio,
                directory: context.workDirectory
            )
        } catch {
            throw Self.map(error)
        }
        let usage = Usage(videoSeconds: Double(request.durationSeconds))
        return ProviderOutput(
            value: VideoOutput(file: MediaFile(path: path, contentType: "video/mp4"), durationSeconds: Double(request.durationSeconds)), jobID: jobID,
            usage: usage)
    }

    func images(_ request: ImageRequest, entry: ModelEntry, resume: ProviderCheckpoint?, context: CallContext) async throws(ProviderError)
        -> ProviderOutput<[ImageOutcome]>
    {
        let jobID = try await begin(entry: entry, context: context)
        var outcomes: [ImageOutcome] = []
        for index in 0..<request.numImages {
            let seed = request.seed.map { $0 + index }
            await context.observer.progress(0.3 + 0.6 * Double(index) / Double(request.numImages), stage: "rendering")
            do {
                let path = try await renderer.renderImage(
                    prompt: request.prompt,
                    seed: seed ?? index,
                    aspectRatio: request.aspectRatio,
                    format: request.outputFormat,
                    directory: context.workDirectory
                )
                let type = request.outputFormat == "jpg" ? "image/jpeg" : "image/png"
                outcomes.append(ImageOutcome(index: index, result: .success(MediaFile(path: path, contentType: type)), seed: seed))
            } catch {
                if error.kind == .canceled { throw .canceled(provider: name) }
                outcomes.append(ImageOutcome(index: index, result: .failure(Self.map(error)), seed: seed))
            }
        }
        let made = outcomes.filter { if case .success = $0.result { return true } else { return false } }.count
        return ProviderOutput(value: outcomes, jobID: jobID, usage: Usage(images: made))
    }

    func scenes(_ request: ScenesRequest, entry: ModelEntry, resume: ProviderCheckpoint?, context: CallContext) async throws(ProviderError)
        -> ProviderOutput<[Scene]>
    {
        let jobID = try await begin(entry: entry, context: context)
        let scenes = MockScenes.make(prompt: request.prompt, count: request.numberOfScenes)
        let output = scenes.reduce(0) { $0 + $1.description.count + $1.negativeDescription.count }
        return ProviderOutput(value: scenes, jobID: jobID, usage: Usage(inputTokens: request.prompt.count / 4, outputTokens: output / 4))
    }

    /// Checkpoint, simulated latency, failure injection.
    private func begin(entry: ModelEntry, context: CallContext) async throws(ProviderError) -> String {
        let jobID = "mock-\(UUID().uuidString.lowercased())"
        do {
            try await context.observer.providerJobStarted(ProviderCheckpoint(provider: name, model: entry.model, jobID: jobID))
        } catch {
            throw ProviderError(code: .checkpointFailed, message: "could not record the provider job: \(error)", provider: name, retryable: false)
        }
        await context.observer.progress(0.1, stage: "rendering")
        let low = max(0, configuration.delayMin)
        let high = max(low, configuration.delayMax)
        let delay = low == high ? low : Double.random(in: low...high)
        if delay > 0 {
            do {
                try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            } catch {
                throw .canceled(provider: name)
            }
        }
        if Task.isCancelled { throw .canceled(provider: name) }
        if configuration.failureRate > 0 && Double.random(in: 0..<1) < configuration.failureRate {
            throw ProviderError(code: .mockFailure, message: "simulated failure (MOCK_FAILURE_RATE)", provider: name, retryable: false)
        }
        return jobID
    }

    static func map(_ error: FFmpegError) -> ProviderError {
        switch error.kind {
        case .canceled: return .canceled(provider: .mock)
        case .timedOut: return .timeout("ffmpeg timed out", provider: .mock, retryable: false)
        default: return ProviderError(code: .providerUnavailable, message: "ffmpeg failed: \(error.message)", provider: .mock, retryable: false)
        }
    }
}
