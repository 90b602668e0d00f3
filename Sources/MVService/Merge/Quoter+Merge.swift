import Foundation
import MVBilling

extension Quoter {
    /// The hold of a merge: the price (`merge.per_started_minute` in pricing.yaml) of its longest possible result
    /// (the song's length under `fit_to_audio: loop`, else the clips' total). The capture prices the real result.
    /// - Throws: ``ValidationError`` when the length cannot be priced.
    func quote(merge inputs: MergeAdmission) throws(ValidationError) -> Quote {
        guard let credits = prices.mergeCredits(seconds: inputs.maximumSeconds) else {
            throw ValidationError.invalid("video_ids", "the merged video would be too long to price")
        }
        let minutes = max(0, inputs.maximumSeconds / 60 - 1e-9).rounded(.up)
        return Quote(
            credits: credits,
            breakdown: [.init(provider: nil, model: "ffmpeg", unit: "started_minute", quantity: minutes, credits: credits)])
    }
}
