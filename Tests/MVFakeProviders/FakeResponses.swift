import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Response helpers shared by the fakes.
enum FakeResponses {
    static func json(_ status: Int, _ object: Any, contentType: String = "application/json; charset=UTF-8", extra: [String: String] = [:]) -> Response
    {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return raw(status, data, contentType: contentType, extra: extra)
    }

    static func raw(_ status: Int, _ data: Data, contentType: String, extra: [String: String] = [:]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        for (name, value) in extra {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return Response(status: .init(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Declares the full length, sends only the first half, then breaks the connection.
    static func truncated(_ data: Data, contentType: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        let half = ByteBuffer(bytes: data.prefix(data.count / 2))
        let body = ResponseBody(contentLength: data.count) { writer in
            try await writer.write(half)
            throw FakeConnectionReset()
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Sends a head and then drops the connection before any body byte.
    static func reset() -> Response {
        let body = ResponseBody(contentLength: 100) { _ in throw FakeConnectionReset() }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: body)
    }

    static func header(_ request: Request, _ name: String) -> String? {
        HTTPField.Name(name).flatMap { request.headers[$0] }
    }
}

/// Thrown inside a response body writer to break the connection.
struct FakeConnectionReset: Error {}

/// A seeded random sequence so fault rates are reproducible.
struct SeededRandom: Sendable {
    var state: UInt64

    mutating func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(UInt64(1) << 53)
    }
}
