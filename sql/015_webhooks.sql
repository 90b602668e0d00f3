-- Webhooks (Standard Webhooks): endpoints per team with a sealed signing secret, a durable outbox of events written
-- in the SAME transaction as the state change they announce, one delivery per (event, endpoint) with its retry
-- schedule and a fencing token, and every attempt recorded.
--
-- Outbox shape: ONE event row (its id is the message id, `webhook-id: msg_<id without dashes>`, the same on every
-- retry and replay) fanned out to one delivery row per subscribed, enabled endpoint of the team, in one statement.

CREATE TABLE webhook_endpoints (
    id            uuid PRIMARY KEY,
    team_id       uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    url           text NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
    events        text[] NOT NULL CHECK (
        cardinality(events) >= 1
        AND events <@ ARRAY['job.succeeded', 'job.failed', 'job.canceled', 'project.rendered', 'quota.threshold', 'credits.low']),
    description   text CHECK (description IS NULL OR length(description) <= 500),
    -- AES-GCM box of the secret's key bytes under a key derived from the server secret, bound to this row's id.
    secret_sealed bytea NOT NULL,
    enabled       boolean NOT NULL DEFAULT true,
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX webhook_endpoints_team_idx ON webhook_endpoints (team_id, created_at);

-- One announced change. `payload` is the exact body sent (`{type, timestamp, data}`); jsonb prints it the same way on
-- every read, so every attempt signs and sends the same bytes.
CREATE TABLE webhook_events (
    id         uuid PRIMARY KEY,
    team_id    uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    type       text NOT NULL CHECK (
        type IN ('job.succeeded', 'job.failed', 'job.canceled', 'project.rendered', 'quota.threshold', 'credits.low')),
    payload    jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX webhook_events_team_idx ON webhook_events (team_id, created_at);

-- The event's way to one endpoint. `pending` waits for `next_attempt_at`; `sending` is claimed by a dispatcher until
-- `lease_expires_at` (every write names `claim_token`); `succeeded` got a 2xx; `failed` gave up at
-- `window_started_at` + webhooks.max_age_hours. A replay puts it back to `pending` and restarts the window.
CREATE TABLE webhook_deliveries (
    id                 uuid PRIMARY KEY,
    event_id           uuid NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    endpoint_id        uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    team_id            uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    status             text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'succeeded', 'failed')),
    attempts           integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    claim_token        bigint NOT NULL DEFAULT 0,
    next_attempt_at    timestamptz NOT NULL DEFAULT now(),
    lease_expires_at   timestamptz,
    window_started_at  timestamptz NOT NULL DEFAULT now(),
    last_response_code integer,
    last_latency_ms    integer,
    last_error         text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_id, endpoint_id),
    CHECK ((status = 'sending') = (lease_expires_at IS NOT NULL))
);

CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_lease_idx ON webhook_deliveries (lease_expires_at) WHERE status = 'sending';
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);

-- Every attempt: when, how long, what the receiver answered (or why nothing was sent or received).
CREATE TABLE webhook_attempts (
    delivery_id   uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt       integer NOT NULL CHECK (attempt >= 1),
    started_at    timestamptz NOT NULL,
    latency_ms    integer NOT NULL CHECK (latency_ms >= 0),
    response_code integer,
    error         text,
    succeeded     boolean NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);

-- THE enqueue: one call on the caller's transaction writes the event and one pending delivery per enabled endpoint
-- of the team subscribed to `p_type` (nothing at all when none is), and a NOTIFY that wakes dispatchers on commit.
-- The body is `{type, timestamp, data}` (Standard Webhooks payload shape). Returns the number of deliveries.
CREATE FUNCTION webhook_enqueue(p_event uuid, p_team uuid, p_type text, p_data jsonb) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    fanned integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE team_id = p_team AND enabled AND p_type = ANY (events)) THEN
        RETURN 0;
    END IF;
    INSERT INTO webhook_events (id, team_id, type, payload)
    VALUES (p_event, p_team, p_type, jsonb_build_object(
        'type', p_type,
        'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'data', coalesce(p_data, '{}'::jsonb)));
    INSERT INTO webhook_deliveries (id, event_id, endpoint_id, team_id)
    SELECT gen_random_uuid(), p_event, e.id, p_team
    FROM webhook_endpoints e
    WHERE e.team_id = p_team AND e.enabled AND p_type = ANY (e.events);
    GET DIAGNOSTICS fanned = ROW_COUNT;
    PERFORM pg_notify('mv_webhooks', 'ready');
    RETURN fanned;
END
$$;
