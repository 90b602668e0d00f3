import Foundation

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
