-- Projects: a music video end to end. A project is an asset (kind 'project': ACL, sharing, lists) whose render runs
-- as ONE job (`render_project`) with ONE hold, captured in parts as each stage and each clip finishes.

ALTER TABLE assets DROP CONSTRAINT assets_kind_check;
ALTER TABLE assets ADD CONSTRAINT assets_kind_check
    CHECK (kind IN ('video', 'image', 'scene_set', 'audio', 'upload', 'project'));

-- The same list sql/014 (merge) sets; whichever runs last leaves the same constraint.
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check
    CHECK (kind IN ('generate_video', 'create_scenes', 'generate_character_reference', 'merge_videos', 'render_project',
                    'regenerate_scene'));

-- A hold captured in parts (Ledger.capturePart): one row per part, written by the same statement as the part's
-- ledger transaction. `(job_id, part)` is unique, so a part is paid at most once whatever a worker retries; the hold
-- row's `captured` is the sum of its parts until the hold resolves (the rest is then released).
CREATE TABLE hold_captures (
    transaction_id uuid PRIMARY KEY,
    job_id         uuid NOT NULL REFERENCES holds (job_id),
    part           text NOT NULL CHECK (length(part) BETWEEN 1 AND 100),
    amount         bigint NOT NULL CHECK (amount > 0),
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (job_id, part)
);

ALTER TABLE holds ADD CONSTRAINT holds_captured_within_amount CHECK (captured <= amount);

-- The render state of a project (its fields live in the asset's metadata). `render_job_id` is the latest render
-- or re-roll job; the status a client sees is derived from that job.
CREATE TABLE projects (
    id             uuid PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
    -- No foreign key: admission claims the project (this column) before it inserts the job, so that every
    -- transaction locks the project row before the team's credit account.
    render_job_id  uuid,
    -- Purging an asset (after its restore window) must not be blocked by a project that used it.
    scene_set_id   uuid REFERENCES assets (id) ON DELETE SET NULL,
    image_ids      uuid[] NOT NULL DEFAULT '{}',
    final_video_id uuid REFERENCES assets (id) ON DELETE SET NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- One row per stage of the latest render: written by the render job, fenced by its lease token.
CREATE TABLE project_stages (
    project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (name IN ('scenes', 'character', 'clips', 'merge')),
    status      text NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed')),
    job_id      uuid REFERENCES jobs (id),
    started_at  timestamptz,
    finished_at timestamptz,
    credits     bigint NOT NULL DEFAULT 0 CHECK (credits >= 0),
    -- The provider job an interrupted attempt of this stage started (resumed instead of paid again).
    provider_checkpoint jsonb,
    PRIMARY KEY (project_id, name)
);

-- One row per scene's clip (0-based index). `provider_checkpoint` lets a rescued render resume polling the
-- provider instead of paying for a second generation of the same clip.
CREATE TABLE project_clips (
    project_id          uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    index               integer NOT NULL CHECK (index >= 0),
    status              text NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'blocked')),
    video_id            uuid REFERENCES assets (id) ON DELETE SET NULL,
    job_id              uuid REFERENCES jobs (id),
    credits             bigint NOT NULL DEFAULT 0 CHECK (credits >= 0),
    provider_checkpoint jsonb,
    error               jsonb,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, index)
);

CREATE INDEX project_clips_running_idx ON project_clips (job_id) WHERE status = 'running';

-- Stage events of render and re-roll jobs, in order (the job's SSE stream reads them as `event: stage`).
CREATE TABLE job_stage_events (
    id     bigserial PRIMARY KEY,
    job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    stage  text NOT NULL CHECK (stage IN ('scenes', 'character', 'clips', 'merge')),
    status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
    at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX job_stage_events_job_idx ON job_stage_events (job_id, id);
