import MVBackends
import MVBilling

extension CostReportPrice {
    /// The provider prices of every catalog entry (`configs/models.yaml`, each entry's `cost`), keyed by the job kind
    /// its capability serves. Units without a configured price cost 0.
    static func catalog(_ catalog: ModelCatalog) -> [CostReportPrice] {
        catalog.entries.map { entry in
            CostReportPrice(
                jobKind: JobKind(entry.capability).rawValue, provider: entry.provider.rawValue, model: entry.model,
                usdPerVideoSecond: entry.cost.usdPerVideoSecond ?? 0, usdPerImage: entry.cost.usdPerImage ?? 0,
                usdPerMillionInputTokens: entry.cost.usdPerMillionInputTokens ?? 0,
                usdPerMillionOutputTokens: entry.cost.usdPerMillionOutputTokens ?? 0)
        }
    }
}

extension JobKind {
    /// The job kind whose handler calls models of `capability`.
    init(_ capability: Capability) {
        switch capability {
        case .video: self = .generateVideo
        case .image: self = .generateCharacterReference
        case .scenes: self = .createScenes
        }
    }
}
