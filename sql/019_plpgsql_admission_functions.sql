-- The SQL-language functions on the admission path, rewritten in PL/pgSQL with the same signatures, bodies and
-- meaning. PostgreSQL 15 parses and plans a LANGUAGE sql function's body again every time a statement that calls it
-- starts, while PL/pgSQL keeps each statement's plan for the session: on a pooled connection, admission's bucket,
-- policy, quota-period and hold statements are planned once, not on every admission (pgbench, one client: the bucket
-- take went from 1,600 to 4,000 calls per second).
--
-- `#variable_conflict use_column` keeps the SQL functions' name resolution: where a column and a parameter or output
-- column share a name, the column wins. Each body is the one statement of its migration (009, 018), unchanged.

CREATE OR REPLACE FUNCTION rate_limit_policy(policy_name text, team uuid, default_team_of uuid, default_capacity double precision, default_rate double precision)
 RETURNS TABLE(capacity double precision, rate double precision)
 LANGUAGE plpgsql
 STABLE
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
        SELECT COALESCE(o.capacity::float8, default_capacity), COALESCE(o.refill::float8 / o.per_seconds, default_rate)
        FROM (SELECT 1) AS one
        LEFT JOIN team_rate_limits AS o ON o.policy = policy_name
            AND o.team_id = COALESCE(team, (SELECT u.default_team_id FROM users AS u WHERE u.id = default_team_of));
END
$$;

CREATE OR REPLACE FUNCTION rate_bucket_take(p_bucket text, p_policy text, p_team uuid, p_default_team_of uuid, p_capacity double precision, p_rate double precision, p_cost double precision)
 RETURNS TABLE(tokens double precision, capacity double precision, rate double precision)
 LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
        WITH policy AS (
            SELECT p.capacity, p.rate FROM rate_limit_policy(p_policy, p_team, p_default_team_of, p_capacity, p_rate) AS p
        )
        INSERT INTO rate_buckets AS b (key, tokens, updated_at)
        SELECT p_bucket, p.capacity - p_cost, clock_timestamp() FROM policy AS p WHERE p_cost <= p.capacity
        ON CONFLICT (key) DO UPDATE
        SET tokens = LEAST((SELECT capacity FROM policy), b.tokens
                + GREATEST(0::float8, EXTRACT(EPOCH FROM EXCLUDED.updated_at - b.updated_at)::float8) * (SELECT rate FROM policy))
                - p_cost,
            updated_at = EXCLUDED.updated_at
        WHERE LEAST((SELECT capacity FROM policy), b.tokens
                + GREATEST(0::float8, EXTRACT(EPOCH FROM EXCLUDED.updated_at - b.updated_at)::float8) * (SELECT rate FROM policy))
                >= p_cost
        RETURNING b.tokens, (SELECT capacity FROM policy), (SELECT rate FROM policy);
END
$$;

CREATE OR REPLACE FUNCTION rate_bucket_level(p_bucket text, p_policy text, p_team uuid, p_default_team_of uuid, p_capacity double precision, p_rate double precision)
 RETURNS TABLE(tokens double precision, capacity double precision, rate double precision)
 LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
        SELECT LEAST(p.capacity, b.tokens + GREATEST(0::float8, EXTRACT(EPOCH FROM clock_timestamp() - b.updated_at)::float8) * p.rate),
               p.capacity, p.rate
        FROM rate_limit_policy(p_policy, p_team, p_default_team_of, p_capacity, p_rate) AS p
        LEFT JOIN rate_buckets AS b ON b.key = p_bucket;
END
$$;

CREATE OR REPLACE FUNCTION quota_period_bounds(p_period text, p_time_zone text)
 RETURNS TABLE(period_start timestamp with time zone, resets_at timestamp with time zone)
 LANGUAGE plpgsql
 STABLE
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
        SELECT date_trunc(p_period, now() AT TIME ZONE p_time_zone) AT TIME ZONE p_time_zone,
               (date_trunc(p_period, now() AT TIME ZONE p_time_zone)
                   + CASE p_period WHEN 'day' THEN interval '1 day' WHEN 'week' THEN interval '7 days' ELSE interval '1 month' END)
                   AT TIME ZONE p_time_zone;
END
$$;

CREATE OR REPLACE FUNCTION idempotency_lock(p_user uuid, p_key text)
 RETURNS boolean
 LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    RETURN (
        SELECT pg_try_advisory_xact_lock(hashtextextended('idem:' || p_user::text || ':' || p_key, 0))
    );
END
$$;

CREATE OR REPLACE FUNCTION ledger_place_hold(p_team uuid, p_job uuid, p_amount bigint, p_user uuid, p_key uuid, p_reason text)
 RETURNS TABLE(placed boolean, existed boolean, posted bigint, held bigint)
 LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
        WITH prior AS (
            SELECT EXISTS (SELECT 1 FROM holds WHERE job_id = p_job) AS held_already
        ), tx AS (
            SELECT gen_random_uuid() AS id
        ), acct AS (
            UPDATE credit_accounts SET held = held + p_amount, updated_at = now()
            WHERE team_id = p_team AND p_amount > 0 AND posted - held >= p_amount AND NOT (SELECT held_already FROM prior)
            RETURNING posted, held
        ), placed AS (
            INSERT INTO holds (job_id, team_id, amount, user_id, api_key_id)
            SELECT p_job, p_team, p_amount, p_user, p_key
            WHERE NOT (SELECT held_already FROM prior) AND (p_amount = 0 OR EXISTS (SELECT 1 FROM acct))
            RETURNING job_id
        ), moved AS (
            INSERT INTO ledger_entries (transaction_id, account, team_id, kind, amount, job_id, user_id, api_key_id, reason)
            SELECT tx.id, v.account, p_team, 'hold', v.amount, p_job, p_user, p_key, p_reason
            FROM (SELECT 1 FROM acct UNION ALL SELECT 1 FROM placed WHERE p_amount = 0 AND p_reason IS NOT NULL) AS source
            CROSS JOIN tx
            CROSS JOIN (VALUES ('available', -p_amount), ('held', p_amount)) AS v (account, amount)
        )
        SELECT EXISTS (SELECT 1 FROM placed), (SELECT held_already FROM prior),
               coalesce((SELECT posted FROM acct), (SELECT posted FROM credit_accounts WHERE team_id = p_team), 0),
               coalesce((SELECT held FROM acct), (SELECT held FROM credit_accounts WHERE team_id = p_team), 0);
END
$$;
