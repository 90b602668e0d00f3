/// Which provider family a caller asks for.
///
/// `auto` lets the router pick from the model catalog (falling back to the mock provider when no
/// provider keys are configured); the other cases pin one provider family.
public enum BackendChoice: String, Codable, Sendable, CaseIterable {
    /// Let the router choose from the catalog, with failover.
    case auto
    /// Replicate only.
    case replicate
    /// The Gemini API only.
    case gemini
    /// The offline mock provider (real media made with ffmpeg).
    case mock
}

extension BackendChoice {
    /// The one provider this choice pins, or nil for `auto`.
    public var provider: ProviderName? { ProviderName(rawValue: rawValue) }
}
