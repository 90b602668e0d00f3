-- Hot paths (issue 11): what lets an instance cache standing and lease rate tokens safely.
--
-- 1. Every change to what a principal may do NOTIFYs channel `mv_standing` with the user's id, in the changing
--    transaction (delivered at commit). Each instance LISTENs and drops its cached standing of that user at once; while
--    it is not listening it caches nothing. (API keys are not cached: their lookup is one statement that also decides
--    expiry and keeps last_used_at.)

CREATE FUNCTION notify_standing() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    affected uuid;
BEGIN
    IF TG_TABLE_NAME = 'users' THEN
        affected := COALESCE(NEW.id, OLD.id);
    ELSE
        affected := COALESCE(NEW.user_id, OLD.user_id);
    END IF;
    PERFORM pg_notify('mv_standing', affected::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER memberships_standing AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION notify_standing();

CREATE TRIGGER users_standing AFTER UPDATE OF disabled, is_platform_admin, default_team_id, email OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION notify_standing();

-- 2. A lease of tokens from a leased policy's bucket (RateTokenLeases): under the bucket's row lock, the refilled
--    level, then up to `batch` tokens (half of what is there, at least one) taken in one statement. Returns what was
--    granted (0 = refused; nothing written), what is left, and the policy in force (its team override included).
CREATE FUNCTION rate_bucket_lease(
    bucket text, policy_name text, team uuid, default_team_of uuid, default_capacity float8, default_rate float8, batch integer
) RETURNS TABLE (granted integer, tokens float8, capacity float8, rate float8) LANGUAGE plpgsql AS $$
DECLARE
    pol record;
    level float8;
    at timestamptz := clock_timestamp();
    grant_ integer;
BEGIN
    SELECT p.capacity, p.rate INTO pol FROM rate_limit_policy(policy_name, team, default_team_of, default_capacity, default_rate) AS p;
    INSERT INTO rate_buckets AS b (key, tokens, updated_at) VALUES (bucket, pol.capacity, at) ON CONFLICT (key) DO NOTHING;
    SELECT LEAST(pol.capacity, b.tokens + GREATEST(0::float8, EXTRACT(EPOCH FROM at - b.updated_at)::float8) * pol.rate)
        INTO level FROM rate_buckets AS b WHERE b.key = bucket FOR UPDATE;
    grant_ := CASE WHEN level >= 1 THEN LEAST(batch, GREATEST(1, floor(level / 2)::integer)) ELSE 0 END;
    IF grant_ > 0 THEN
        UPDATE rate_buckets AS b SET tokens = level - grant_, updated_at = at WHERE b.key = bucket;
    END IF;
    RETURN QUERY SELECT grant_, level - grant_, pol.capacity, pol.rate;
END
$$;
