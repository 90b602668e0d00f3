import Foundation
import MVCore

/// The model catalog: for each capability, the ordered list of models the router may use.
///
/// Loaded from `configs/models.yaml`; model ids are configuration because providers retire them.
public struct ModelCatalog: Sendable, Equatable {
    /// All entries, in file order within each capability.
    public var entries: [ModelEntry]

    /// Creates a catalog from entries (tests, tools).
    /// - Parameter entries: Entries in preference order.
    public init(entries: [ModelEntry]) {
        self.entries = entries
    }

    /// Enabled entries of one capability, in preference order.
    /// - Parameter capability: The capability.
    /// - Returns: Entries.
    public func models(for capability: Capability) -> [ModelEntry] {
        entries.filter { $0.capability == capability && $0.enabled }
    }

    /// Finds an entry (enabled or not).
    /// - Parameters:
    ///   - capability: Capability.
    ///   - provider: Provider name.
    ///   - model: Model id.
    /// - Returns: The entry, if any.
    public func entry(capability: Capability, provider: ProviderName, model: String) -> ModelEntry? {
        entries.first { $0.capability == capability && $0.provider == provider && $0.model == model }
    }

    /// Loads and validates the catalog.
    /// - Parameter path: YAML file path.
    /// - Returns: The catalog.
    /// - Throws: ``ConfigError`` naming the file, the key and the reason.
    public static func load(path: String) throws(ConfigError) -> ModelCatalog {
        try parse(YAMLField.load(path: path))
    }

    /// Parses and validates catalog YAML.
    /// - Parameters:
    ///   - yaml: The YAML text.
    ///   - file: Name used in errors.
    /// - Returns: The catalog.
    /// - Throws: ``ConfigError``.
    public static func parse(yaml: String, file: String = "models.yaml") throws(ConfigError) -> ModelCatalog {
        try parse(YAMLField.parse(yaml, file: file))
    }

    private static func parse(_ top: YAMLField) throws(ConfigError) -> ModelCatalog {
        try top.requireMapping(allowed: ["version", "video", "image", "scenes"])
        if let version = top.child("version"), try version.int() != 1 {
            throw version.fail("unsupported catalog version (expected 1)")
        }
        var entries: [ModelEntry] = []
        for capability in Capability.allCases {
            guard let list = top.child(capability.rawValue) else { continue }
            for item in try list.items() {
                entries.append(try CatalogEntryParser.parse(item, capability: capability))
            }
        }
        var seen = Set<String>()
        for entry in entries {
            let key = "\(entry.capability.rawValue)/\(entry.provider)/\(entry.model)"
            guard seen.insert(key).inserted else {
                throw ConfigError(file: top.file, key: entry.capability.rawValue, reason: "duplicate model \(entry.provider) \(entry.model)")
            }
        }
        return ModelCatalog(entries: entries)
    }
}
