import Foundation
import Logging
import MVCore
import PostgresNIO
import ServiceLifecycle

/// LISTENs on `mv_standing` (sql/017) and invalidates ``StandingCache`` entries of the user each notification names.
/// The cache only caches while this listener is connected; after a lost connection it reconnects and starts over.
struct StandingListener: Service {
    /// The NOTIFY channel.
    static let channel = "mv_standing"

    let postgres: PostgresClient
    let cache: StandingCache
    let logger: Logger
    /// Pause before reconnecting.
    var retryDelay: Duration = .seconds(1)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await postgres.withConnection { connection in
                        try await connection.listen(on: Self.channel) { notifications in
                            cache.setListening(true)
                            for try await notification in notifications {
                                let payload = notification.payload
                                if let userID = UUID(parsing: payload) {
                                    cache.invalidate(userID: userID)
                                } else if payload.hasPrefix("barrier:"), let marker = UUID(parsing: payload.dropFirst(8)) {
                                    cache.passed(marker: marker)
                                } else {
                                    cache.setListening(true)
                                }
                            }
                        }
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.debug("standing listener interrupted", metadata: ["error": "\(error)"])
                }
                cache.setListening(false)
                try? await Task.sleep(for: retryDelay)
            }
            cache.setListening(false)
        }
    }
}
