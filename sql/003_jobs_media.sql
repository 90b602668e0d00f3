-- The job queue and the media it produces.
CREATE TABLE jobs (
    id               uuid PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('generate_video', 'create_scenes', 'generate_character_reference')),
    state            text NOT NULL DEFAULT 'queued'
                     CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'canceled')),
    user_id          uuid NOT NULL REFERENCES users (id),
    team_id          uuid NOT NULL REFERENCES teams (id),
    project_id       uuid,
    request          jsonb NOT NULL,
    idempotency_key  text,
    request_hash     text,
    priority         integer NOT NULL DEFAULT 0,
    attempts         integer NOT NULL DEFAULT 0,
    max_attempts     integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    run_at           timestamptz NOT NULL DEFAULT now(),
    -- Fencing token: bumped by every claim and by cancel; every worker write names the token it holds.
    lease_token      bigint NOT NULL DEFAULT 0,
    locked_by        text,
    lease_expires_at timestamptz,
    progress         double precision NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    stage            text NOT NULL DEFAULT 'queued',
    quoted           bigint NOT NULL CHECK (quoted >= 0),
    charged          bigint NOT NULL DEFAULT 0,
    released         bigint NOT NULL DEFAULT 0,
    result           jsonb,
    error            jsonb,
    provider_name    text,
    provider_model   text,
    -- The provider's own job id (prediction, operation), saved before waiting so a rescued job
    -- resumes polling instead of paying for a second generation.
    provider_checkpoint jsonb,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX jobs_idempotency_key ON jobs (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_ready_idx ON jobs (priority DESC, run_at) WHERE state = 'queued';
CREATE INDEX jobs_lease_idx ON jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX jobs_user_idx ON jobs (user_id, created_at DESC);
CREATE INDEX jobs_team_idx ON jobs (team_id, created_at DESC);

-- Content-addressed blobs: the bytes live in the media store under their sha256.
CREATE TABLE blobs (
    sha256       text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size         bigint NOT NULL CHECK (size >= 0),
    content_type text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Every produced or uploaded object: videos, images, scene sets. Owned by a user and a team.
CREATE TABLE assets (
    id           uuid PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('video', 'image', 'scene_set', 'audio', 'upload')),
    owner_id     uuid NOT NULL REFERENCES users (id),
    team_id      uuid NOT NULL REFERENCES teams (id),
    job_id       uuid REFERENCES jobs (id),
    project_id   uuid,
    sha256       text REFERENCES blobs (sha256),
    content_type text,
    size         bigint,
    title        text,
    metadata     jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz
);

CREATE INDEX assets_owner_idx ON assets (owner_id, created_at DESC);
CREATE INDEX assets_job_idx ON assets (job_id);
