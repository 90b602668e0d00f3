import Foundation
import MVCore

extension GenerationRouter {
    /// Generates one video clip.
    /// - Parameters:
    ///   - request: What to make.
    ///   - resume: A checkpoint saved by an earlier attempt: that provider job is polled instead of creating a new one.
    ///   - workDirectory: Directory for temp and output files (created if missing); the clip is left there.
    ///   - observer: Receives the checkpoint (before any wait) and progress.
    /// - Returns: The clip, its provenance and usage.
    /// - Throws: ``ProviderError`` (`unsupported_feature`, `canceled`, `all_providers_failed`, or the single provider's error).
    public func generateVideo(_ request: VideoRequest, resume: ProviderCheckpoint?, workDirectory: String, observer: some GenerationObserver)
        async throws(ProviderError) -> VideoResult
    {
        guard !request.prompt.trimmingWhitespaceAndNewlines().isEmpty else { throw .unsupportedFeature("prompt is empty") }
        guard request.durationSeconds > 0 else { throw .unsupportedFeature("duration must be positive") }
        let context = try makeContext(workDirectory: workDirectory, observer: observer)
        let (output, provenance) = try await route(
            capability: .video, backend: request.backend, model: request.model, needs: FeatureNeeds(video: request),
            resume: resume, context: context
        ) { (provider, entry, resume) async throws(ProviderError) in
            try await provider.video(request, entry: entry, resume: resume, context: context)
        }
        await observer.progress(1, stage: "done")
        return VideoResult(file: output.value.file, provenance: provenance, usage: output.usage, durationSeconds: output.value.durationSeconds)
    }

    /// Generates `numImages` images; each may fail individually, at least one succeeds.
    /// - Parameters:
    ///   - request: What to make.
    ///   - resume: Checkpoint of an earlier attempt.
    ///   - workDirectory: Directory for the images (created if missing).
    ///   - observer: Receives checkpoints and progress.
    /// - Returns: The outcomes, provenance and usage.
    /// - Throws: ``ProviderError`` when no image could be made.
    public func generateImages(_ request: ImageRequest, resume: ProviderCheckpoint?, workDirectory: String, observer: some GenerationObserver)
        async throws(ProviderError) -> ImageResult
    {
        guard !request.prompt.trimmingWhitespaceAndNewlines().isEmpty else { throw .unsupportedFeature("prompt is empty") }
        guard (1...4).contains(request.numImages) else { throw .unsupportedFeature("num_images must be between 1 and 4") }
        let context = try makeContext(workDirectory: workDirectory, observer: observer)
        let (output, provenance) = try await route(
            capability: .image, backend: request.backend, model: request.model, needs: FeatureNeeds(image: request),
            resume: resume, context: context
        ) { (provider, entry, resume) async throws(ProviderError) in
            let output = try await provider.images(request, entry: entry, resume: resume, context: context)
            let failures = output.value.compactMap { outcome -> ProviderError? in
                if case .failure(let error) = outcome.result { return error } else { return nil }
            }
            if failures.count == output.value.count, let first = failures.first { throw first }
            return output
        }
        await observer.progress(1, stage: "done")
        return ImageResult(images: output.value.sorted { $0.index < $1.index }, provenance: provenance, usage: output.usage)
    }

    /// Generates a scene script of exactly `numberOfScenes` scenes.
    /// - Parameters:
    ///   - request: The rendered prompt and scene count.
    ///   - resume: Checkpoint of an earlier attempt (text calls are not resumable; it is ignored).
    ///   - observer: Receives progress.
    /// - Returns: Scenes, provenance and usage.
    /// - Throws: ``ProviderError``.
    public func createScenes(_ request: ScenesRequest, resume: ProviderCheckpoint?, observer: some GenerationObserver) async throws(ProviderError)
        -> ScenesResult
    {
        guard !request.prompt.trimmingWhitespaceAndNewlines().isEmpty else { throw .unsupportedFeature("prompt is empty") }
        guard (1...50).contains(request.numberOfScenes) else { throw .unsupportedFeature("number_of_scenes must be between 1 and 50") }
        let context = try makeContext(workDirectory: FileManager.default.temporaryDirectory.path, observer: observer)
        let (output, provenance) = try await route(
            capability: .scenes, backend: request.backend, model: request.model, needs: .none,
            resume: resume, context: context
        ) { (provider, entry, resume) async throws(ProviderError) in
            try await provider.scenes(request, entry: entry, resume: resume, context: context)
        }
        await observer.progress(1, stage: "done")
        return ScenesResult(scenes: output.value, provenance: provenance, usage: output.usage)
    }

    private func makeContext(workDirectory: String, observer: some GenerationObserver) throws(ProviderError) -> CallContext {
        do {
            try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        } catch {
            throw ProviderError(code: .providerUnavailable, message: "work directory is not usable", provider: nil, retryable: false)
        }
        return CallContext(
            workDirectory: workDirectory,
            observer: observer,
            deadline: ContinuousClock.now + configuration.overallDeadline,
            logger: logger
        )
    }
}
