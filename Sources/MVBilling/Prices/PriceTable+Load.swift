import MVCore

extension PriceTable {
    /// Loads and validates a pricing file.
    ///
    /// Top-level keys: `video`, `image`, `scenes`, `merge` (each optional, unknown keys are errors). Video and image
    /// prices are non-negative integers; each scenes entry is `{ per_1k_tokens: Int, hold: Int }`; `merge` is
    /// `{ per_started_minute: Int }`.
    /// - Parameter path: Path of the YAML file.
    /// - Returns: The price table.
    /// - Throws: `ConfigError` naming the file, the dotted key and the reason.
    public static func load(path: String) throws(ConfigError) -> PriceTable {
        try decode(YAMLField.load(path: path))
    }

    /// Parses and validates pricing YAML text.
    /// - Parameters:
    ///   - yaml: The YAML text.
    ///   - file: Name used in errors.
    /// - Returns: The price table.
    /// - Throws: `ConfigError` naming `file`, the dotted key and the reason.
    public static func parse(yaml: String, file: String = "pricing.yaml") throws(ConfigError) -> PriceTable {
        try decode(YAMLField.parse(yaml, file: file))
    }

    private static func decode(_ root: YAMLField) throws(ConfigError) -> PriceTable {
        var table = PriceTable()
        for (section, field) in try root.entries() {
            switch section {
            case "video":
                table.video = try unitPrices(field)
            case "image":
                table.image = try unitPrices(field)
            case "scenes":
                table.scenes = try scenesPrices(field)
            case "merge":
                table.mergePerStartedMinute = try mergePrice(field)
            default:
                throw field.fail("unknown key (expected video, image, scenes or merge)")
            }
        }
        return table
    }

    private static func unitPrices(_ section: YAMLField) throws(ConfigError) -> [String: Int64] {
        var prices: [String: Int64] = [:]
        for (model, value) in try section.entries() {
            prices[model] = try value.nonNegativeInteger()
        }
        return prices
    }

    private static func scenesPrices(_ section: YAMLField) throws(ConfigError) -> [String: ScenesPrice] {
        var prices: [String: ScenesPrice] = [:]
        for (model, entry) in try section.entries() {
            var perThousand: Int64?
            var hold: Int64?
            for (field, value) in try entry.entries() {
                switch field {
                case "per_1k_tokens": perThousand = try value.nonNegativeInteger()
                case "hold": hold = try value.nonNegativeInteger()
                default: throw value.fail("unknown key (expected per_1k_tokens and hold)")
                }
            }
            guard let perThousand else { throw ConfigError(file: entry.file, key: "\(entry.path).per_1k_tokens", reason: "missing") }
            guard let hold else { throw ConfigError(file: entry.file, key: "\(entry.path).hold", reason: "missing") }
            prices[model] = ScenesPrice(perThousandTokens: perThousand, hold: hold)
        }
        return prices
    }

    private static func mergePrice(_ section: YAMLField) throws(ConfigError) -> Int64 {
        var perMinute: Int64?
        for (field, value) in try section.entries() {
            switch field {
            case "per_started_minute": perMinute = try value.nonNegativeInteger()
            default: throw value.fail("unknown key (expected per_started_minute)")
            }
        }
        guard let perMinute else { throw ConfigError(file: section.file, key: "\(section.path).per_started_minute", reason: "missing") }
        return perMinute
    }
}
