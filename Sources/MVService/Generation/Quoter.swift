import Foundation
import MVBackends
import MVBilling

/// A price before any charge: the hold is the highest price among the providers that could serve the request,
/// because failover may land on any of them; the capture is what the one that served it costs.
struct Quote: Codable, Sendable, Equatable {
    /// One candidate's price.
    struct Line: Codable, Sendable, Equatable {
        /// The provider; nil for work done on our machines (a merge).
        var provider: ProviderName?
        var model: String
        var unit: String
        var quantity: Double
        var credits: Int64
    }
    /// Credits held at submit.
    var credits: Int64
    /// Per candidate.
    var breakdown: [Line]
}

/// Prices validated requests from the model catalog's candidates and the price table.
struct Quoter: Sendable {
    let router: GenerationRouter
    let prices: PriceTable

    func quote(video spec: VideoJobSpec) throws(ValidationError) -> Quote {
        let candidates = router.candidates(for: .video, backend: spec.backend, model: spec.model, needs: spec.featureNeeds)
        guard !candidates.isEmpty else {
            throw ValidationError.invalid(
                "backend", "no \(spec.backend.rawValue) video model supports this request (duration, resolution, aspect ratio, references, audio)")
        }
        var lines: [Quote.Line] = []
        for candidate in candidates {
            guard let credits = prices.videoCredits(model: candidate.model, seconds: Double(spec.durationSeconds)) else { continue }
            lines.append(.init(provider: candidate.provider, model: candidate.model, unit: "second", quantity: Double(spec.durationSeconds), credits: credits))
        }
        guard let highest = lines.map(\.credits).max() else {
            throw ValidationError.invalid("model", "no price is configured for the candidate models")
        }
        return Quote(credits: highest, breakdown: lines)
    }

    func quote(scenes spec: ScenesJobSpec) throws(ValidationError) -> Quote {
        let candidates = router.candidates(for: .scenes, backend: spec.backend, model: spec.model, needs: .none)
        let lines = candidates.compactMap { candidate -> Quote.Line? in
            guard let hold = prices.scenesHold(model: candidate.model) else { return nil }
            return .init(provider: candidate.provider, model: candidate.model, unit: "call (max; charged per 1k tokens)", quantity: 1, credits: hold)
        }
        return try highest(lines, field: "backend", capability: "scenes")
    }

    func quote(images spec: ImageJobSpec) throws(ValidationError) -> Quote {
        let candidates = router.candidates(
            for: .image, backend: spec.request.backend, model: spec.request.model, needs: FeatureNeeds(image: spec.request))
        let lines = candidates.compactMap { candidate -> Quote.Line? in
            guard let credits = prices.imageCredits(model: candidate.model, count: spec.request.numImages) else { return nil }
            return .init(provider: candidate.provider, model: candidate.model, unit: "image", quantity: Double(spec.request.numImages), credits: credits)
        }
        return try highest(lines, field: "backend", capability: "image")
    }

    private func highest(_ lines: [Quote.Line], field: String, capability: String) throws(ValidationError) -> Quote {
        guard let highest = lines.map(\.credits).max() else {
            throw ValidationError.invalid(field, "no configured \(capability) model can serve this request")
        }
        return Quote(credits: highest, breakdown: lines)
    }
}
