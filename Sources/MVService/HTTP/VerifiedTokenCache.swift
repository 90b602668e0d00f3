import Foundation
import JWTKit
import MVAuth
import Synchronization

/// Remembers access tokens whose signature and claims already verified, until they expire, so a busy client does
/// not pay an ECDSA verification per request. Keyed by the whole token string: the same bytes verify the same way.
/// Bounded: when full it starts over (tokens live 15 minutes; a miss only costs one verification).
final class VerifiedTokenCache: Sendable {
    private struct Entry {
        var claims: AccessClaims
        var expiresAt: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// Claims of `token` if it verified before and has not expired.
    func claims(for token: String, now: Date = Date()) -> AccessClaims? {
        entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard entry.expiresAt > now else {
                entries[token] = nil
                return nil
            }
            return entry.claims
        }
    }

    /// Records verified `claims` of `token`.
    func insert(_ claims: AccessClaims, for token: String) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = Entry(claims: claims, expiresAt: claims.exp.value)
        }
    }
}
