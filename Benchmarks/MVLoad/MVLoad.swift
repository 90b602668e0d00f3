import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A constant-rate (open-loop) HTTP load generator for `scripts/bench.sh`.
///
/// Request `i` is due at `start + i / rate`, whatever happened to the ones before it, and its latency is measured from
/// that due time, not from when a connection became free. A server that stalls therefore shows the stall in every
/// request that was due during it, the way wrk2 measures: a closed-loop tool (wrk) would send fewer requests while
/// stalled and hide the tail (coordinated omission). At most `connections` requests are on the wire at once; the rest
/// wait, and their waiting counts.
@main
struct MVLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mvload",
        abstract: "Constant-rate HTTP load; latency from each request's scheduled time (no coordinated omission).")

    @Option(help: "Base URL, e.g. http://127.0.0.1:18080.")
    var url: String

    @Option(help: "Requests per second, scheduled evenly.")
    var rate: Double

    @Option(help: "Seconds of load.")
    var duration: Double = 15

    @Option(help: "Most requests on the wire at once (HTTP/1.1 keep-alive connections).")
    var connections: Int = 16

    @Option(help: "HTTP method.")
    var method: String = "GET"

    @Option(help: "Comma-separated paths; with several, request i uses path i mod count (paired with --tokens).")
    var paths: String

    @Option(help: "Comma-separated bearer tokens; request i uses token i mod count.")
    var tokens: String = ""

    @Option(help: "JSON request body (sent with content-type application/json).")
    var body: String?

    @Option(help: "Send Idempotency-Key <prefix>-<i> on every request.")
    var idempotencyPrefix: String?

    mutating func validate() throws {
        guard rate > 0, duration > 0, connections > 0 else { throw ValidationError("rate, duration and connections must be > 0") }
    }

    func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let targets = paths.split(separator: ",").map(String.init)
        let bearers = tokens.split(separator: ",").map(String.init)
        let total = Int(rate * duration)
        let interval = 1.0 / rate
        let start = ContinuousClock.now + .milliseconds(100)

        let samples = await withTaskGroup(of: Sample.self, returning: [Sample].self) { group in
            for index in 0..<total {
                let due = start + .seconds(Double(index) * interval)
                try? await Task.sleep(until: due, clock: .continuous)
                let request = makeRequest(index: index, targets: targets, bearers: bearers)
                group.addTask {
                    let ok: Bool
                    do {
                        let response = try await client.execute(request, timeout: .seconds(60))
                        _ = try await response.body.collect(upTo: 16 << 20)
                        ok = (200..<300).contains(Int(response.status.code))
                    } catch {
                        ok = false
                    }
                    return Sample(latency: ContinuousClock.now - due, ok: ok)
                }
            }
            var samples: [Sample] = []
            samples.reserveCapacity(total)
            for await sample in group { samples.append(sample) }
            return samples
        }
        let elapsed = ContinuousClock.now - start
        try await client.shutdown()
        print(Report(samples: samples, elapsed: elapsed, rate: rate).line)
    }

    private func makeRequest(index: Int, targets: [String], bearers: [String]) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url + targets[index % targets.count])
        request.method = HTTPMethod(rawValue: method.uppercased())
        if !bearers.isEmpty { request.headers.add(name: "authorization", value: "Bearer " + bearers[index % bearers.count]) }
        if let prefix = idempotencyPrefix { request.headers.add(name: "idempotency-key", value: "\(prefix)-\(index)") }
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        return request
    }
}

/// One request's outcome.
struct Sample: Sendable {
    /// From the request's due time to the end of its response.
    var latency: Duration
    /// A 2xx answer.
    var ok: Bool
}

/// The one-line summary `scripts/bench.sh` parses.
struct Report {
    let samples: [Sample]
    let elapsed: Duration
    let rate: Double

    /// `target=… achieved=… requests=… non2xx=… p50=…ms p90=…ms p99=…ms p999=…ms max=…ms`.
    var line: String {
        let sorted = samples.map { milliseconds($0.latency) }.sorted()
        func percentile(_ p: Double) -> String {
            guard !sorted.isEmpty else { return "-" }
            return String(format: "%.2f", sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)])
        }
        let seconds = milliseconds(elapsed) / 1000
        let achieved = seconds > 0 ? Double(samples.count) / seconds : 0
        let maximum = sorted.last.map { String(format: "%.2f", $0) } ?? "-"
        return "target=\(Int(rate)) achieved=\(Int(achieved.rounded())) requests=\(samples.count)"
            + " non2xx=\(samples.filter { !$0.ok }.count) p50=\(percentile(0.50))ms p90=\(percentile(0.90))ms"
            + " p99=\(percentile(0.99))ms p999=\(percentile(0.999))ms max=\(maximum)ms"
    }

    private func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
