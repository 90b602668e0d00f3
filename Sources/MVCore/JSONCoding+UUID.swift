import Foundation

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
