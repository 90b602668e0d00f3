import Foundation
import MVCore

extension ReplicateClient {
    /// One prediction per image (the Imagen models return one image each), created in parallel and
    /// recorded as ONE checkpoint whose job id lists the prediction ids separated by commas.
    func images(_ request: ImageRequest, entry: ModelEntry, resume: ProviderCheckpoint?, context: CallContext) async throws(ProviderError)
        -> ProviderOutput<[ImageOutcome]>
    {
        var input: [String: Any] = [entry.parameterName("prompt"): request.prompt]
        input[entry.parameterName("aspect_ratio")] = request.aspectRatio
        input[entry.parameterName("output_format")] = request.outputFormat
        input[entry.parameterName("safety_filter_level")] = request.safetyFilterLevel
        if entry.parameters["person_generation"] != nil { input[entry.parameterName("person_generation")] = request.personGeneration }
        if entry.features.negativePrompt, let negative = request.negativePrompt, !negative.isEmpty {
            input[entry.parameterName("negative_prompt")] = negative
        }
        let count = request.numImages
        var ids: [String?] = resume.map { $0.jobID.split(separator: ",").map { String($0) } } ?? []
        var outcomes: [Int: ImageOutcome] = [:]
        if ids.isEmpty {
            ids = Array(repeating: nil, count: count)
            var payloads: [Data] = []
            for index in 0..<count {
                var perImage = input
                if entry.features.seed, let seed = request.seed { perImage[entry.parameterName("seed")] = seed + index }
                payloads.append(try encode(perImage))
            }
            let created = await withTaskGroup(of: (Int, Result<ReplicatePrediction, ProviderError>).self) { group in
                for (index, payload) in payloads.enumerated() {
                    group.addTask {
                        do throws(ProviderError) {
                            return (index, .success(try await self.create(entry: entry, body: payload)))
                        } catch {
                            return (index, .failure(error))
                        }
                    }
                }
                var results: [(Int, Result<ReplicatePrediction, ProviderError>)] = []
                for await result in group { results.append(result) }
                return results
            }
            for (index, result) in created {
                switch result {
                case .success(let prediction): ids[index] = prediction.id
                case .failure(let error): outcomes[index] = ImageOutcome(index: index, result: .failure(error), seed: nil)
                }
            }
            let started = ids.compactMap { $0 }
            guard !started.isEmpty else {
                throw outcomes.values.compactMap(\.failure).first ?? .invalidOutput("no prediction created", provider: name)
            }
            try await checkpoint(
                ProviderCheckpoint(provider: name, model: entry.model, jobID: started.joined(separator: ",")), ids: started, context: context)
        }
        let pending = ids.enumerated().compactMap { item -> (Int, String)? in item.element.map { (item.offset, $0) } }
        let finished = await withTaskGroup(of: (Int, Result<MediaFile, ProviderError>).self) { group in
            for (index, id) in pending {
                group.addTask {
                    do throws(ProviderError) {
                        let prediction = try await self.wait(id: id, context: context)
                        guard let url = prediction.output?.strings?.first else {
                            throw .invalidOutput("prediction has no output URL", provider: self.name)
                        }
                        let file = try await self.downloader.download(
                            url, firstHopHeaders: self.downloadHeaders, kind: .image, maxBytes: self.configuration.maxImageBytes,
                            directory: context.workDirectory
                        )
                        return (index, .success(file))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var results: [(Int, Result<MediaFile, ProviderError>)] = []
            for await result in group { results.append(result) }
            return results
        }
        if Task.isCancelled { throw .canceled(provider: name) }
        for (index, result) in finished {
            outcomes[index] = ImageOutcome(index: index, result: result, seed: entry.features.seed ? request.seed.map { $0 + index } : nil)
        }
        let ordered = outcomes.values.sorted { $0.index < $1.index }
        let made = ordered.filter { $0.failure == nil }.count
        return ProviderOutput(value: ordered, jobID: pending.map(\.1).joined(separator: ","), usage: Usage(images: made))
    }
}

extension ImageOutcome {
    /// The failure, if this image failed.
    var failure: ProviderError? {
        if case .failure(let error) = result { return error }
        return nil
    }
}
