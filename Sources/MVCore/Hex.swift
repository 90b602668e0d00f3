/// Lowercase hexadecimal digits, the one table of them (digests, UUIDs, JSON escapes).
public enum Hex {
    /// The lowercase digit of a nibble (0...15).
    /// - Parameter nibble: The value, below 16.
    /// - Returns: Its ASCII digit.
    @inlinable
    public static func digit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}

extension Sequence where Element == UInt8 {
    /// Lowercase hexadecimal, two digits per byte (digests, checksums, ids).
    public var hexString: String {
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(Hex.digit(byte >> 4))
            out.append(Hex.digit(byte & 0x0f))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
