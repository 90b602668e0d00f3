import Logging
import PostgresNIO
import Synchronization

/// Tells the workers that jobs are ready (NOTIFY `ready` on ``JobQueue/channel``) after admissions commit, a few
/// notifications per burst: the first call of a quiet spell notifies at once; while a NOTIFY is on its way, further
/// calls only note that another is due, sent when the first returns but no sooner than ``minimumInterval`` after it
/// started. Every call is therefore followed by a NOTIFY that started after it, so a worker woken by it sees the job
/// whose commit preceded the call; a busy instance sends at most one per interval (each NOTIFY is a transaction with
/// its own commit and WAL flush).
///
/// Why not inside the admission transaction (sql/020): PostgreSQL serialises the commits of all transactions that
/// NOTIFY, holding one cluster-wide lock through each commit's WAL flush, so a NOTIFY per admission made the admissions
/// of every team commit one at a time. A wake-up lost in a crash between the commit and the NOTIFY costs at most the
/// workers' poll interval; the job itself is committed.
final class ReadyNotifier: Sendable {
    private struct State {
        /// A NOTIFY is on its way (a drain task runs).
        var sending = false
        /// Another NOTIFY is due after the one on its way.
        var due = false
    }

    private let state = Mutex(State())
    private let client: PostgresClient
    private let logger: Logger
    /// The least time between the starts of two NOTIFYs.
    let minimumInterval: Duration

    /// Creates a notifier that sends on `client`.
    init(client: PostgresClient, logger: Logger, minimumInterval: Duration = .milliseconds(5)) {
        self.client = client
        self.logger = logger
        self.minimumInterval = minimumInterval
    }

    /// Notes that a job became ready (its transaction committed): a NOTIFY follows, shared with the calls around it.
    func jobReady() {
        let start = state.withLock { state -> Bool in
            if state.sending {
                state.due = true
                return false
            }
            state.sending = true
            return true
        }
        guard start else { return }
        // One drain at a time per notifier: it ends as soon as no call came in during its last NOTIFY.
        Task { await drain() }
    }

    private func drain() async {
        let clock = ContinuousClock()
        repeat {
            let started = clock.now
            do {
                try await client.query("SELECT pg_notify(\(JobQueue.channel), 'ready')", logger: logger)
            } catch {
                // The workers' poll finds the job anyway.
                logger.warning("NOTIFY of ready jobs failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await clock.sleep(until: started + minimumInterval)
        } while state.withLock({ state in
            guard state.due else {
                state.sending = false
                return false
            }
            state.due = false
            return true
        })
    }
}
