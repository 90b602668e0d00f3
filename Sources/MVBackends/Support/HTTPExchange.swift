import AsyncHTTPClient
import Foundation
import MVCore
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A completed HTTP call with a fully read (size-capped) body.
struct HTTPExchange: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: ByteBuffer

    var data: Data { Data(buffer: body) }
    var text: String { String(buffer: body) }

    func decode<T: Decodable>(_ type: T.Type) -> T? {
        try? JSONDecoder().decode(type, from: data)
    }

    /// `Retry-After` as seconds or an HTTP date.
    var retryAfter: Duration? {
        guard let raw = headers.first(name: "retry-after")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(raw), seconds >= 0 { return .milliseconds(Int(seconds * 1000)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: raw) else { return nil }
        return .milliseconds(max(0, Int(date.timeIntervalSinceNow * 1000)))
    }
}

/// How a transport-level failure happened, which decides whether a request may have reached the server.
enum TransportFailure: Error, Sendable {
    /// The connection was never made: the request certainly did not arrive.
    case notConnected(String)
    /// The response did not come in time.
    case timedOut(String)
    /// The connection broke after the request may have been sent.
    case broken(String)
    /// The calling task was cancelled.
    case canceled
}

/// Thin wrapper over `HTTPClient` that reads bodies with a cap and reports failures as values.
struct ProviderHTTP: Sendable {
    let client: HTTPClient

    func send(
        _ method: HTTPMethod,
        _ url: String,
        headers: HTTPHeaders = [:],
        body: ByteBuffer? = nil,
        timeout: Duration,
        maxBytes: Int = 16 * 1024 * 1024
    ) async -> Result<HTTPExchange, TransportFailure> {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers = headers
        if let body { request.body = .bytes(body) }
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.seconds * 1e9)))
            let bytes = try await response.body.collect(upTo: maxBytes)
            return .success(HTTPExchange(status: Int(response.status.code), headers: response.headers, body: bytes))
        } catch {
            return .failure(Self.classify(error))
        }
    }

    static func classify(_ error: any Error) -> TransportFailure {
        if error is CancellationError || Task.isCancelled { return .canceled }
        if let error = error as? HTTPClientError {
            switch error {
            case .cancelled: return .canceled
            case .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout: return .notConnected("\(error)")
            case .deadlineExceeded, .readTimeout, .writeTimeout: return .timedOut("\(error)")
            default: return .broken("\(error)")
            }
        }
        if error is NIOTooManyBytesError { return .broken("response too large") }
        let text = String(reflecting: error)
        if text.contains("connectRefused") || text.contains("NIOConnectionError") || text.contains("Connection refused") {
            return .notConnected("connection refused")
        }
        return .broken(text.prefix(200).description)
    }
}
