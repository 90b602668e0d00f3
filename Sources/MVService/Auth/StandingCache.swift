import Foundation
import MVAuth
import PostgresNIO
import Synchronization

/// Principals' standing (role, disabled, operator rights) of bearer tokens remembered in process for a short time, so
/// an authenticated read costs no standing query.
///
/// Invalidation: every change to standing NOTIFYs `mv_standing` with the user's id in the changing transaction
/// (sql/017); ``StandingListener`` drops that user's entries the moment the notification arrives, on every instance.
/// The TTL bounds what a lost notification could cost. While the listener is not connected nothing is cached, and
/// an answer loaded before an invalidation is never stored after it (the epoch check), so a stale entry cannot
/// outlive the notification that retired it.
final class StandingCache: Sendable {
    /// What a principal was looked up by. (API keys are not cached: their one statement also decides expiry to the
    /// second and keeps `last_used_at`.)
    enum Key: Hashable, Sendable {
        /// A user acting in a team (nil: their default team).
        case user(UUID, team: UUID?)
    }

    private struct Entry {
        var principal: Principal
        var expiresAt: ContinuousClock.Instant
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        /// ``barrier(postgres:)`` callers waiting for their marker to come back through the listener.
        var barriers: [UUID: CheckedContinuation<Void, Never>] = [:]
        /// Markers that came back before their waiter registered.
        var arrived: Set<UUID> = []
        /// Whether the listener is connected; nothing is cached otherwise.
        var listening = false
        /// Bumped by every invalidation: a load that started in an older epoch is not stored.
        var epoch: UInt64 = 0
    }

    private let state = Mutex(State())
    private let ttl: Duration
    private let capacity: Int

    /// Creates a cache.
    /// - Parameters:
    ///   - ttl: How long an entry lives at most (zero disables the cache).
    ///   - capacity: Entries at most (then it starts over).
    init(ttl: Duration, capacity: Int = 20_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// A principal and where it came from.
    struct Lookup: Sendable {
        var principal: Principal?
        /// From the cache (it may be up to one NOTIFY or one TTL old), not from `load()`.
        var cached: Bool
    }

    /// The cached principal for `key` when `reuse` allows it, else `load()`'s answer (then cached when it is one and
    /// the cache may hold it).
    func principal(for key: Key, reuse: Bool = true, load: () async throws -> Principal?) async throws -> Lookup {
        let now = ContinuousClock.now
        let (hit, epoch): (Principal?, UInt64?) = state.withLock { state in
            guard state.listening, ttl > .zero else { return (nil, nil) }
            if reuse, let entry = state.entries[key] {
                if entry.expiresAt > now { return (entry.principal, state.epoch) }
                state.entries[key] = nil
            }
            return (nil, state.epoch)
        }
        if let hit { return Lookup(principal: hit, cached: true) }
        let loaded = try await load()
        if let loaded, let epoch {
            state.withLock { state in
                guard state.listening, state.epoch == epoch else { return }
                if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
                state.entries[key] = Entry(principal: loaded, expiresAt: now + ttl)
            }
        }
        return Lookup(principal: loaded, cached: false)
    }

    /// Drops every entry of `userID` (a NOTIFY on `mv_standing`).
    func invalidate(userID: UUID) {
        state.withLock { state in
            state.epoch &+= 1
            state.entries = state.entries.filter { $0.value.principal.userID != userID }
        }
    }

    /// Starts or stops caching (the listener connected or lost its connection); either way, forgets everything (and
    /// lets every barrier waiter go: with nothing cached there is nothing to wait for).
    func setListening(_ listening: Bool) {
        let waiters = state.withLock { state in
            state.epoch &+= 1
            state.listening = listening
            state.entries.removeAll()
            defer {
                state.barriers.removeAll()
                state.arrived.removeAll()
            }
            return Array(state.barriers.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once this instance's listener has heard every standing change committed before the call: it sends a
    /// marker on the same channel and waits for it to come back (PostgreSQL delivers notifications in commit order;
    /// at most `timeout`). Routes that change standing call it before answering, so by the time their caller sees the
    /// answer the change has been delivered to every listening instance too, not only written.
    func barrier(postgres: PostgresClient, timeout: Duration = .seconds(2)) async {
        guard state.withLock({ $0.listening }) else { return }
        let marker = UUID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let wait = self.state.withLock { state in
                        guard state.listening, state.arrived.remove(marker) == nil else { return false }
                        state.barriers[marker] = continuation
                        return true
                    }
                    if !wait { continuation.resume() }
                }
            }
            group.addTask {
                _ = try? await postgres.query("SELECT pg_notify(\(StandingListener.channel), \("barrier:" + marker.uuidString))")
                try? await Task.sleep(for: timeout)
                self.expire(marker: marker)
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// A barrier marker came back: its waiter goes on (or will not wait, when it has not registered yet).
    func passed(marker: UUID) {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.barriers.removeValue(forKey: marker) else {
                state.arrived.insert(marker)
                return nil
            }
            return waiter
        }?.resume()
    }

    /// A barrier timed out, or ended: its waiter (if still waiting) goes on, and its marker is forgotten.
    private func expire(marker: UUID) {
        state.withLock { state in
            state.arrived.remove(marker)
            return state.barriers.removeValue(forKey: marker)
        }?.resume()
    }
}
