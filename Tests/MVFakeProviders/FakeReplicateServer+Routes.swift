import Foundation
import Hummingbird
import NIOCore
import Synchronization

extension FakeReplicateServer {
    private static var unauthenticated: [String: Any] {
        [
            "title": "Unauthenticated", "detail": "You did not pass a valid authentication token", "status": 401,
        ]
    }

    /// Auth and the generic faults shared by every API route; `nil` = carry on.
    func gate(_ request: Request, isCreate: Bool) async -> Response? {
        let auth = FakeResponses.header(request, "Authorization") ?? ""
        guard auth == "Bearer \(Self.token)" || auth == "Token \(Self.token)" else {
            return FakeResponses.json(401, Self.unauthenticated, contentType: "application/problem+json")
        }
        let faults = self.faults
        if faults.responseDelay > .zero { try? await Task.sleep(for: faults.responseDelay) }
        if faults.stall {
            await host.stall(upTo: faults.stallLimit)
            return FakeResponses.json(504, ["detail": "stalled"], contentType: "application/problem+json")
        }
        if faults.resetConnection { return FakeResponses.reset() }
        let failNow = state.withLock { value -> Bool in
            guard value.faults.serverErrorRate > 0, value.random.next() < value.faults.serverErrorRate else { return false }
            value.counters.injectedServerErrors += 1
            return true
        }
        if failNow { return FakeResponses.json(500, ["detail": "Internal server error"], contentType: "application/problem+json") }
        return nil
    }

