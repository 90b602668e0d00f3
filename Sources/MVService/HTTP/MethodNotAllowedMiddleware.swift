import Hummingbird

/// Turns the router's 404 for a path it knows into `405 method_not_allowed` with `Allow` listing the methods the
/// path accepts. The route templates come from ``OpenAPIDocument/routes``, which a test keeps equal to the router's
/// routes. A 404 thrown by a handler (an unknown id) is a ``Problem`` and passes through untouched; unknown paths
/// stay 404.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = Self.allowedMethods(path: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
            var problem = Problem(
                .methodNotAllowed, code: "method_not_allowed", title: "Method not allowed",
                detail: "\(request.method.rawValue) is not allowed here; use \(allowed.joined(separator: ", ")).")
            problem.headers[.allow] = allowed.joined(separator: ", ")
            throw problem
        }
    }

    /// Each route's method (upper case) and path segments, `{name}` matching any one segment.
    private static let templates: [(method: String, segments: [String])] = OpenAPIDocument.routes.map {
        ($0.method.uppercased(), $0.path.split(separator: "/").map(String.init))
    }

    /// The methods (upper case, in a stable order) of every route whose template matches `path`; empty when none does.
    static func allowedMethods(path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        let methods = Set(
            templates.filter { template in
                template.segments.count == segments.count
                    && zip(template.segments, segments).allSatisfy { pattern, segment in pattern.hasPrefix("{") || pattern == segment }
            }.map(\.method))
        let order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
        return order.filter(methods.contains)
    }
}
