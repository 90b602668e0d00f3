import NIOCore
import PostgresNIO

/// A `String`-backed enum stored in a `text` column and bound or decoded as itself, so queries carry typed kinds and
/// states instead of raw strings. (Codable enums would otherwise be bound as `jsonb`.)
public protocol PostgresStringEnum: RawRepresentable, PostgresCodable, Sendable where RawValue == String {}

extension PostgresStringEnum {
    public static var psqlType: PostgresDataType { .text }
    public static var psqlFormat: PostgresFormat { .binary }

    public func encode<Coder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<Coder>) {
        byteBuffer.writeString(rawValue)
    }

    public init<Coder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<Coder>
    ) throws {
        guard let text = buffer.readString(length: buffer.readableBytes), let value = Self(rawValue: text) else {
            throw PostgresDecodingError.Code.failure
        }
        self = value
    }
}
