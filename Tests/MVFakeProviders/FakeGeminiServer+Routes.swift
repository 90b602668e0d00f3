import Foundation
import Hummingbird
import NIOCore
import Synchronization

extension FakeGeminiServer {
    static func status(_ code: Int, _ status: String, _ message: String, details: [[String: Any]] = []) -> Response {
        FakeResponses.json(code, ["error": ["code": code, "message": message, "status": status, "details": details] as [String: Any]])
    }

    private static func canonical(_ code: Int) -> String {
        switch code {
        case 400: return "INVALID_ARGUMENT"
        case 403: return "PERMISSION_DENIED"
        case 404: return "NOT_FOUND"
        case 429: return "RESOURCE_EXHAUSTED"
        case 503: return "UNAVAILABLE"
        case 504: return "DEADLINE_EXCEEDED"
        default: return "INTERNAL"
        }
    }

    /// Key check and generic faults; `nil` = carry on.
    func gate(_ request: Request) async -> Response? {
        let key = FakeResponses.header(request, "x-goog-api-key") ?? request.uri.queryParameters.get("key")
        guard key == Self.apiKey else {
            return Self.status(
                400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
                details: [
                    [
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com",
                        "metadata": ["service": "generativelanguage.googleapis.com"],
                    ]
                ])
        }
        let faults = self.faults
        if faults.responseDelay > .zero { try? await Task.sleep(for: faults.responseDelay) }
        if faults.stall {
            await host.stall(upTo: faults.stallLimit)
            return Self.status(504, "DEADLINE_EXCEEDED", "stalled")
        }
        if let code = faults.status { return Self.status(code, Self.canonical(code), "Scripted failure") }
        let limited = state.withLock { value -> Bool in
            guard value.faults.rateLimited > 0 else { return false }
            value.faults.rateLimited -= 1
            return true
        }
        if limited {
            let quota =
                faults.perDayQuota ? "GenerateRequestsPerDayPerProjectPerModel-FreeTier" : "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"
            return Self.status(
                429, "RESOURCE_EXHAUSTED", "You exceeded your current quota. Please retry in \(faults.retryDelay).",
                details: [
                    ["@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [["quotaId": quota]]],
                    ["@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": faults.retryDelay],
                ])
        }
        return nil
    }

    func modelAction(_ request: Request, segment: String) async throws -> Response {
        if let denied = await gate(request) { return denied }
        let pieces = segment.split(separator: ":", maxSplits: 1).map(String.init)
        guard pieces.count == 2 else { return Self.status(404, "NOT_FOUND", "Unknown method") }
        let (model, action) = (pieces[0], pieces[1])
        if faults.retiredModels.contains(model) {
            return Self.status(404, "NOT_FOUND", "models/\(model) is not found for API version v1beta, or is no longer available.")
        }
        var request = request
        let body = try await request.collectBody(upTo: 32 << 20)
        guard let json = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
            return Self.status(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        }
        switch action {
        case "generateContent": return generateContent(json, model: model)
        case "predictLongRunning": return predictLongRunning(json, model: model, raw: String(buffer: body))
        case "predict": return predict(json)
        default: return Self.status(404, "NOT_FOUND", "Unknown method \(action)")
        }
    }

    private func generateContent(_ json: [String: Any], model: String) -> Response {
        state.withLock { $0.counters.generateContentCalls += 1 }
        let config = json["generationConfig"] as? [String: Any] ?? [:]
        if config["responseSchema"] != nil && config["responseJsonSchema"] != nil {
            return Self.status(400, "INVALID_ARGUMENT", "responseSchema and responseJsonSchema cannot both be set")
        }
        if (config["responseSchema"] != nil || config["responseJsonSchema"] != nil) && config["responseMimeType"] == nil {
            return Self.status(400, "INVALID_ARGUMENT", "responseMimeType is required with a response schema")
        }
        let schema = config["responseSchema"] as? [String: Any]
        let scenesSchema = (schema?["properties"] as? [String: Any])?["scenes"] as? [String: Any]
        let count = scenesSchema?["minItems"] as? Int ?? 1
        let usage: [String: Any] = ["promptTokenCount": 120, "candidatesTokenCount": 80, "thoughtsTokenCount": 40, "totalTokenCount": 240]
        switch faults.sceneMode {
        case .promptBlocked:
            return FakeResponses.json(200, ["promptFeedback": ["blockReason": "PROHIBITED_CONTENT"], "usageMetadata": usage, "modelVersion": model])
        case .safety:
            return FakeResponses.json(200, ["candidates": [["finishReason": "SAFETY", "index": 0]], "usageMetadata": usage, "modelVersion": model])
        case .maxTokensNoText:
            let candidate: [String: Any] = ["content": ["role": "model", "parts": [] as [Any]], "finishReason": "MAX_TOKENS", "index": 0]
            return FakeResponses.json(200, ["candidates": [candidate], "usageMetadata": usage, "modelVersion": model])
        case .ok, .malformedJSON:
            let scenes = (0..<count).map {
                ["description": "Fake scene \($0 + 1): a wide shot of the stage", "negative_description": "no text overlays"]
            }
            var text = String(decoding: (try? JSONSerialization.data(withJSONObject: ["scenes": scenes])) ?? Data(), as: UTF8.self)
            if faults.sceneMode == .malformedJSON { text = String(text.prefix(text.count / 2)) }
            let parts: [[String: Any]] = [["text": "Planning the scenes...", "thought": true], ["text": text, "thoughtSignature": "c2lnbmF0dXJl"]]
            return FakeResponses.json(
                200,
                [
                    "candidates": [["content": ["role": "model", "parts": parts], "finishReason": "STOP", "index": 0]],
                    "usageMetadata": usage, "modelVersion": model, "responseId": "fake-\(UUID().uuidString.prefix(8))",
                ])
        }
    }

    private func predictLongRunning(_ json: [String: Any], model: String, raw: String) -> Response {
        guard let instances = json["instances"] as? [[String: Any]], instances.count == 1, instances[0]["prompt"] is String else {
            return Self.status(400, "INVALID_ARGUMENT", "instances[0].prompt is required")
        }
        let parameters = json["parameters"] as? [String: Any] ?? [:]
        if let duration = parameters["durationSeconds"], !(duration is Int) || ![4, 6, 8].contains(duration as? Int ?? 0) {
            return Self.status(400, "INVALID_ARGUMENT", "durationSeconds must be 4, 6 or 8")
        }
        if let ratio = parameters["aspectRatio"] as? String, !["16:9", "9:16"].contains(ratio) {
            return Self.status(400, "INVALID_ARGUMENT", "aspectRatio must be 16:9 or 9:16")
        }
        let id = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        state.withLock { value in
            value.operations[id] = Operation(model: model, polls: 0)
            value.counters.operationsCreated += 1
            value.counters.lastVeoRequest = raw
        }
        return FakeResponses.json(200, ["name": "models/\(model)/operations/\(id)"])
    }

    private func predict(_ json: [String: Any]) -> Response {
        state.withLock { $0.counters.imagePredictCalls += 1 }
        let parameters = json["parameters"] as? [String: Any] ?? [:]
        let count = parameters["sampleCount"] as? Int ?? 1
        let predictions = (0..<count).map { _ in ["mimeType": "image/png", "bytesBase64Encoded": media.png.base64EncodedString()] }
        return FakeResponses.json(200, ["predictions": predictions])
    }

    func operation(_ request: Request, model: String, id: String) async throws -> Response {
        state.withLock { $0.counters.operationPolls += 1 }
        if let denied = await gate(request) { return denied }
        if let code = faults.operationLookupStatus { return Self.status(code, Self.canonical(code), "Scripted operation lookup failure") }
        let operation = state.withLock { value -> Operation? in
            guard var operation = value.operations[id] else { return nil }
            operation.polls += 1
            value.operations[id] = operation
            return operation
        }
        guard let operation, operation.model == model else { return Self.status(404, "NOT_FOUND", "Operation not found") }
        let name = "models/\(model)/operations/\(id)"
        guard operation.polls > faults.pollsBeforeDone else { return FakeResponses.json(200, ["name": name, "done": false]) }
        let type = "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse"
        switch faults.veoOutcome {
        case .error:
            return FakeResponses.json(
                200, ["name": name, "done": true, "error": ["code": 13, "message": "Internal error while generating the video."]])
        case .filtered:
            let response: [String: Any] = [
                "@type": type,
                "generateVideoResponse": [
                    "raiMediaFilteredCount": 1, "raiMediaFilteredReasons": ["The prompt could not be submitted: it may violate our policies."],
                ],
            ]
            return FakeResponses.json(200, ["name": name, "done": true, "response": response])
        case .inlineBytes:
            let sample = ["video": ["encodedVideo": media.mp4.base64EncodedString(), "encoding": "video/mp4"]]
            return FakeResponses.json(
                200, ["name": name, "done": true, "response": ["@type": type, "generateVideoResponse": ["generatedSamples": [sample]]]])
        case .success:
            let sample = ["video": ["uri": "\(baseURL)/v1beta/files/\(id):download?alt=media"]]
            return FakeResponses.json(
                200, ["name": name, "done": true, "response": ["@type": type, "generateVideoResponse": ["generatedSamples": [sample]]]])
        }
    }

    /// First hop: key required, 302 to storage.
    func download(_ request: Request, segment: String) async throws -> Response {
        if let denied = await gate(request) { return denied }
        let fileID = String(segment.split(separator: ":").first ?? "")
        guard segment.hasSuffix(":download"), !fileID.isEmpty else { return Self.status(404, "NOT_FOUND", "File not found") }
        state.withLock { $0.counters.downloads += 1 }
        return FakeResponses.raw(302, Data(), contentType: "text/plain", extra: ["Location": "\(baseURL)/storage/\(fileID).mp4"])
    }

    /// Second hop: the bytes; records whether the key leaked onto it.
    func storage(_ request: Request) async throws -> Response {
        if FakeResponses.header(request, "x-goog-api-key") != nil { state.withLock { $0.counters.keyLeakedOnRedirect += 1 } }
        if faults.truncatedDownload { return FakeResponses.truncated(media.mp4, contentType: "video/mp4") }
        return FakeResponses.raw(200, media.mp4, contentType: "video/mp4")
    }
}
