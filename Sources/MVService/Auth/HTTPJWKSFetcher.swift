import AsyncHTTPClient
import Foundation
import MVAuth
import MVCore
import NIOCore
import NIOFoundationEssentialsCompat
import NIOHTTP1

/// Fetches identity providers' key sets over HTTP: GET, no redirects (the shared client refuses them), 200 only,
/// at most 1 MiB, the whole exchange within ``timeout``.
struct HTTPJWKSFetcher: JWKSFetcher {
    /// The most a key set may weigh.
    static let maximumBytes = 1 << 20

    let client: HTTPClient
    var timeout: Duration = .seconds(10)

    /// Why a fetch failed (logged by the verifier, never shown to callers).
    enum Failure: Error {
        case status(UInt)
        case timedOut
    }

    func jwks(at url: URL) async throws -> Data {
        try await withThrowingTaskGroup(of: Data?.self) { group in
            group.addTask {
                var request = HTTPClientRequest(url: url.absoluteString)
                request.headers.add(name: "accept", value: "application/json")
                let response = try await client.execute(request, timeout: .seconds(Int64(timeout.seconds)))
                guard response.status == .ok else { throw Failure.status(response.status.code) }
                return Data(buffer: try await response.body.collect(upTo: Self.maximumBytes))
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let data = first else { throw Failure.timedOut }
            return data
        }
    }
}
