import Yams

extension PriceTable {
    /// Loads and validates a pricing file.
    ///
    /// Top-level keys: `video`, `image`, `scenes` (each optional, unknown keys are errors). Video and image
    /// prices are non-negative integers; each scenes entry is `{ per_1k_tokens: Int, hold: Int }`.
    /// - Parameter path: Path of the YAML file.
    /// - Returns: The price table.
    /// - Throws: `ConfigurationError` naming the file, the dotted key and the reason.
    public static func load(path: String) throws(ConfigurationError) -> PriceTable {
        try decode(YAMLDocument.load(path: path))
    }

    /// Parses and validates pricing YAML text.
    /// - Parameters:
    ///   - yaml: The YAML text.
    ///   - file: Name used in errors.
    /// - Returns: The price table.
    /// - Throws: `ConfigurationError` naming `file`, the dotted key and the reason.
    public static func parse(yaml: String, file: String = "pricing.yaml") throws(ConfigurationError) -> PriceTable {
        try decode(YAMLDocument.parse(yaml, file: file))
    }

    private static func decode(_ document: YAMLDocument) throws(ConfigurationError) -> PriceTable {
        var table = PriceTable()
        for (section, node) in try document.entries(of: document.root, at: "") {
            switch section {
            case "video":
                table.video = try unitPrices(node, at: section, in: document)
            case "image":
                table.image = try unitPrices(node, at: section, in: document)
            case "scenes":
                table.scenes = try scenesPrices(node, in: document)
            default:
                throw document.error(section, "unknown key (expected video, image or scenes)")
            }
        }
        return table
    }

    private static func unitPrices(
        _ node: Node, at path: String, in document: YAMLDocument
    ) throws(ConfigurationError) -> [String: Int64] {
        var prices: [String: Int64] = [:]
        for (model, value) in try document.entries(of: document.mapping(node, at: path), at: path) {
            prices[model] = try document.nonNegativeInteger(value, at: "\(path).\(model)")
        }
        return prices
    }

    private static func scenesPrices(_ node: Node, in document: YAMLDocument) throws(ConfigurationError) -> [String: ScenesPrice] {
        var prices: [String: ScenesPrice] = [:]
        for (model, value) in try document.entries(of: document.mapping(node, at: "scenes"), at: "scenes") {
            let path = "scenes.\(model)"
            var perThousand: Int64?
            var hold: Int64?
            for (field, fieldValue) in try document.entries(of: document.mapping(value, at: path), at: path) {
                switch field {
                case "per_1k_tokens":
                    perThousand = try document.nonNegativeInteger(fieldValue, at: "\(path).\(field)")
                case "hold":
                    hold = try document.nonNegativeInteger(fieldValue, at: "\(path).\(field)")
                default:
                    throw document.error("\(path).\(field)", "unknown key (expected per_1k_tokens and hold)")
                }
            }
            guard let perThousand else { throw document.error("\(path).per_1k_tokens", "missing") }
            guard let hold else { throw document.error("\(path).hold", "missing") }
            prices[model] = ScenesPrice(perThousandTokens: perThousand, hold: hold)
        }
        return prices
    }
}