    func create(_ request: Request, model: String, preread: ByteBuffer? = nil) async throws -> Response {
        state.withLock { $0.counters.createRequests += 1 }
        if let denied = await gate(request, isCreate: true) { return denied }
        var request = request
        let body: ByteBuffer
        if let preread { body = preread } else { body = try await request.collectBody(upTo: 16 << 20) }
        let faults = self.faults
        if let status = faults.createStatus {
            return FakeResponses.json(status, ["detail": "Scripted failure", "status": status], contentType: "application/problem+json")
        }
        let limited = state.withLock { value -> Bool in
            guard value.faults.rateLimitCreates > 0 else { return false }
            value.faults.rateLimitCreates -= 1
            return true
        }
        if limited {
            let extra = faults.retryAfterSeconds.map { ["Retry-After": String($0)] } ?? [:]
            return FakeResponses.json(
                429, ["detail": "Request was throttled. Your rate limit resets in ~1s."], contentType: "application/problem+json", extra: extra)
        }
        if faults.retiredModels.contains(model) {
            return FakeResponses.json(
                404, ["detail": "The requested model does not exist or has been disabled", "status": 404], contentType: "application/problem+json")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
            let input = object["input"] as? [String: Any]
        else {
            return FakeResponses.json(422, ["detail": "input is required", "status": 422], contentType: "application/problem+json")
        }
        if let problem = Self.validate(input: input, model: model) {
            return FakeResponses.json(
                422, ["title": "Input validation failed", "detail": problem, "status": 422], contentType: "application/problem+json")
        }
        let inputText = (try? JSONSerialization.data(withJSONObject: input, options: [.sortedKeys, .withoutEscapingSlashes])).map {
            String(decoding: $0, as: UTF8.self)
        }
        let id = Self.makeID()
        let isImage = model.contains("imagen") || input["output_format"] != nil
        let status = faults.finishOnCreate ? faults.finalStatus : (faults.outputWhileProcessing ? "processing" : "starting")
        var textScenes: Int?
        if input["max_tokens"] != nil, let prompt = input["prompt"] as? String {
            let digits = prompt.components(separatedBy: "exactly ").last?.prefix(while: { $0.isNumber }) ?? ""
            textScenes = Int(digits) ?? 1
        }
        let prediction = Prediction(id: id, model: model, polls: 0, status: status, isImage: isImage, created: Date(), textScenes: textScenes)
        state.withLock { value in
            value.predictions[id] = prediction
            value.counters.predictionsCreated += 1
            value.counters.lastCreateInput = inputText
            value.counters.lastPrefer = FakeResponses.header(request, "Prefer")
        }
        var extra: [String: String] = [:]
        if let prefer = FakeResponses.header(request, "Prefer") { extra["Preference-Applied"] = prefer }
        var object2 = render(prediction, faults: faults)
        if faults.outputWhileProcessing && !faults.finishOnCreate { object2["output"] = outputValue(prediction, faults: faults, partial: true) }
        return respond(201, object2, faults: faults, extra: extra)
    }

    func poll(_ request: Request, id: String) async throws -> Response {
        state.withLock { $0.counters.polls += 1 }
        if let denied = await gate(request, isCreate: false) { return denied }
        let faults = self.faults
        if let status = faults.pollStatus {
            return FakeResponses.json(status, ["detail": "Scripted poll failure", "status": status], contentType: "application/problem+json")
        }
        let prediction = state.withLock { value -> Prediction? in
            guard var prediction = value.predictions[id] else { return nil }
            if !["succeeded", "failed", "canceled", "aborted"].contains(prediction.status) {
                prediction.polls += 1
                prediction.status = prediction.polls > value.faults.pollsBeforeDone ? value.faults.finalStatus : "processing"
            }
            value.predictions[id] = prediction
            return prediction
        }
        guard let prediction else { return FakeResponses.json(404, ["detail": "Not found."], contentType: "application/problem+json") }
        return respond(200, render(prediction, faults: faults), faults: faults)
    }

    func cancel(_ request: Request, id: String) async throws -> Response {
        state.withLock { $0.counters.cancels += 1 }
        if let denied = await gate(request, isCreate: false) { return denied }
        let prediction = state.withLock { value -> Prediction? in
            guard var prediction = value.predictions[id] else { return nil }
            if !["succeeded", "failed", "canceled", "aborted"].contains(prediction.status) { prediction.status = "canceled" }
            value.predictions[id] = prediction
            return prediction
        }
        guard let prediction else { return FakeResponses.json(404, ["detail": "Not found."], contentType: "application/problem+json") }
        return FakeResponses.json(200, render(prediction, faults: faults))
    }

    func upload(_ request: Request) async throws -> Response {
        if let denied = await gate(request, isCreate: false) { return denied }
        var request = request
        let limit = faults.maxFileBytes
        guard let body = try? await request.collectBody(upTo: limit) else {
            return FakeResponses.json(413, ["detail": "Files must be less than 100MB in size"], contentType: "application/problem+json")
        }
        guard (FakeResponses.header(request, "Content-Type") ?? "").hasPrefix("multipart/form-data"),
            String(buffer: body).contains("name=\"content\"")
        else {
            return FakeResponses.json(422, ["detail": "content part is required"], contentType: "application/problem+json")
        }
        state.withLock { $0.counters.filesUploaded += 1 }
        let id = Self.makeID()
        return FakeResponses.json(
            201,
            [
                "id": id, "name": "reference", "content_type": "application/octet-stream", "size": body.readableBytes,
                "checksums": ["sha256": "0"], "metadata": [:] as [String: Any], "created_at": "2026-11-24T10:00:00.123Z",
                "expires_at": "2026-11-25T10:00:00.123Z", "urls": ["get": "\(baseURL)/v1/files/\(id)"],
            ])
    }

    func deliver(file: String) async throws -> Response {
        state.withLock { $0.counters.downloads += 1 }
        let isImage = file.hasSuffix(".png")
        let data = isImage ? media.png : media.mp4
        let type = isImage ? "image/png" : "video/mp4"
        if faults.truncatedDownload { return FakeResponses.truncated(data, contentType: type) }
        return FakeResponses.raw(200, data, contentType: type)
    }

    private func respond(_ status: Int, _ object: [String: Any], faults: Faults, extra: [String: String] = [:]) -> Response {
        guard faults.truncatedJSON else { return FakeResponses.json(status, object, extra: extra) }
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return FakeResponses.raw(status, data.prefix(data.count / 2), contentType: "application/json")
    }

    private func render(_ prediction: Prediction, faults: Faults) -> [String: Any] {
        let terminal = ["succeeded", "failed", "canceled", "aborted"].contains(prediction.status)
        var object: [String: Any] = [
            "id": prediction.id, "model": prediction.model, "version": "hidden", "input": [:] as [String: Any],
            "logs": "", "error": NSNull(), "status": prediction.status, "data_removed": false, "source": "api",
            "created_at": Self.timestamp(prediction.created, variant: prediction.polls),
            "urls": [
                "get": "\(baseURL)/v1/predictions/\(prediction.id)", "cancel": "\(baseURL)/v1/predictions/\(prediction.id)/cancel",
                "web": "https://replicate.com/p/\(prediction.id)",
            ],
            "metrics": [:] as [String: Any], "output": NSNull(),
        ]
        if prediction.status != "starting" {
            object["started_at"] = Self.timestamp(prediction.created.addingTimeInterval(0.5), variant: prediction.polls + 1)
        }
        if terminal {
            object["completed_at"] = Self.timestamp(prediction.created.addingTimeInterval(2), variant: prediction.polls + 2)
            object["metrics"] = ["predict_time": 1.5, "total_time": 2.0]
        }
        if prediction.status == "succeeded" {
            if faults.dataRemoved {
                object["data_removed"] = true
            } else {
                object["output"] = outputValue(prediction, faults: faults, partial: false)
            }
        }
        if prediction.status == "failed" { object["error"] = faults.failureMessage }
        return object
    }

    private func outputValue(_ prediction: Prediction, faults: Faults, partial: Bool) -> Any {
        if let count = prediction.textScenes {
            let scenes = (0..<count).map {
                ["description": "Replicate scene \($0 + 1): dancers on a rooftop", "negative_description": "no captions"]
            }
            let text = String(decoding: (try? JSONSerialization.data(withJSONObject: ["scenes": scenes])) ?? Data(), as: UTF8.self)
            let chunks = stride(from: 0, to: text.count, by: 7).map { start -> String in
                let from = text.index(text.startIndex, offsetBy: start)
                return String(text[from..<(text.index(from, offsetBy: 7, limitedBy: text.endIndex) ?? text.endIndex)])
            }
            return partial ? Array(chunks.prefix(chunks.count / 2)) : chunks
        }
        let file = prediction.isImage ? "out.png" : "out.mp4"
        let url = "\(baseURL)/delivery/\(prediction.id)/\(file)"
        switch faults.outputMode {
        case .url: return url
        case .list: return [url]
        case .dataURI:
            let data = prediction.isImage ? media.png : media.mp4
            let bytes = partial ? data.prefix(data.count / 3) : data
            return "data:\(prediction.isImage ? "image/png" : "video/mp4");base64,\(Data(bytes).base64EncodedString())"
        }
    }

    /// The A9 checks for the Veo and Imagen schemas.
    static func validate(input: [String: Any], model: String) -> String? {
        guard let prompt = input["prompt"] as? String, !prompt.isEmpty else { return "prompt is required" }
        if model.contains("veo") {
            if let duration = input["duration"] {
                guard let number = duration as? Int, !(duration is String), [4, 6, 8].contains(number) else {
                    return "duration must be one of 4, 6, 8"
                }
            }
            if let ratio = input["aspect_ratio"] as? String, !["16:9", "9:16"].contains(ratio) { return "aspect_ratio must be 16:9 or 9:16" }
            if let resolution = input["resolution"] as? String, !["720p", "1080p"].contains(resolution) { return "bad resolution" }
            if input["reference_images"] != nil && model.hasSuffix("-fast") { return "reference_images is not an input of this model" }
        }
        if model.contains("imagen") {
            if let ratio = input["aspect_ratio"] as? String, !["1:1", "9:16", "16:9", "3:4", "4:3"].contains(ratio) { return "bad aspect_ratio" }
            if let format = input["output_format"] as? String, !["jpg", "png"].contains(format) { return "bad output_format" }
        }
        return nil
    }

    static func makeID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<26).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    }

    /// Rotates 6-digit Z, 3-digit Z and 7-digit +00:00 timestamps, as real traffic does.
    static func timestamp(_ date: Date, variant: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        let base = formatter.string(from: date)
        let fraction = date.timeIntervalSince1970.truncatingRemainder(dividingBy: 1)
        switch variant % 3 {
        case 0: return base + String(format: ".%06dZ", Int(fraction * 1_000_000))
        case 1: return base + String(format: ".%03dZ", Int(fraction * 1000))
        default: return base + String(format: ".%07d+00:00", Int(fraction * 10_000_000))
        }
    }
}
