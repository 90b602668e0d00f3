import Foundation

extension UUID {
    /// The RFC 9562 output form: lowercase hex. (`uuidString` is uppercase; input accepts either case.) Written
    /// digit by digit: Foundation formats `uuidString` with `snprintf`, and lowercasing it copied it again.
    public var lowercased: String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            withUnsafeBytes(of: uuid) { bytes in
                var index = 0
                for (position, byte) in bytes.enumerated() {
                    if position == 4 || position == 6 || position == 8 || position == 10 {
                        buffer[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    buffer[index] = Self.hexDigit(byte >> 4)
                    buffer[index + 1] = Self.hexDigit(byte & 0x0f)
                    index += 2
                }
                return index
            }
        }
    }

    /// A UUID in its 36-character form (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits in either case), as
    /// `UUID(uuidString:)` accepts it, without its `sscanf`: the hot paths parse one or two per request. Stricter than
    /// Foundation in one way: no blank before a field.
    /// - Parameter text: The text.
    public init?(parsing text: String) {
        var text = text
        guard let value = text.withUTF8(Self.parse) else { return nil }
        self.init(uuid: value)
    }

    /// ``init(parsing:)-(String)`` of a substring.
    /// - Parameter text: The text.
    public init?(parsing text: Substring) {
        var text = text
        guard let value = text.withUTF8(Self.parse) else { return nil }
        self.init(uuid: value)
    }

    private static func parse(_ text: UnsafeBufferPointer<UInt8>) -> uuid_t? {
        guard text.count == 36 else { return nil }
        var value = uuid_t(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &value) { bytes -> Bool in
            var position = 0
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    guard text[position] == UInt8(ascii: "-") else { return false }
                    position += 1
                }
                guard let high = nibble(text[position]), let low = nibble(text[position + 1]) else { return false }
                bytes[index] = high << 4 | low
                position += 2
            }
            return true
        }
        return parsed ? value : nil
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension JSONCoding {
    /// Encodes `value` with ``encoder`` and rewrites every string value that is a UUID in uppercase to lowercase,
    /// because Foundation encodes `UUID` as its uppercase `uuidString`. UUIDs compare case-insensitively (RFC 9562),
    /// so a string that is exactly a UUID keeps its meaning.
    /// - Parameter value: The value to encode.
    /// - Returns: UTF-8 JSON.
    public static func encode(_ value: some Encodable) throws -> Data {
        var data = try encoder.encode(value)
        lowercaseUUIDs(in: &data)
        return data
    }

    /// Lowercases every `"XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX"` string token in JSON text, in place.
    public static func lowercaseUUIDs(in data: inout Data) {
        let quote = UInt8(ascii: "\"")
        let count = data.count
        guard count >= 38 else { return }
        data.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) in
            guard let bytes = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            var index = 0
            while index + 37 < count {
                guard bytes[index] == quote, bytes[index + 37] == quote, isUUID(bytes + index + 1) else {
                    index += 1
                    continue
                }
                for offset in 1...36 where (65...70).contains(bytes[index + offset]) {
                    bytes[index + offset] += 32
                }
                index += 38
            }
        }
    }

    /// Lowercases the 36 bytes of `bytes` at `start` when they are a UUID (a string token ``JSONWriter`` wrote).
    static func lowercaseUUID(in bytes: inout [UInt8], at start: Int) {
        guard start >= 0, start + 36 <= bytes.count else { return }
        bytes.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, isUUID(base + start) else { return }
            for offset in 0..<36 where (65...70).contains(base[start + offset]) {
                base[start + offset] += 32
            }
        }
    }

    private static func isUUID(_ p: UnsafeMutablePointer<UInt8>) -> Bool {
        for offset in 0..<36 {
            let byte = p[offset]
            switch offset {
            case 8, 13, 18, 23:
                guard byte == UInt8(ascii: "-") else { return false }
            default:
                guard (48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte) else { return false }
            }
        }
        return true
    }
}
