import Hummingbird
import MVCore
import NIOCore

/// Encodes responses with ``JSONCoding/encode(_:)``: snake_case keys, RFC 3339 UTC times with milliseconds, and
/// lowercase UUIDs.
struct JSONResponseEncoder: ResponseEncoder {
    func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try JSONCoding.encode(value))))
    }
}
