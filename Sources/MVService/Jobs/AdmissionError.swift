import MVBilling

/// Why admission refused a job without charging anything (the ledger's own refusal is `BillingError`).
enum AdmissionError: Error, Sendable {
    /// Another request with the same Idempotency-Key is still being admitted.
    case idempotencyInFlight
    /// The Idempotency-Key was used before with a different request body.
    case idempotencyKeyReused
    /// The Idempotency-Key is not 1...255 printable ASCII characters.
    case invalidIdempotencyKey
    /// The caller's generation bucket is empty; the decision says when it refills.
    case rateLimited(RateLimitDecision)
    /// The standing the request was authorised with (taken from the standing cache) no longer holds: the user is
    /// disabled or gone, or no longer a member of the team with a role that may generate. ``AuthMiddleware`` answers
    /// it with the problem the exact standing gives.
    case standingChanged
}
