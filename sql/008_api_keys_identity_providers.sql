-- API keys for servers, identities from external identity providers, and the key behind every job and ledger entry.

-- A key acts as its creator inside one team. Only a keyed hash of the secret is stored (HMAC-SHA256 with the
-- server secret); `prefix` is the key's first characters, shown in listings so people can tell keys apart.
CREATE TABLE api_keys (
    id           uuid PRIMARY KEY,
    team_id      uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    prefix       text NOT NULL CHECK (prefix ~ '^mvk_[A-Za-z0-9_-]{8}$'),
    secret_hash  bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    scopes       text[] NOT NULL
                 CHECK (cardinality(scopes) BETWEEN 1 AND 3 AND scopes <@ ARRAY['read', 'generate', 'admin']::text[]),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    revoked_by   uuid REFERENCES users (id) ON DELETE SET NULL
);

CREATE INDEX api_keys_team_idx ON api_keys (team_id, created_at DESC) WHERE revoked_at IS NULL;
CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at DESC) WHERE revoked_at IS NULL;

-- A user known to an external identity provider, linked by (issuer, subject), never by e-mail alone.
CREATE TABLE external_identities (
    issuer     text NOT NULL CHECK (length(issuer) BETWEEN 1 AND 500),
    subject    text NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
    user_id    uuid NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    email      text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, subject)
);

-- A team known to an external identity provider (its organisation claim). Its members and their roles mirror
-- the provider's claims.
CREATE TABLE external_teams (
    issuer      text NOT NULL CHECK (length(issuer) BETWEEN 1 AND 500),
    external_id text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 500),
    team_id     uuid NOT NULL UNIQUE REFERENCES teams (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, external_id)
);

-- Teams managed by an identity provider take their roles from its tokens, which may name no owner: the last-owner
-- rule applies to the teams this service manages.
CREATE OR REPLACE FUNCTION memberships_keep_an_owner() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    affected uuid := COALESCE(OLD.team_id, NEW.team_id);
BEGIN
    IF EXISTS (SELECT 1 FROM memberships WHERE team_id = affected)
       AND NOT EXISTS (SELECT 1 FROM memberships WHERE team_id = affected AND role = 'owner')
       AND NOT EXISTS (SELECT 1 FROM external_teams WHERE team_id = affected) THEN
        RAISE EXCEPTION 'a team must keep an owner' USING ERRCODE = 'check_violation', CONSTRAINT = 'last_owner';
    END IF;
    RETURN NULL;
END;
$$;

-- Who caused each job and each money movement: the API key, when the request came with one.
ALTER TABLE jobs ADD COLUMN api_key_id uuid REFERENCES api_keys (id) ON DELETE SET NULL;
ALTER TABLE holds ADD COLUMN user_id uuid;
ALTER TABLE holds ADD COLUMN api_key_id uuid;
ALTER TABLE ledger_entries ADD COLUMN api_key_id uuid;
