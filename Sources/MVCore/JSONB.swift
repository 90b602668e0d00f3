import struct Foundation.Data
import class Foundation.JSONDecoder
import NIOCore
import PostgresNIO

/// A Codable value stored in a `jsonb` column, encoded and decoded with the service's ``JSONCoding`` conventions
/// (snake_case keys, RFC 3339 times), so values go in and out of PostgreSQL as typed values, never as `String`.
///
/// ```swift
/// try await connection.query("UPDATE jobs SET result = \(JSONB(result)) WHERE id = \(id)", logger: logger)
/// for try await result in rows.decode(JSONB<VideoResult>.self) { ... result.value ... }
/// ```
public struct JSONB<Value: Codable & Sendable>: PostgresCodable, Sendable {
    /// The value.
    public var value: Value

    /// Wraps a value.
    public init(_ value: Value) {
        self.value = value
    }

    public static var psqlType: PostgresDataType { .jsonb }
    public static var psqlFormat: PostgresFormat { .binary }

    public func encode<Coder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<Coder>
    ) throws {
        // A JSONValue is JSON as it is: key strategies must not rename its object keys.
        let text = value is JSONValue ? try JSONValue.plainEncoder.encode(value) : try JSONCoding.encoder.encode(value)
        try EncodedJSONB(text).encode(into: &byteBuffer, context: context)
    }

    public init<Coder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
        context: PostgresDecodingContext<Coder>
    ) throws {
        switch (format, type) {
        case (.binary, .jsonb):
            guard buffer.readInteger(as: UInt8.self) == 1 else { throw PostgresDecodingError.Code.failure }
        case (.binary, .json), (.text, .jsonb), (.text, .json):
            break
        default:
            throw PostgresDecodingError.Code.typeMismatch
        }
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        let decoder = Value.self == JSONValue.self ? JSONDecoder() : JSONCoding.decoder
        value = try decoder.decode(Value.self, from: Data(bytes))
    }
}
