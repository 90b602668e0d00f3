import Foundation

/// Where webhooks may be delivered (SSRF guard), checked at registration and again before every attempt.
///
/// A URL must be `https://` to a host whose every address is public (``IPAddress/isPublic``). Hosts named in
/// `webhooks.allowed_hosts` (tests, local receivers) may also use `http://` and private or loopback addresses. A URL
/// has no credentials, and its host is plain ASCII (no percent-encoding), so the host we check is the host the HTTP
/// client connects to.
struct WebhookURLPolicy: Sendable {
    /// Lowercased host names or literals exempt from the https and public-address rules.
    var allowedHosts: Set<String>
    /// Name resolution.
    var resolver: any HostResolver

    /// The shape every accepted URL has (the OpenAPI document publishes the same pattern).
    static let pattern = #"^https?://[A-Za-z0-9.:_\[\]-]+([/?][!-~]*)?$"#
    /// The longest accepted URL.
    static let maxLength = 2000

    /// A URL that passed the static checks.
    struct Target: Sendable, Equatable {
        /// The URL as given.
        var url: String
        /// The host the HTTP client connects to (IPv6 literals without brackets), lowercased.
        var host: String
        /// Whether `webhooks.allowed_hosts` names the host.
        var isAllowedHost: Bool
    }

    /// Creates a policy.
    init(allowedHosts: [String], resolver: any HostResolver = SystemHostResolver()) {
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
        self.resolver = resolver
    }

    /// The checks that need no DNS: shape, scheme, host.
    func parse(_ text: String) throws(WebhookError) -> Target {
        guard text.utf8.count <= Self.maxLength, text.range(of: Self.pattern, options: .regularExpression) != nil,
            let url = URL(string: text), let scheme = url.scheme?.lowercased(), let rawHost = url.host, !rawHost.isEmpty
        else {
            throw .invalidURL("must be an absolute http(s) URL without credentials, at most \(Self.maxLength) characters")
        }
        guard url.user == nil, url.password == nil else { throw .invalidURL("must not contain credentials") }
        if let port = url.port, !(1...65_535).contains(port) { throw .invalidURL("has an invalid port") }
        let host = rawHost.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let allowed = allowedHosts.contains(host)
        guard scheme == "https" || (scheme == "http" && allowed) else { throw .invalidURL("must use https") }
        if !allowed, let literal = IPAddress(host), !literal.isPublic {
            throw .invalidURL("points at a private, loopback or reserved address (\(literal))")
        }
        return Target(url: text, host: host, isAllowedHost: allowed)
    }

    /// Resolves the target and picks the address to connect to: the first one, after checking that EVERY address is
    /// public (unless the host is allowed). The caller connects to exactly that address, so a second DNS answer
    /// (rebinding) cannot swap it.
    func address(for target: Target) async throws(WebhookError) -> IPAddress {
        let addresses: [IPAddress]
        do {
            addresses = try await resolver.addresses(of: target.host)
        } catch {
            throw .invalidURL("host \(target.host) does not resolve")
        }
        guard let first = addresses.first else { throw .invalidURL("host \(target.host) does not resolve") }
        if !target.isAllowedHost, let forbidden = addresses.first(where: { !$0.isPublic }) {
            throw .invalidURL("host \(target.host) resolves to a private, loopback or reserved address (\(forbidden))")
        }
        return first
    }

    /// Registration: every check, DNS included.
    func check(_ text: String) async throws(WebhookError) {
        _ = try await address(for: try parse(text))
    }
}
