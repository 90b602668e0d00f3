/// A finished clip.
public struct VideoResult: Sendable {
    /// The MP4, a temp file inside the `workDirectory` given to the router. The caller moves it.
    public var file: MediaFile
    /// Who made it.
    public var provenance: Provenance
    /// Billable units.
    public var usage: Usage
    /// Duration of the clip in seconds (requested duration; the service may probe the file).
    public var durationSeconds: Double

    /// Creates a result.
    /// - Parameters:
    ///   - file: The clip.
    ///   - provenance: Provenance.
    ///   - usage: Usage.
    ///   - durationSeconds: Duration.
    public init(file: MediaFile, provenance: Provenance, usage: Usage, durationSeconds: Double) {
        self.file = file
        self.provenance = provenance
        self.usage = usage
        self.durationSeconds = durationSeconds
    }
}
