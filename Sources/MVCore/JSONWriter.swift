import Foundation

/// JSON text written by hand, byte for byte what ``JSONCoding/encode(_:)`` writes for the same value: keys sorted
/// (the caller writes an object's keys in order; ``value(_:)`` sorts a ``JSONValue``'s), lowercase UUIDs, RFC 3339
/// times, slashes unescaped, whole doubles without a fraction. For answers on hot paths, where `JSONEncoder`'s generic
/// machinery (key conversion, sorting, boxing) cost more than the rest of the request; a test compares the two.
public struct JSONWriter {
    /// The UTF-8 JSON text so far.
    public private(set) var bytes: [UInt8] = []
    /// Per open object or array: whether a member was written (a comma goes before the next).
    private var filled: [Bool] = []

    /// A writer with room for `capacity` bytes.
    public init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    /// Opens an object; close it with ``endObject()``.
    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        filled.append(false)
    }

    /// Closes the innermost object.
    public mutating func endObject() {
        filled.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    /// Opens an array; close it with ``endArray()``.
    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        filled.append(false)
    }

    /// Closes the innermost array.
    public mutating func endArray() {
        filled.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// The next member's key (`"name":`), in the object's sorted order; its value follows.
    public mutating func key(_ name: String) {
        separate()
        quoted(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// A string (an uppercase UUID in it is written lowercase, as ``JSONCoding/lowercaseUUIDs(in:)`` does).
    public mutating func string(_ text: String) {
        separate()
        quoted(text)
    }

    /// A UUID, lowercase.
    public mutating func uuid(_ id: UUID) {
        string(id.lowercased)
    }

    /// A time, RFC 3339 UTC with milliseconds.
    public mutating func date(_ date: Date) {
        string(RFC3339.string(from: date))
    }

    /// An integer.
    public mutating func int(_ value: Int64) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A double as `JSONEncoder` writes one: the shortest form that reads back the same, without `.0` when whole.
    public mutating func double(_ value: Double) {
        separate()
        let text = value.description
        if text.hasSuffix(".0") {
            bytes.append(contentsOf: text.utf8.dropLast(2))
        } else {
            bytes.append(contentsOf: text.utf8)
        }
    }

    /// `true` or `false`.
    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// `null`.
    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
    }

    /// A JSON value as ``JSONValue/encode(to:)`` writes it: objects with sorted keys, whole numbers as integers.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let number):
            if number.rounded() == number, abs(number) < 1e15 { int(Int64(number)) } else { double(number) }
        case .string(let text): string(text)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let members):
            beginObject()
            for name in members.keys.sorted() {
                key(name)
                // Present: the key came from the dictionary.
                self.value(members[name] ?? .null)
            }
            endObject()
        }
    }

    /// Set by ``key(_:)``: the value that follows completes the member and takes no comma.
    private var afterKey = false

    /// A comma before every member of an object or array but the first.
    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        guard let last = filled.last else { return }
        if last { bytes.append(UInt8(ascii: ",")) } else { filled[filled.count - 1] = true }
    }

    /// `text` in quotes with `JSONEncoder`'s escapes: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u00XX` for the other
    /// control characters; everything else as UTF-8.
    private mutating func quoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        let start = bytes.count
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(contentsOf: [Hex.digit(byte >> 4), Hex.digit(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        if bytes.count - start == 36 { JSONCoding.lowercaseUUID(in: &bytes, at: start) }
        bytes.append(UInt8(ascii: "\""))
    }
}
