#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address, and whether it is a public unicast address an outbound webhook may
/// reach. Everything private, loopback, link-local, shared (CGNAT), unspecified, multicast, reserved or documentation
/// is not public; IPv6 forms that embed an IPv4 address (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`, NAT64
/// `64:ff9b::/96`, 6to4 `2002::/16`) are judged by the embedded address.
struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// Network-order bytes.
    let bytes: [UInt8]

    /// An address from its bytes (4 or 16).
    init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses a literal (`10.0.0.1`, `::1`, `[::1]`); nil for names and anything else.
    init?(_ text: String) {
        let literal = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    /// The canonical text (`inet_ntop`).
    var description: String {
        var buffer = [CChar](repeating: 0, count: 64)
        var copy = bytes
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        guard inet_ntop(family, &copy, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether a webhook may be delivered to this address.
    var isPublic: Bool {
        bytes.count == 4 ? Self.isPublicV4(bytes) : Self.isPublicV6(bytes)
    }

    private static func isPublicV4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1], b[2]) {
        case (0, _, _), (10, _, _), (127, _, _): return false  // this network, private, loopback
        case (100, 64...127, _): return false  // shared address space (CGNAT)
        case (169, 254, _): return false  // link-local (cloud metadata)
        case (172, 16...31, _): return false  // private
        case (192, 168, _): return false  // private
        case (192, 0, 0), (192, 0, 2): return false  // IETF protocol assignments, TEST-NET-1
        case (198, 18...19, _): return false  // benchmarking
        case (198, 51, 100), (203, 0, 113): return false  // TEST-NET-2, TEST-NET-3
        case (224...255, _, _): return false  // multicast, reserved, broadcast
        default: return true
        }
    }

    private static func isPublicV6(_ b: [UInt8]) -> Bool {
        let embedded = Array(b[12..<16])
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return isPublicV4(embedded) }  // ::ffff:a.b.c.d
        if b[0..<12].allSatisfy({ $0 == 0 }) { return isPublicV4(embedded) }  // ::, ::1, ::a.b.c.d
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..<12].allSatisfy({ $0 == 0 }) {
            return isPublicV4(embedded)  // NAT64 64:ff9b::/96
        }
        if b[0] == 0x20 && b[1] == 0x02 { return isPublicV4(Array(b[2..<6])) }  // 6to4
        if b[0] & 0xfe == 0xfc { return false }  // unique local fc00::/7
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return false }  // link-local fe80::/10
        if b[0] == 0xfe && b[1] & 0xc0 == 0xc0 { return false }  // site-local fec0::/10 (deprecated)
        if b[0] == 0xff { return false }  // multicast
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 { return false }  // documentation 2001:db8::/32
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00 { return false }  // Teredo 2001::/32
        return true
    }
}

/// Turns a host name into addresses. The system resolver in production; tests substitute one to play DNS tricks.
protocol HostResolver: Sendable {
    /// Every address `host` resolves to (A and AAAA).
    /// - Throws: ``HostResolutionError`` when it does not resolve.
    func addresses(of host: String) async throws -> [IPAddress]
}

/// A name that did not resolve.
struct HostResolutionError: Error, Sendable {
    /// The name.
    var host: String
}
