import Foundation
import MVCore
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

extension ReplicateClient {
    /// Creates (or resumes) one prediction and waits until it succeeded.
    func run(entry: ModelEntry, input: [String: Any], resume: String?, context: CallContext) async throws(ProviderError) -> ReplicatePrediction {
        if let resume { return try await wait(id: resume, context: context) }
        let prediction = try await create(entry: entry, body: try encode(input))
        try await checkpoint(
            ProviderCheckpoint(provider: name, model: entry.model, jobID: prediction.id, pollURL: pollURL(prediction.id)), ids: [prediction.id],
            context: context)
        if ReplicatePrediction.terminal.contains(prediction.status) { return try evaluate(prediction) }
        return try await wait(id: prediction.id, context: context)
    }

    /// Persists the checkpoint before any waiting; when that fails, cancels the predictions and aborts.
    func checkpoint(_ checkpoint: ProviderCheckpoint, ids: [String], context: CallContext) async throws(ProviderError) {
        do {
            try await context.observer.providerJobStarted(checkpoint)
        } catch {
            for id in ids { await JobPoller.runDetached { await self.cancel(id: id) } }
            throw ProviderError(code: .checkpointFailed, message: "could not record the provider job", provider: name, retryable: false)
        }
    }

    /// `POST /v1/models/{owner}/{name}/predictions` with `Prefer: wait=N`.
    func create(entry: ModelEntry, body: Data) async throws(ProviderError) -> ReplicatePrediction {
        let parts = entry.model.split(separator: "/")
        guard parts.count == 2 else { throw .unsupportedFeature("bad Replicate model id \(entry.model)", provider: name) }
        let wait = min(max(configuration.replicatePreferWaitSeconds, 1), 60)
        var headers = self.headers
        headers.add(name: "Prefer", value: "wait=\(wait)")
        let url = "\(base)/v1/models/\(parts[0])/\(parts[1])/predictions"
        let result = await http.send(
            .POST, url, headers: headers, body: ByteBuffer(data: body), timeout: configuration.requestTimeout + .seconds(wait))
        let exchange: HTTPExchange
        switch result {
        case .failure(let failure): throw ReplicateErrors.from(failure, phase: .create)
        case .success(let value): exchange = value
        }
        guard (200...202).contains(exchange.status) else { throw ReplicateErrors.from(exchange, phase: .create) }
        guard let prediction = exchange.decode(ReplicatePrediction.self) else {
            throw .invalidOutput("create answered with malformed JSON", provider: name, retryable: false)
        }
        return prediction
    }

    /// `{"input": ...}` as JSON.
    func encode(_ input: [String: Any]) throws(ProviderError) -> Data {
        guard let body = try? JSONSerialization.data(withJSONObject: ["input": input]) else {
            throw .unsupportedFeature("request input cannot be encoded", provider: name)
        }
        return body
    }

    /// Polls `GET /v1/predictions/{id}` (always on the configured API host, never a URL from outside).
    func wait(id: String, context: CallContext) async throws(ProviderError) -> ReplicatePrediction {
        let deadline = min(context.deadline, ContinuousClock.now + configuration.providerJobDeadline)
        return try await poller.poll(deadline: deadline, observer: context.observer, cancel: { await self.cancel(id: id) }) {
            () async throws(ProviderError) -> PollStep<ReplicatePrediction> in
            let result = await http.send(.GET, pollURL(id), headers: headers, timeout: configuration.requestTimeout)
            switch result {
            case .failure(let failure):
                let error = ReplicateErrors.from(failure, phase: .poll)
                if error.code == .canceled { return .pending(fraction: nil) }
                return .transient(error)
            case .success(let exchange):
                guard exchange.status == 200 else {
                    let error = ReplicateErrors.from(exchange, phase: .poll)
                    if error.retryable { return .transient(error) }
                    throw error
                }
                guard let prediction = exchange.decode(ReplicatePrediction.self) else {
                    return .transient(.invalidOutput("poll answered with malformed JSON", provider: name))
                }
                guard ReplicatePrediction.terminal.contains(prediction.status) else { return .pending(fraction: nil) }
                return .done(try evaluate(prediction))
            }
        }
    }

    /// A terminal prediction: the succeeded one with a complete output, or the mapped failure.
    func evaluate(_ prediction: ReplicatePrediction) throws(ProviderError) -> ReplicatePrediction {
        guard prediction.status == "succeeded" else { throw ReplicateErrors.from(prediction: prediction) }
        guard let outputs = prediction.output?.strings, !outputs.isEmpty, outputs.allSatisfy({ !$0.isEmpty }) else {
            let removed = prediction.data_removed == true ? " (data removed)" : ""
            throw .invalidOutput("succeeded prediction has no usable output\(removed)", provider: name)
        }
        return prediction
    }

    /// Best effort `POST /v1/predictions/{id}/cancel`.
    func cancel(id: String) async {
        _ = await http.send(.POST, "\(pollURL(id))/cancel", headers: headers, timeout: configuration.requestTimeout)
    }

    func pollURL(_ id: String) -> String {
        let safe = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id
        return "\(base)/v1/predictions/\(safe)"
    }

    /// A reference image as a `data:` URI (small) or a Files API URL (large).
    func referenceURI(_ image: MediaFile) async throws(ProviderError) -> String {
        guard let data = FileManager.default.contents(atPath: image.path) else {
            throw .unsupportedFeature("reference image is not readable", provider: name)
        }
        if data.count <= configuration.inlineReferenceLimitBytes { return DataURI.encode(data, mimeType: image.contentType) }
        return try await upload(data, contentType: image.contentType)
    }

    /// `POST /v1/files` (multipart, part `content`), returning the file's `urls.get`.
    func upload(_ data: Data, contentType: String) async throws(ProviderError) -> String {
        let boundary = "mv-\(UUID().uuidString)"
        var body = ByteBuffer()
        body.writeString(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"content\"; filename=\"reference\"\r\nContent-Type: \(contentType)\r\n\r\n")
        body.writeBytes(data)
        body.writeString("\r\n--\(boundary)--\r\n")
        var headers = self.headers
        headers.replaceOrAdd(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
        let result = await http.send(.POST, "\(base)/v1/files", headers: headers, body: body, timeout: configuration.requestTimeout)
        switch result {
        case .failure(let failure):
            throw ReplicateErrors.from(failure, phase: .other)
        case .success(let exchange):
            guard exchange.status == 201 || exchange.status == 200 else { throw ReplicateErrors.from(exchange, phase: .other) }
            guard let file = exchange.decode(ReplicateFile.self), let url = file.urls?.get else {
                throw .invalidOutput("file upload answered with malformed JSON", provider: name, retryable: false)
            }
            return url
        }
    }
}
