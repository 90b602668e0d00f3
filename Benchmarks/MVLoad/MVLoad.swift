import ArgumentParser
import Foundation
import Synchronization

/// A constant-rate (open-loop) HTTP load generator for `scripts/bench.sh`.
///
/// Request `i` is due at `start + i / rate`, whatever happened to the ones before it, and its latency is measured from
/// that due time, not from when a connection became free. A server that stalls therefore shows the stall in every
/// request that was due during it, the way wrk2 measures: a closed-loop tool (wrk) would send fewer requests while
/// stalled and hide the tail (coordinated omission). At most `connections` requests are on the wire at once: one
/// thread per keep-alive connection takes the next due request as soon as it is free, so a request that finds every
/// connection busy waits, and its waiting counts.
///
/// Blocking sockets on plain threads, with each request's bytes written in one call: the generator shares the cores
/// with the server and PostgreSQL, so it must cost little per request (AsyncHTTPClient with a task and a timer per
/// request used about a third of the two cores at 1,500 requests per second, CPU the server then lacked).
@main
struct MVLoad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mvload",
        abstract: "Constant-rate HTTP load; latency from each request's scheduled time (no coordinated omission).")

    @Option(help: "Base URL, e.g. http://127.0.0.1:18080 (plain HTTP/1.1).")
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
        guard Endpoint(url: url) != nil else { throw ValidationError("--url must be http://host:port") }
    }

    func run() throws {
        guard let endpoint = Endpoint(url: url) else { throw ValidationError("--url must be http://host:port") }
        let template = RequestTemplate(
            method: method.uppercased(), host: endpoint.hostHeader, paths: paths.split(separator: ",").map(String.init),
            tokens: tokens.split(separator: ",").map(String.init), body: body, idempotencyPrefix: idempotencyPrefix)
        let total = Int(rate * duration)
        let interval = 1.0 / rate
        let start = ContinuousClock.now + .milliseconds(100)
        let next = Atomic<Int>(0)
        let collected = Mutex<[Sample]>([])
        collected.withLock { $0.reserveCapacity(total) }

        let done = DispatchGroup()
        for _ in 0..<connections {
            done.enter()
            Thread {
                var samples: [Sample] = []
                var connection: HTTPConnection?
                while true {
                    let index = next.add(1, ordering: .relaxed).oldValue
                    guard index < total else { break }
                    let due = start + .seconds(Double(index) * interval)
                    let wait = due - ContinuousClock.now
                    if wait > .zero { Thread.sleep(forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18) }
                    var ok = false
                    do {
                        if connection == nil { connection = try HTTPConnection(endpoint) }
                        let status = try connection?.exchange(template.bytes(for: index))
                        ok = status.map { (200..<300).contains($0) } ?? false
                    } catch {
                        connection = nil
                    }
                    if connection?.keepAlive == false { connection = nil }
                    samples.append(Sample(latency: ContinuousClock.now - due, ok: ok))
                }
                collected.withLock { $0.append(contentsOf: samples) }
                done.leave()
            }.start()
        }
        done.wait()
        let elapsed = ContinuousClock.now - start
        print(Report(samples: collected.withLock { $0 }, elapsed: elapsed, rate: rate).line)
    }
}
