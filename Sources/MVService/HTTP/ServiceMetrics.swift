import Hummingbird
import MVCore
import Prometheus
import Synchronization

/// The service's Prometheus registry: requests by route and status, request latency, jobs by state. Held per
/// application (not the process-global MetricsSystem), so every `buildApplication` gets its own.
final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    /// The series of one (method, route, status), looked up in the registry once, not on every request (the registry
    /// builds the name and compares the labels on each lookup).
    private struct RequestSeries {
        var count: Counter
        var duration: DurationHistogram
    }

    private struct RequestKey: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    private let requestSeries = Mutex<[RequestKey: RequestSeries]>([:])

    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let key = RequestKey(method: method, route: route, status: status)
        let series = requestSeries.withLock { cache in
            if let series = cache[key] { return series }
            let series = RequestSeries(
                count: registry.makeCounter(
                    descriptor: MetricNameDescriptor(
                        namespace: "mv", metricName: "http_requests", unitName: "total", helpText: "HTTP requests by route and status"),
                    labels: [("method", method), ("route", route), ("status", String(status))]),
                duration: registry.makeDurationHistogram(
                    descriptor: MetricNameDescriptor(
                        namespace: "mv", metricName: "http_request_duration", unitName: "seconds", helpText: "HTTP request latency"),
                    labels: [("method", method), ("route", route)], buckets: Self.latencyBuckets))
            cache[key] = series
            return series
        }
        series.count.increment()
        series.duration.record(duration)
    }

    func setJobs(state: String, count: Int) {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "mv", metricName: "jobs", helpText: "Jobs by state"),
            labels: [("state", state)]
        ).set(Double(count))
    }
}

/// Counts and times every request, labelled by the matched route pattern (not the raw path, so ids don't explode
/// the label set).
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        metrics.recordRequest(
            method: request.method.rawValue, route: route, status: Int(response.status.code), duration: ContinuousClock.now - start)
        return response
    }
}
