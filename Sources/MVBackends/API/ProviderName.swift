/// The providers the router can call. Stored and shown by their raw names.
public enum ProviderName: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    /// Replicate (Veo 3.1, Imagen 4).
    case replicate
    /// The Gemini API (Gemini text models, Veo 3.1).
    case gemini
    /// The offline mock: real media made with ffmpeg.
    case mock

    /// The raw name.
    public var description: String { rawValue }
}
