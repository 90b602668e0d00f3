-- Teams grow a time zone; invitations bind when the invited email registers; an append-only audit log.

ALTER TABLE teams ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC' CHECK (length(time_zone) BETWEEN 1 AND 64);

ALTER TABLE memberships ADD COLUMN added_by uuid REFERENCES users (id) ON DELETE SET NULL;

-- A pending invitation: an email with no account yet, and the role it will get in the team.
CREATE TABLE team_invitations (
    team_id    uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    email      text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
    role       text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
    invited_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, email)
);

CREATE INDEX team_invitations_email_idx ON team_invitations (lower(email));

-- Every team keeps at least one owner: a change that would leave a team with members but no owner is refused
-- inside the statement's transaction, whatever the route or the race.
CREATE FUNCTION memberships_keep_an_owner() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    affected uuid := COALESCE(OLD.team_id, NEW.team_id);
BEGIN
    IF EXISTS (SELECT 1 FROM memberships WHERE team_id = affected)
       AND NOT EXISTS (SELECT 1 FROM memberships WHERE team_id = affected AND role = 'owner') THEN
        RAISE EXCEPTION 'a team must keep an owner' USING ERRCODE = 'check_violation', CONSTRAINT = 'last_owner';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER memberships_last_owner
    AFTER UPDATE OR DELETE ON memberships
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION memberships_keep_an_owner();

-- Who did what, when, from where. Rows are written in the transaction of the change they record and never change.
CREATE TABLE audit_events (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_user  uuid,
    actor_key   uuid,
    team_id     uuid,
    action      text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
    target_type text,
    target_id   text,
    ip          text,
    user_agent  text,
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX audit_events_team_idx ON audit_events (team_id, id DESC);
CREATE INDEX audit_events_action_idx ON audit_events (action, id DESC);

CREATE FUNCTION audit_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are immutable';
END;
$$;

CREATE TRIGGER audit_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_immutable();
