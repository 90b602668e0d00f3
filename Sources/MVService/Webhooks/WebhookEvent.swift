import MVCore
import PostgresNIO

/// The events a webhook endpoint can subscribe to (API.md, Webhooks), as stored in `webhook_events.type` and sent as the
/// body's `type`.
enum WebhookEvent: String, Codable, CaseIterable, Sendable, PostgresStringEnum {
    /// A job finished successfully (its hold captured).
    case jobSucceeded = "job.succeeded"
    /// A job failed for good (out of attempts, or not retryable); its hold released.
    case jobFailed = "job.failed"
    /// A job was canceled by its owner; its hold released.
    case jobCanceled = "job.canceled"
    /// A project's render finished (sent by the projects' render job).
    case projectRendered = "project.rendered"
    /// An alert quota crossed 80 % or 100 % of its limit in its period.
    case quotaThreshold = "quota.threshold"
    /// The team's available credits dropped below `webhooks.credits_low_threshold` (once per crossing).
    case creditsLow = "credits.low"
}
