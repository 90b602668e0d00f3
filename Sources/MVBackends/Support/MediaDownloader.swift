import AsyncHTTPClient
import Foundation
import MVCore
import NIOCore
import NIOFileSystem
import NIOHTTP1

/// Streams a provider output to a temp file in the work directory with a size cap and a
/// whole-transfer deadline, follows redirects one hop at a time (each target checked by the
/// ``DownloadPolicy``; credentials only on the first hop), validates the bytes, then renames.
struct MediaDownloader: Sendable {
    let client: HTTPClient
    let provider: ProviderName
    let policy: DownloadPolicy
    let timeout: Duration

    private struct Failure: Error {
        let error: ProviderError
    }

    func download(_ urlString: String, firstHopHeaders: HTTPHeaders, kind: MediaKind, maxBytes: Int64, directory: String) async throws(ProviderError)
        -> MediaFile
    {
        if urlString.hasPrefix("data:") { return try saveDataURI(urlString, kind: kind, maxBytes: maxBytes, directory: directory) }
        let temp = directory + "/.download-\(UUID().uuidString.lowercased()).part"
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.fetch(urlString, headers: firstHopHeaders, maxBytes: maxBytes, to: temp) }
                group.addTask {
                    try await Task.sleep(for: self.timeout)
                    throw Failure(error: .timeout("download did not finish within \(self.timeout)", provider: self.provider))
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temp)
            if let failure = error as? Failure { throw failure.error }
            if Task.isCancelled { throw .canceled(provider: provider) }
            switch ProviderHTTP.classify(error) {
            case .canceled: throw .canceled(provider: provider)
            case .timedOut(let detail): throw .timeout("download stalled: \(detail)", provider: provider)
            case .notConnected(let detail), .broken(let detail):
                throw ProviderError(code: .downloadFailed, message: "download broke off: \(detail)", provider: provider, retryable: true)
            }
        }
        return try finish(temp: temp, kind: kind, directory: directory)
    }

    private func fetch(_ urlString: String, headers: HTTPHeaders, maxBytes: Int64, to path: String) async throws {
        var current = urlString
        var hopHeaders = headers
        for hop in 0...policy.maxRedirects {
            guard let url = URL(string: current) else { throw Failure(error: invalid("malformed output URL")) }
            if let reason = policy.rejection(for: url, hop: hop) { throw Failure(error: invalid("refused to download: \(reason)", retryable: false)) }
            var request = HTTPClientRequest(url: current)
            request.headers = hopHeaders
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.seconds * 1e9)))
            if response.history.count > 1 {
                // The client followed redirects itself, so the targets were not checked hop by hop.
                throw Failure(error: invalid("the HTTPClient follows redirects; create it with redirectConfiguration: .disallow", retryable: false))
            }
            let status = Int(response.status.code)
            if [301, 302, 303, 307, 308].contains(status) {
                _ = try? await response.body.collect(upTo: 64 * 1024)
                guard let location = response.headers.first(name: "location"), let next = URL(string: location, relativeTo: url)?.absoluteURL else {
                    throw Failure(error: invalid("redirect without a usable Location"))
                }
                current = next.absoluteString
                hopHeaders = [:]
                continue
            }
            guard status == 200 else {
                let retryable = status >= 500 || status == 429
                let code: ProviderError.Code = status == 404 || status == 410 ? .invalidOutput : .downloadFailed
                throw Failure(
                    error: ProviderError(
                        code: code, message: "download answered HTTP \(status)", provider: provider, retryable: retryable, httpStatus: status))
            }
            if let declared = response.headers.first(name: "content-length").flatMap(Int64.init), declared > maxBytes {
                throw Failure(error: invalid("output is larger than the \(maxBytes)-byte cap", retryable: false))
            }
            try await FileSystem.shared.withFileHandle(forWritingAt: FilePath(path), options: .newFile(replaceExisting: true)) { file in
                var writer = file.bufferedWriter()
                var written: Int64 = 0
                for try await chunk in response.body {
                    written += Int64(chunk.readableBytes)
                    guard written <= maxBytes else {
                        throw Failure(error: invalid("output is larger than the \(maxBytes)-byte cap", retryable: false))
                    }
                    try await writer.write(contentsOf: chunk)
                }
                try await writer.flush()
            }
            return
        }
        throw Failure(error: invalid("too many redirects"))
    }

    private func saveDataURI(_ uri: String, kind: MediaKind, maxBytes: Int64, directory: String) throws(ProviderError) -> MediaFile {
        guard let (_, data) = DataURI.decode(uri) else { throw invalid("malformed data: URI output") }
        guard Int64(data.count) <= maxBytes else { throw invalid("output is larger than the \(maxBytes)-byte cap", retryable: false) }
        let temp = directory + "/.download-\(UUID().uuidString.lowercased()).part"
        guard FileManager.default.createFile(atPath: temp, contents: data) else {
            throw ProviderError(code: .downloadFailed, message: "cannot write output file", provider: provider, retryable: false)
        }
        return try finish(temp: temp, kind: kind, directory: directory)
    }

    /// Validates the bytes, then renames the temp file to its final name.
    private func finish(temp: String, kind: MediaKind, directory: String) throws(ProviderError) -> MediaFile {
        switch MediaValidator.validate(path: temp, kind: kind) {
        case .invalid(let reason):
            try? FileManager.default.removeItem(atPath: temp)
            throw invalid("downloaded output is not valid: \(reason)")
        case .valid(let contentType):
            let ext = contentType == "image/jpeg" ? "jpg" : kind.fileExtension
            let final = directory + "/\(provider)-\(UUID().uuidString.lowercased()).\(ext)"
            do {
                try FileManager.default.moveItem(atPath: temp, toPath: final)
            } catch {
                try? FileManager.default.removeItem(atPath: temp)
                throw ProviderError(code: .downloadFailed, message: "cannot move output into place", provider: provider, retryable: false)
            }
            return MediaFile(path: final, contentType: contentType)
        }
    }

    private func invalid(_ message: String, retryable: Bool = true) -> ProviderError {
        .invalidOutput(message, provider: provider, retryable: retryable)
    }
}
