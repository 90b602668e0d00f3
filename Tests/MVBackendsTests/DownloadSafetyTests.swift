import AsyncHTTPClient
import Foundation
import MVFakeProviders
import Testing

@testable import MVBackends

struct DownloadSafetyTests {
    private let replicate = DownloadPolicy(
        allowedHosts: ["api.replicate.com", "replicate.delivery"], redirectsToAnyPublicHost: false, allowLoopback: false)
    private let gemini = DownloadPolicy(allowedHosts: ["generativelanguage.googleapis.com"], redirectsToAnyPublicHost: true, allowLoopback: false)

    private func url(_ text: String) throws -> URL { try #require(URL(string: text)) }

    @Test func replicateOutputsOnlyFromConfiguredHostsOverHTTPS() throws {
        #expect(replicate.rejection(for: try url("https://replicate.delivery/pbxt/abc/out.mp4"), hop: 0) == nil)
        #expect(replicate.rejection(for: try url("https://xezq.replicate.delivery/abc/out.mp4"), hop: 0) == nil)
        #expect(replicate.rejection(for: try url("http://replicate.delivery/abc/out.mp4"), hop: 0) != nil)
        #expect(replicate.rejection(for: try url("https://evil.example/out.mp4"), hop: 0) != nil)
        #expect(replicate.rejection(for: try url("https://replicate.delivery.evil.example/out.mp4"), hop: 0) != nil)
        #expect(replicate.rejection(for: try url("https://storage.googleapis.com/x"), hop: 1) != nil)
        #expect(replicate.rejection(for: try url("file:///etc/passwd"), hop: 0) != nil)
    }

    @Test func geminiRedirectsOnlyToPublicHosts() throws {
        #expect(gemini.rejection(for: try url("https://generativelanguage.googleapis.com/v1beta/files/a:download?alt=media"), hop: 0) == nil)
        #expect(gemini.rejection(for: try url("https://storage.googleapis.com/bucket/video.mp4"), hop: 0) != nil, "first hop must be the API host")
        #expect(gemini.rejection(for: try url("https://storage.googleapis.com/bucket/video.mp4"), hop: 1) == nil)
        for target in [
            "https://10.1.2.3/x", "https://192.168.0.10/x", "https://169.254.169.254/latest", "https://127.0.0.1/x", "https://localhost/x",
            "https://[::1]/x", "https://172.20.0.1/x",
        ] {
            #expect(gemini.rejection(for: try url(target), hop: 1) != nil, "\(target)")
        }
    }

    @Test func loopbackOnlyWhenAllowed() throws {
        let tests = DownloadPolicy(allowedHosts: ["127.0.0.1"], redirectsToAnyPublicHost: true, allowLoopback: true)
        #expect(tests.rejection(for: try url("http://127.0.0.1:8080/x"), hop: 0) == nil)
        #expect(tests.rejection(for: try url("http://10.0.0.1/x"), hop: 1) != nil)
    }

    @Test func validatorAcceptsRealMediaAndRejectsTruncatedOrForeignBytes() async throws {
        let media = try await FakeMedia.files()
        let dir = try TestSupport.workDirectory()
        func check(_ data: Data, _ kind: MediaKind) -> MediaValidator.Validity {
            let path = dir + "/\(UUID().uuidString)"
            FileManager.default.createFile(atPath: path, contents: data)
            return MediaValidator.validate(path: path, kind: kind)
        }
        #expect(check(media.mp4, .video) == .valid("video/mp4"))
        #expect(check(media.png, .image) == .valid("image/png"))
        #expect(check(media.mp4.prefix(media.mp4.count - 10), .video) != .valid("video/mp4"))
        #expect(check(media.mp4.prefix(media.mp4.count / 2), .video) != .valid("video/mp4"))
        #expect(check(media.png.prefix(media.png.count - 4), .image) != .valid("image/png"))
        #expect(check(Data("<html>not a video</html>".utf8), .video) != .valid("video/mp4"))
        #expect(check(media.mp4, .image) != .valid("image/png"))
        #expect(check(Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0xFF, 0xD9]), .image) == .valid("image/jpeg"))
    }

    @Test func oversizedOutputIsRefused() async throws {
        try await Harness.run(gemini: false, configure: { $0.maxVideoBytes = 1000 }) { router, _, _ in
            let error = await Harness.failure { () async throws(ProviderError) in
                try await router.generateVideo(
                    VideoRequest(prompt: "x", backend: .replicate), resume: nil, workDirectory: FileManager.default.temporaryDirectory.path,
                    observer: NoopGenerationObserver())
            }
            #expect(error?.code == "invalid_output")
            #expect(error?.retryable == false)
            #expect(error?.message.contains("cap") == true)
        }
    }

    @Test func ffmpegRunnerKillsOnTimeout() async throws {
        let runner = FFmpegRunner(timeout: .milliseconds(300))
        let started = ContinuousClock.now
        do {
            try await runner.run(["-re", "-f", "lavfi", "-i", "color=s=16x16", "-f", "null", "-"])
            Issue.record("expected a timeout")
        } catch {
            #expect(error.kind == .timedOut)
        }
        // Without the kill this never ends (a real-time source); the bound only has to survive a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test func ffmpegRunnerReportsFailureAndMissingBinary() async throws {
        do {
            try await FFmpegRunner().run(["-f", "lavfi", "-i", "nosuchfilter", "-f", "null", "-"])
            Issue.record("expected a failure")
        } catch {
            #expect(error.kind == .failed)
        }
        do {
            try await FFmpegRunner(executable: "/nonexistent/ffmpeg").run(["-version"])
            Issue.record("expected notFound")
        } catch {
            #expect(error.kind == .notFound)
        }
    }
}

extension DownloadSafetyTests {
    @Test func clientThatFollowsRedirectsIsRefused() async throws {
        let gemini = try await FakeGeminiServer.start()
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .follow(max: 5, allowCycles: false)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let router = GenerationRouter(
            configuration: Harness.configuration(replicate: nil, gemini: gemini), catalog: Harness.catalog, httpClient: client,
            logger: TestSupport.logger
        )
        let error = await Harness.failure { () async throws(ProviderError) in
            try await router.generateVideo(
                VideoRequest(prompt: "x", backend: .gemini), resume: nil, workDirectory: FileManager.default.temporaryDirectory.path,
                observer: NoopGenerationObserver())
        }
        await gemini.stop()
        try await client.shutdown()
        #expect(error?.code == "invalid_output")
        #expect(error?.message.contains("redirectConfiguration") == true)
    }
}
