import Foundation

/// Where a provider's outputs may be downloaded from.
///
/// https only (http only to loopback, and only when loopback is allowed: tests); the first URL must be
/// on one of `allowedHosts` (or a subdomain); redirect targets must be on them too, or, with
/// `redirectsToAnyPublicHost`, on any host that is not a private, link-local or loopback address.
struct DownloadPolicy: Sendable {
    var allowedHosts: [String]
    var redirectsToAnyPublicHost: Bool
    var allowLoopback: Bool
    var maxRedirects: Int = 5

    /// `nil` when the URL may be fetched at this hop, else the reason it may not.
    func rejection(for url: URL, hop: Int) -> String? {
        guard let scheme = url.scheme?.lowercased(), let rawHost = url.host, !rawHost.isEmpty else { return "malformed URL" }
        let host = rawHost.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let loopback = HostClassifier.isLoopback(host)
        if loopback && !allowLoopback { return "loopback host \(host) is not allowed" }
        switch scheme {
        case "https": break
        case "http": guard loopback else { return "plain http is only allowed to loopback" }
        default: return "scheme \(scheme) is not allowed"
        }
        if matchesAllowed(host) { return nil }
        if hop > 0 && redirectsToAnyPublicHost {
            if HostClassifier.isPrivate(host) && !(loopback && allowLoopback) { return "redirect to private address \(host)" }
            return nil
        }
        return "host \(host) is not an allowed download host"
    }

    private func matchesAllowed(_ host: String) -> Bool {
        allowedHosts.contains { allowed in
            let allowed = allowed.lowercased()
            return host == allowed || host.hasSuffix("." + allowed)
        }
    }
}

/// Classifies host names and IP literals (no DNS lookups: a public name that resolves to a private
/// address is not caught here).
enum HostClassifier {
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" { return true }
        if let octets = ipv4(host) { return octets[0] == 127 }
        return false
    }

    static func isPrivate(_ host: String) -> Bool {
        if isLoopback(host) || host.hasSuffix(".local") || host.hasSuffix(".internal") { return true }
        if let o = ipv4(host) {
            return o[0] == 10 || o[0] == 0 || (o[0] == 172 && (16...31).contains(o[1])) || (o[0] == 192 && o[1] == 168)
                || (o[0] == 169 && o[1] == 254) || (o[0] == 100 && (64...127).contains(o[1])) || o[0] >= 224
        }
        if host.contains(":") {
            let lower = host.lowercased()
            if lower == "::" || lower.hasPrefix("fc") || lower.hasPrefix("fd") || lower.hasPrefix("fe8") || lower.hasPrefix("fe9")
                || lower.hasPrefix("fea") || lower.hasPrefix("feb")
            {
                return true
            }
            if lower.hasPrefix("::ffff:"), let mapped = ipv4(String(lower.dropFirst(7))) {
                return isPrivate(mapped.map(String.init).joined(separator: "."))
            }
        }
        return false
    }

    static func ipv4(_ host: String) -> [Int]? {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let octets = parts.compactMap { Int($0) }
        guard octets.count == 4, octets.allSatisfy({ (0...255).contains($0) }) else { return nil }
        return octets
    }
}
