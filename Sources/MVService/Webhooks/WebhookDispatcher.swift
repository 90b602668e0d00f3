import Foundation
import Logging
import MVAuth
import MVCore
import PostgresNIO
import ServiceLifecycle

/// Delivers webhooks from the outbox (runs in every process that runs job workers: `worker`, and `serve` unless
/// workers are off). Wakes on NOTIFY `mv_webhooks` with a polling fallback, claims up to `concurrency` due attempts
/// at a time (SKIP LOCKED: dispatchers in other processes never take the same one), signs each per Standard Webhooks
/// with the endpoint's secret and the SAME `webhook-id` on every attempt, sends it (``WebhookSender``), and records it:
/// a 2xx ends the delivery; anything else is retried with capped exponential backoff and full jitter
/// (``Backoff/fullJitter(attempt:base:cap:)``) until `webhooks.max_age_hours` after the event (or its replay).
/// On graceful shutdown it stops claiming and finishes the attempts in flight (each bounded by the timeout).
struct WebhookDispatcher: Service {
    let queue: WebhookDeliveryQueue
    let postgres: PostgresClient
    let sender: WebhookSender
    let secret: ServerSecret
    let settings: AppConfig.WebhookSettings
    let logger: Logger

    /// How long a claim lasts: the request's deadline plus a margin, so a live dispatcher always records first.
    var lease: Duration { settings.timeout + .seconds(30) }

    func run() async throws {
        let wake = WakeSignal()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { background in
                background.addTask { await listen(wake: wake) }
                while !wake.isShuttingDown && !Task.isCancelled {
                    let batch: [ClaimedDelivery]
                    do {
                        batch = try await queue.claim(limit: settings.concurrency, lease: lease)
                    } catch {
                        logger.warning("webhook claim failed", metadata: ["error": "\(String(describing: error).prefix(300))"])
                        await wake.wait(timeout: settings.pollInterval)
                        continue
                    }
                    guard !batch.isEmpty else {
                        await wake.wait(timeout: settings.pollInterval)
                        continue
                    }
                    await withTaskGroup(of: Void.self) { group in
                        for delivery in batch {
                            group.addTask { await deliver(delivery) }
                        }
                    }
                }
                background.cancelAll()
            }
        } onGracefulShutdown: {
            wake.shutdown()
        }
    }

    /// Signs, sends and records one claimed attempt.
    func deliver(_ delivery: ClaimedDelivery) async {
        let startedAt = Date()
        let start = ContinuousClock.now
        let outcome: WebhookSender.Outcome
        do {
            let signing = try WebhookSecret.unsealed(delivery.sealedSecret, with: secret, endpointID: delivery.endpointID)
            let messageID = WebhookSignature.messageID(delivery.eventID)
            let timestamp = Int64(startedAt.timeIntervalSince1970)
            let body = Array(delivery.body.utf8)
            let headers = [
                ("content-type", "application/json"), ("user-agent", "mvservice-webhooks/1"), ("webhook-id", messageID),
                ("webhook-timestamp", String(timestamp)),
                ("webhook-signature", WebhookSignature.sign(secret: signing, messageID: messageID, timestamp: timestamp, body: body)),
            ]
            outcome = await sender.send(url: delivery.url, headers: headers, body: body)
        } catch {
            outcome = WebhookSender.Outcome(
                responseCode: nil, error: "not sent: the endpoint's secret cannot be opened (was the server secret changed?)",
                succeeded: false)
        }
        let latency = ContinuousClock.now - start
        let delay = Backoff.fullJitter(attempt: delivery.attempt, base: settings.retryBase, cap: settings.retryCap)
        var logger = self.logger
        logger[metadataKey: "delivery"] = "\(delivery.id.uuidString.lowercased())"
        logger[metadataKey: "attempt"] = "\(delivery.attempt)"
        do {
            let status = try await queue.record(
                delivery, outcome: outcome, startedAt: startedAt, latency: latency, retryDelay: delay, maxAge: settings.maxAge)
            if let status {
                logger.debug("webhook attempt recorded", metadata: ["status": "\(status.rawValue)", "code": "\(outcome.responseCode ?? 0)"])
            } else {
                logger.info("webhook claim went stale; attempt not recorded")
            }
        } catch {
            logger.warning("could not record webhook attempt", metadata: ["error": "\(String(describing: error).prefix(300))"])
        }
    }

    /// LISTENs for NOTIFY on the webhooks channel and wakes the loop; reconnects after failures.
    private func listen(wake: WakeSignal) async {
        while !Task.isCancelled {
            do {
                try await postgres.withConnection { connection in
                    try await connection.listen(on: WebhookOutbox.channel) { notifications in
                        for try await _ in notifications { wake.signal() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("webhook listen interrupted", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: settings.pollInterval)
        }
    }
}
