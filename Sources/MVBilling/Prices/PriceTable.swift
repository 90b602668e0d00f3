/// Credit prices by capability and model id, loaded from `configs/pricing.yaml`.
///
/// One credit is $0.01 of list price. Prices are non-negative integers; a model missing from the
/// table has no price, and callers should refuse to run it.
public struct PriceTable: Sendable, Codable, Equatable {
    /// Price of one text-model (scene script) model.
    public struct ScenesPrice: Sendable, Codable, Equatable {
        /// Credits per started 1,000 tokens (input + output).
        public var perThousandTokens: Int64
        /// Credits held before a call, since tokens are only known afterwards.
        public var hold: Int64

        /// Creates a scenes price.
        /// - Parameters:
        ///   - perThousandTokens: Credits per started 1,000 tokens.
        ///   - hold: Credits to hold per call.
        public init(perThousandTokens: Int64, hold: Int64) {
            self.perThousandTokens = perThousandTokens
            self.hold = hold
        }

        enum CodingKeys: String, CodingKey {
            case perThousandTokens = "per_1k_tokens"
            case hold
        }
    }

    /// Credits per second of generated video, by model id.
    public var video: [String: Int64]
    /// Credits per generated image, by model id.
    public var image: [String: Int64]
    /// Token prices and per-call holds of text models, by model id.
    public var scenes: [String: ScenesPrice]
    /// Credits per started minute of a merged video (`merge.per_started_minute`; 0 = merging is free).
    public var mergePerStartedMinute: Int64

    /// Creates a price table.
    /// - Parameters:
    ///   - video: Credits per second of video, by model id.
    ///   - image: Credits per image, by model id.
    ///   - scenes: Text-model prices, by model id.
    ///   - mergePerStartedMinute: Credits per started minute of a merged video.
    public init(
        video: [String: Int64] = [:], image: [String: Int64] = [:], scenes: [String: ScenesPrice] = [:], mergePerStartedMinute: Int64 = 0
    ) {
        self.video = video
        self.image = image
        self.scenes = scenes
        self.mergePerStartedMinute = mergePerStartedMinute
    }
}
