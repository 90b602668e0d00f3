-- Credit lots (every grant is a lot; captures, adjustments and expiry draw from lots), quotas with per-period
-- counters kept in the admission transaction, and per-team rate-limit overrides.

-- Expiry is a ledger movement of its own: a lot's unused credits leave `available` for the platform's `expired`.
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_account_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_account_check
    CHECK (account IN ('available', 'held', 'issued', 'revenue', 'expired'));
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check
    CHECK (kind IN ('grant', 'hold', 'capture', 'release', 'adjustment', 'expire'));

CREATE TABLE credit_lots (
    id             uuid PRIMARY KEY,
    team_id        uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    granted        bigint NOT NULL CHECK (granted > 0),
    consumed       bigint NOT NULL DEFAULT 0 CHECK (consumed >= 0),
    expired        bigint NOT NULL DEFAULT 0 CHECK (expired >= 0),
    -- Lower first.
    priority       integer NOT NULL DEFAULT 100 CHECK (priority BETWEEN 0 AND 1000),
    expires_at     timestamptz,
    reason         text,
    granted_by     uuid,
    -- The grant's ledger transaction; a carried-over lot (credits from before lots) has no entries of its own.
    transaction_id uuid NOT NULL,
    carried_over   boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT credit_lots_not_overdrawn CHECK (consumed + expired <= granted)
);

-- Lots that still hold credits, in the order captures draw from them.
CREATE INDEX credit_lots_draw_idx ON credit_lots (team_id, priority, expires_at, created_at)
    WHERE consumed + expired < granted;
CREATE INDEX credit_lots_due_idx ON credit_lots (expires_at) WHERE consumed + expired < granted AND expires_at IS NOT NULL;

-- Which lots paid for what: one row per lot and capture (or negative adjustment).
CREATE TABLE lot_consumptions (
    lot_id         uuid NOT NULL REFERENCES credit_lots (id) ON DELETE CASCADE,
    transaction_id uuid NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('capture', 'adjustment')),
    job_id         uuid,
    amount         bigint NOT NULL CHECK (amount > 0),
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (lot_id, transaction_id)
);

CREATE INDEX lot_consumptions_job_idx ON lot_consumptions (job_id) WHERE job_id IS NOT NULL;

ALTER TABLE ledger_entries ADD COLUMN lot_id uuid;

-- Credits granted before lots existed become one lot per team, without expiry, so that every team's lots add up to
-- its posted credits from the start.
INSERT INTO credit_lots (id, team_id, granted, reason, transaction_id, carried_over, created_at)
SELECT gen_random_uuid(), team_id, posted, 'credits before lots', gen_random_uuid(), true, now()
FROM credit_accounts WHERE posted > 0;

-- A cap on the credits a subject commits (open holds + captures) per calendar period in the team's time zone.
CREATE TABLE quotas (
    id           uuid PRIMARY KEY,
    team_id      uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    subject_type text NOT NULL CHECK (subject_type IN ('team', 'member', 'api_key')),
    subject_id   uuid NOT NULL,
    period       text NOT NULL CHECK (period IN ('day', 'week', 'month')),
    limit_credits bigint NOT NULL CHECK (limit_credits > 0),
    action       text NOT NULL CHECK (action IN ('block', 'alert')),
    created_by   uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team_id, subject_type, subject_id, period),
    CHECK (subject_type <> 'team' OR subject_id = team_id)
);

-- What each quota counted in each period: updated in the admission transaction and when holds resolve.
CREATE TABLE quota_usage (
    quota_id     uuid NOT NULL REFERENCES quotas (id) ON DELETE CASCADE,
    period_start timestamptz NOT NULL,
    used         bigint NOT NULL DEFAULT 0 CHECK (used >= 0),
    alerted_80   boolean NOT NULL DEFAULT false,
    alerted_100  boolean NOT NULL DEFAULT false,
    PRIMARY KEY (quota_id, period_start)
);

-- Which counters a job's hold was counted in, so its release gives back exactly there.
CREATE TABLE quota_charges (
    job_id       uuid NOT NULL,
    quota_id     uuid NOT NULL,
    period_start timestamptz NOT NULL,
    amount       bigint NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (job_id, quota_id),
    FOREIGN KEY (quota_id, period_start) REFERENCES quota_usage (quota_id, period_start) ON DELETE CASCADE
);

-- Per-team overrides of named rate-limit policies (`generate`, `api`), set by platform admins.
CREATE TABLE team_rate_limits (
    team_id     uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    policy      text NOT NULL CHECK (policy IN ('generate', 'api')),
    capacity    integer NOT NULL CHECK (capacity BETWEEN 1 AND 1000000),
    refill      integer NOT NULL CHECK (refill BETWEEN 1 AND 1000000),
    per_seconds integer NOT NULL CHECK (per_seconds BETWEEN 1 AND 86400),
    updated_by  uuid,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, policy)
);

-- The policy in force for a team (its override, else the configured default), as one row (capacity, rate per second).
-- `team` names the team; when NULL, the default team of user `default_team_of` is meant.
CREATE FUNCTION rate_limit_policy(policy_name text, team uuid, default_team_of uuid, default_capacity float8, default_rate float8)
RETURNS TABLE (capacity float8, rate float8) LANGUAGE sql STABLE AS $$
    SELECT COALESCE(o.capacity::float8, default_capacity), COALESCE(o.refill::float8 / o.per_seconds, default_rate)
    FROM (SELECT 1) AS one
    LEFT JOIN team_rate_limits AS o ON o.policy = policy_name
        AND o.team_id = COALESCE(team, (SELECT u.default_team_id FROM users AS u WHERE u.id = default_team_of))
$$;
