-- Credits: one account per team with cached balances, an immutable double-entry ledger, one hold
-- per job, and token buckets for rate limits.
--
-- Ledger accounts: per team 'available' and 'held'; platform-wide 'issued' (source of grants) and
-- 'revenue' (sink of captures). Movements:
--   grant N    issued -N,    available +N
--   hold N     available -N, held +N
--   capture C  held -C,      revenue +C
--   release R  held -R,      available +R
-- So posted = available + held, and every transaction's entries sum to zero.
CREATE TABLE credit_accounts (
    team_id    uuid PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
    posted     bigint NOT NULL DEFAULT 0,
    held       bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT credit_accounts_held_nonnegative CHECK (held >= 0),
    CONSTRAINT credit_accounts_no_overdraft CHECK (posted - held >= 0)
);

CREATE TABLE ledger_entries (
    id             bigserial PRIMARY KEY,
    transaction_id uuid NOT NULL,
    account        text NOT NULL CHECK (account IN ('available', 'held', 'issued', 'revenue')),
    team_id        uuid REFERENCES teams (id),
    kind           text NOT NULL CHECK (kind IN ('grant', 'hold', 'capture', 'release', 'adjustment')),
    amount         bigint NOT NULL,
    job_id         uuid,
    user_id        uuid,
    reason         text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((account IN ('available', 'held')) = (team_id IS NOT NULL))
);

CREATE INDEX ledger_entries_team_idx ON ledger_entries (team_id, id);
CREATE INDEX ledger_entries_job_idx ON ledger_entries (job_id) WHERE job_id IS NOT NULL;
CREATE INDEX ledger_entries_transaction_idx ON ledger_entries (transaction_id);

-- Ledger entries are immutable: corrections are new entries.
CREATE FUNCTION ledger_entries_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are immutable';
END;
$$;

CREATE TRIGGER ledger_entries_no_update_or_delete
    BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_immutable();

-- Exactly one hold per job, resolved exactly once.
CREATE TABLE holds (
    job_id      uuid PRIMARY KEY,
    team_id     uuid NOT NULL REFERENCES teams (id),
    amount      bigint NOT NULL CHECK (amount >= 0),
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'captured', 'released')),
    captured    bigint NOT NULL DEFAULT 0 CHECK (captured >= 0),
    released    bigint NOT NULL DEFAULT 0 CHECK (released >= 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    CHECK (status = 'open' OR captured + released = amount)
);

CREATE INDEX holds_open_idx ON holds (team_id) WHERE status = 'open';

-- Token buckets: state lives here so limits hold across service instances.
CREATE TABLE rate_buckets (
    key        text PRIMARY KEY,
    tokens     double precision NOT NULL,
    updated_at timestamptz NOT NULL
);
