-- Sharing: grants to users and teams, ONE access predicate (asset_permission) used by every id route and every
-- list, tags and full-text search, soft delete with restore, and signed share links with download counters.

ALTER TABLE assets
    ADD COLUMN tags text[] NOT NULL DEFAULT '{}',
    ADD COLUMN deleted_by uuid REFERENCES users (id),
    ADD COLUMN search tsvector GENERATED ALWAYS AS (
        to_tsvector('english', coalesce(title, '') || ' ' || coalesce(metadata ->> 'prompt', ''))) STORED;

CREATE INDEX assets_search_idx ON assets USING gin (search);
CREATE INDEX assets_tags_idx ON assets USING gin (tags);
CREATE INDEX assets_team_created_idx ON assets (team_id, created_at DESC, id DESC);
CREATE INDEX assets_kind_created_idx ON assets (kind, created_at DESC, id DESC);
CREATE INDEX assets_deleted_idx ON assets (deleted_at) WHERE deleted_at IS NOT NULL;

-- Who else may use an asset: a user, or every member of a team. `edit` also renames, tags, re-shares and deletes.
CREATE TABLE asset_grants (
    asset_id       uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    principal_type text NOT NULL CHECK (principal_type IN ('user', 'team')),
    principal_id   uuid NOT NULL,
    permission     text NOT NULL CHECK (permission IN ('view', 'edit')),
    granted_by     uuid REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (asset_id, principal_type, principal_id)
);

CREATE INDEX asset_grants_principal_idx ON asset_grants (principal_type, principal_id);

-- THE access rule (MVAuth's AssetAccess documents the same rule): 'manage' for the owner and the owners and
-- admins of the asset's team; else the best grant to the user or to a team the user is a member of NOW ('edit'
-- beats 'view'); else 'none'. Memberships are read on every call, so leaving a team ends what its grants gave at
-- once. A plain SQL function (inlined by the planner), so lists filter with it in the same query: no N+1.
CREATE FUNCTION asset_permission(p_owner uuid, p_team uuid, p_asset uuid, p_user uuid) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN p_user IS NULL THEN 'none'
        WHEN p_owner = p_user THEN 'manage'
        WHEN EXISTS (
            SELECT 1 FROM memberships m
            WHERE m.team_id = p_team AND m.user_id = p_user AND m.role IN ('owner', 'admin')) THEN 'manage'
        ELSE coalesce((
            SELECT CASE WHEN bool_or(g.permission = 'edit') THEN 'edit' WHEN count(*) > 0 THEN 'view' END
            FROM asset_grants g
            WHERE g.asset_id = p_asset
                AND ((g.principal_type = 'user' AND g.principal_id = p_user)
                    OR (g.principal_type = 'team' AND EXISTS (
                        SELECT 1 FROM memberships m WHERE m.team_id = g.principal_id AND m.user_id = p_user)))), 'none')
    END
$$;

-- The same rule by asset id ('none' for an unknown id).
CREATE FUNCTION asset_permission(p_asset uuid, p_user uuid) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT asset_permission(a.owner_id, a.team_id, a.id, p_user) FROM assets a WHERE a.id = p_asset), 'none')
$$;

-- Signed, expiring, revocable links to one asset's content. The token carries the id and expiry and an HMAC over
-- (id, asset id, expiry); this row decides revocation and the downloads left (decremented in one guarded UPDATE).
CREATE TABLE asset_shares (
    id             uuid PRIMARY KEY,
    asset_id       uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    created_by     uuid NOT NULL REFERENCES users (id),
    expires_at     timestamptz NOT NULL,
    max_downloads  integer CHECK (max_downloads > 0),
    downloads_left integer CHECK (downloads_left >= 0),
    downloads      integer NOT NULL DEFAULT 0 CHECK (downloads >= 0),
    revoked_at     timestamptz,
    revoked_by     uuid REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((max_downloads IS NULL) = (downloads_left IS NULL))
);

CREATE INDEX asset_shares_asset_idx ON asset_shares (asset_id, created_at DESC);

-- A team may keep generated assets (those a job produced) for `retention_days` only; the sweeper soft-deletes older ones.
ALTER TABLE teams ADD COLUMN retention_days integer CHECK (retention_days BETWEEN 1 AND 36500);
