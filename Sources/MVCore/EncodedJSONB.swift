import struct Foundation.Data
import NIOCore
import PostgresNIO

/// JSON text that is already encoded, bound to a `jsonb` parameter as it is: for a value whose bytes the caller needs
/// anyway (admission hashes a request's canonical JSON for idempotency and stores the same bytes), so it is not
/// encoded a second time. The text must be valid JSON; PostgreSQL rejects it otherwise.
public struct EncodedJSONB: PostgresEncodable, Sendable {
    /// UTF-8 JSON text, for example ``JSONCoding/encode(_:)``'s.
    public var text: Data

    /// Wraps JSON text.
    public init(_ text: Data) {
        self.text = text
    }

    public static var psqlType: PostgresDataType { .jsonb }
    public static var psqlFormat: PostgresFormat { .binary }

    public func encode<Coder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<Coder>
    ) throws {
        byteBuffer.writeInteger(UInt8(1))  // jsonb binary format version
        byteBuffer.writeBytes(text)
    }
}
