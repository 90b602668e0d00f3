import Hummingbird
import MVBackends
import MVBilling

/// `GET /api/billing/prices`: the price table in force, per model and unit, beside what the provider charges us.
struct PricesController {
    let prices: PriceTable
    let catalog: ModelCatalog

    func addRoutes(to billing: RouterGroup<AppRequestContext>) {
        billing.get("prices", use: list)
    }

    /// One priced model.
    struct Price: Codable, Equatable {
        /// `video`, `image`, `scenes` or `merge` (joining clips with ffmpeg on our machines; model `ffmpeg`).
        var capability: String
        /// Catalog model id.
        var model: String
        /// The provider serving the model, when the catalog lists it.
        var provider: ProviderName?
        /// `second` (of video), `image`, `1k_tokens` (input + output, started thousands), or `started_minute` (of a
        /// merged video).
        var unit: String
        /// Credits per unit.
        var creditsPerUnit: Int64
        /// Credits held at submit for a text-model call (tokens are only known afterwards).
        var holdCredits: Int64?
        /// What the provider charges us per unit (video second, image), in USD, when configured.
        var providerCostUsdPerUnit: Double?
        /// For text models: what the provider charges per million input tokens, in USD.
        var providerCostUsdPerMillionInputTokens: Double?
        /// For text models: what the provider charges per million output tokens, in USD.
        var providerCostUsdPerMillionOutputTokens: Double?
    }

    struct PriceList: ResponseEncodable {
        var items: [Price]
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> PriceList {
        _ = try context.requirePrincipal()
        return PriceList(items: Self.items(prices: prices, catalog: catalog))
    }

    /// Every priced model (and the merge price, when merging is not free), sorted by capability and model id.
    static func items(prices: PriceTable, catalog: ModelCatalog) -> [Price] {
        func entry(_ capability: Capability, _ model: String) -> ModelEntry? {
            catalog.entries.first { $0.capability == capability && $0.model == model }
        }
        var items: [Price] = []
        for (model, credits) in prices.video {
            let entry = entry(.video, model)
            items.append(Price(
                capability: "video", model: model, provider: entry?.provider, unit: "second", creditsPerUnit: credits,
                providerCostUsdPerUnit: entry?.cost.usdPerVideoSecond))
        }
        for (model, credits) in prices.image {
            let entry = entry(.image, model)
            items.append(Price(
                capability: "image", model: model, provider: entry?.provider, unit: "image", creditsPerUnit: credits,
                providerCostUsdPerUnit: entry?.cost.usdPerImage))
        }
        for (model, price) in prices.scenes {
            let entry = entry(.scenes, model)
            items.append(Price(
                capability: "scenes", model: model, provider: entry?.provider, unit: "1k_tokens", creditsPerUnit: price.perThousandTokens,
                holdCredits: price.hold, providerCostUsdPerMillionInputTokens: entry?.cost.usdPerMillionInputTokens,
                providerCostUsdPerMillionOutputTokens: entry?.cost.usdPerMillionOutputTokens))
        }
        if prices.mergePerStartedMinute > 0 {
            items.append(Price(capability: "merge", model: "ffmpeg", provider: nil, unit: "started_minute", creditsPerUnit: prices.mergePerStartedMinute))
        }
        return items.sorted { ($0.capability, $0.model) < ($1.capability, $1.model) }
    }
}
