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
                    buffer[index] = Hex.digit(byte >> 4)
                    buffer[index + 1] = Hex.digit(byte & 0x0f)
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

    /// Parses a substring as the `String` initializer does.
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

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
