import Foundation
import Logging
import MVAuth
import PostgresNIO
import Synchronization

/// Single-job reads coalesced into few statements: up to ``maxRunning`` ``JobReadBatchStatement``s run at once, and
/// reads that arrive while all of them are busy wait and go together in the next one (at most ``maxBatch`` each). A
/// read that finds a statement free runs at once, alone, so coalescing costs no latency when the service is idle; under
/// load, sixteen concurrent reads become a few statements, each one round trip and one pooled connection.
///
/// No task is spawned: the caller whose statement finishes hands the waiting reads to the first of them, which runs
/// the next statement in its own task (leader and followers).
final class JobReadBatcher: Sendable {
    /// A read of job `id` by `viewer`.
    private struct Read: Sendable {
        var id: UUID
        var viewer: AssetViewer
    }

    /// What a waiting read is told when it resumes.
    private enum Turn: Sendable {
        /// Its answer, read by another read's statement.
        case answered(Result<JobRecord?, any Error>)
        /// Run the next statement: this read and `followers`.
        case lead(followers: [Waiter])
    }

    private struct Waiter: Sendable {
        var read: Read
        var continuation: CheckedContinuation<Turn, Never>
    }

    private struct State {
        var waiting: [Waiter] = []
        var running = 0
        var statements = 0

        /// Takes a statement slot when fewer than `limit` run and no read waits for one.
        mutating func claimStatement(below limit: Int) -> Bool {
            guard running < limit, waiting.isEmpty else { return false }
            running += 1
            statements += 1
            return true
        }
    }

    private let state = Mutex(State())
    private let client: PostgresClient
    private let logger: Logger
    /// Statements in flight at most (each holds one pooled connection while it runs).
    let maxRunning: Int
    /// Reads per statement at most.
    let maxBatch: Int

    /// Creates a batcher on `client`.
    init(client: PostgresClient, logger: Logger, maxRunning: Int = 4, maxBatch: Int = 64) {
        self.client = client
        self.logger = logger
        self.maxRunning = max(1, maxRunning)
        self.maxBatch = max(1, maxBatch)
    }

    /// Statements run so far (each answered one or more reads).
    var statementCount: Int { state.withLock { $0.statements } }

    /// Job `id` if `viewer` may read it, else nil; one statement shared with the reads around it.
    func job(id: UUID, viewer: AssetViewer) async throws -> JobRecord? {
        let read = Read(id: id, viewer: viewer)
        if state.withLock({ $0.claimStatement(below: maxRunning) }) {
            return try await lead(read, followers: [])
        }
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            let leadsNow = state.withLock { state -> Bool in
                if state.claimStatement(below: maxRunning) { return true }
                state.waiting.append(Waiter(read: read, continuation: continuation))
                return false
            }
            if leadsNow { continuation.resume(returning: .lead(followers: [])) }
        }
        switch turn {
        case .answered(let result): return try result.get()
        case .lead(let followers): return try await lead(read, followers: followers)
        }
    }

    /// Runs one statement for `read` and `followers`, answers the followers, then hands the reads that queued meanwhile
    /// to the first of them (or frees the statement slot).
    private func lead(_ read: Read, followers: [Waiter]) async throws -> JobRecord? {
        let reads = [read] + followers.map(\.read)
        let (client, logger) = (self.client, self.logger)
        let fetch: @Sendable () async throws -> [JobRecord?] = {
            var records = [JobRecord?](repeating: nil, count: reads.count)
            let statement = JobReadBatchStatement(reads: reads.map { ($0.id, $0.viewer) })
            for try await row in try await client.execute(statement, logger: logger) where records.indices.contains(row.index) {
                records[row.index] = row.record
            }
            return records
        }
        // With followers, in a task of its own: the statement answers them too, so the leader's cancellation must not
        // cut it. Alone, the leader's cancellation is its own.
        let result: Result<[JobRecord?], any Error>
        if followers.isEmpty {
            do { result = .success(try await fetch()) } catch { result = .failure(error) }
        } else {
            result = await Task { try await fetch() }.result
        }
        for (offset, follower) in followers.enumerated() {
            follower.continuation.resume(returning: .answered(result.map { $0[offset + 1] }))
        }
        let next = state.withLock { state -> [Waiter] in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return []
            }
            let batch = Array(state.waiting.prefix(maxBatch))
            state.waiting.removeFirst(batch.count)
            state.statements += 1
            return batch
        }
        if let first = next.first {
            first.continuation.resume(returning: .lead(followers: Array(next.dropFirst())))
        }
        return try result.get()[0]
    }
}
