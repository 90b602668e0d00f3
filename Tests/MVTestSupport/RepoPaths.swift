import Foundation

/// Paths inside the repository, found from this file's location.
public enum RepoPaths {
    /// The repository root.
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    /// The migrations folder, `sql/`.
    public static var sql: String { root + "/sql" }
    /// The configuration folder, `configs/`.
    public static var configs: String { root + "/configs" }
}
