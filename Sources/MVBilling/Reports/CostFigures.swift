import Foundation

/// The figures of one report row, or of the totals: jobs, credits moved, provider units and cost, margin.
///
/// Encoded with the service's snake_case convention: `jobs`, `succeeded`, `failed`, `canceled`, `credits_charged`,
/// `credits_released`, `provider_units {video_seconds, images, input_tokens, output_tokens}`, `provider_cost_usd`,
/// `margin_credits`.
public struct CostFigures: Codable, Sendable, Equatable {
    /// Units the providers reported for the row's succeeded jobs.
    public struct ProviderUnits: Codable, Sendable, Equatable {
        /// Seconds of generated video.
        public var videoSeconds: Decimal
        /// Generated images.
        public var images: Int64
        /// Text-model input tokens.
        public var inputTokens: Int64
        /// Text-model output tokens (including thinking).
        public var outputTokens: Int64

        /// Creates a units record.
        public init(videoSeconds: Decimal = 0, images: Int64 = 0, inputTokens: Int64 = 0, outputTokens: Int64 = 0) {
            self.videoSeconds = videoSeconds
            self.images = images
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
        }
    }

    /// Distinct jobs whose hold was resolved (captured or released) in the range.
    public var jobs: Int64
    /// Of those, succeeded.
    public var succeeded: Int64
    /// Of those, failed.
    public var failed: Int64
    /// Of those, canceled.
    public var canceled: Int64
    /// Credits captured (the ledger's `capture` entries, team side).
    public var creditsCharged: Int64
    /// Credits released back to the teams (`release` entries, team side).
    public var creditsReleased: Int64
    /// Provider units of the row's jobs.
    public var providerUnits: ProviderUnits
    /// Units × the catalog's provider cost per unit, USD (rounded to 6 decimals per row).
    public var providerCostUsd: Decimal
    /// `credits_charged − round(provider_cost_usd × 100)`: 1 credit = USD 0.01, half away from zero.
    public var marginCredits: Int64

    /// Creates figures.
    public init(
        jobs: Int64 = 0, succeeded: Int64 = 0, failed: Int64 = 0, canceled: Int64 = 0, creditsCharged: Int64 = 0,
        creditsReleased: Int64 = 0, providerUnits: ProviderUnits = ProviderUnits(), providerCostUsd: Decimal = 0, marginCredits: Int64 = 0
    ) {
        self.jobs = jobs
        self.succeeded = succeeded
        self.failed = failed
        self.canceled = canceled
        self.creditsCharged = creditsCharged
        self.creditsReleased = creditsReleased
        self.providerUnits = providerUnits
        self.providerCostUsd = providerCostUsd
        self.marginCredits = marginCredits
    }

    /// Column sums: how report totals are made from rows.
    public static func + (lhs: CostFigures, rhs: CostFigures) -> CostFigures {
        CostFigures(
            jobs: lhs.jobs + rhs.jobs, succeeded: lhs.succeeded + rhs.succeeded, failed: lhs.failed + rhs.failed,
            canceled: lhs.canceled + rhs.canceled, creditsCharged: lhs.creditsCharged + rhs.creditsCharged,
            creditsReleased: lhs.creditsReleased + rhs.creditsReleased,
            providerUnits: ProviderUnits(
                videoSeconds: lhs.providerUnits.videoSeconds + rhs.providerUnits.videoSeconds,
                images: lhs.providerUnits.images + rhs.providerUnits.images,
                inputTokens: lhs.providerUnits.inputTokens + rhs.providerUnits.inputTokens,
                outputTokens: lhs.providerUnits.outputTokens + rhs.providerUnits.outputTokens),
            providerCostUsd: lhs.providerCostUsd + rhs.providerCostUsd, marginCredits: lhs.marginCredits + rhs.marginCredits)
    }

    /// The flat column names, in CSV order (units flattened as `provider_units_video_seconds`, ...).
    public static let columns = [
        "jobs", "succeeded", "failed", "canceled", "credits_charged", "credits_released", "provider_units_video_seconds",
        "provider_units_images", "provider_units_input_tokens", "provider_units_output_tokens", "provider_cost_usd", "margin_credits",
    ]

    /// The values of ``columns``, as text (decimals in plain notation, as JSON writes them).
    public var columnValues: [String] {
        [
            String(jobs), String(succeeded), String(failed), String(canceled), String(creditsCharged), String(creditsReleased),
            providerUnits.videoSeconds.description, String(providerUnits.images), String(providerUnits.inputTokens),
            String(providerUnits.outputTokens), providerCostUsd.description, String(marginCredits),
        ]
    }
}
