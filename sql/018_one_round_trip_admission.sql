-- One-round-trip admission (issue 11). Every write that admits a job lives in ONE server-side function, so admission
-- is one statement from the service: idempotency, the generation bucket, every quota, the credit hold, the job row,
-- the webhook events it announces and the NOTIFY that wakes the workers. The pieces are functions of their own, and
-- the Swift API that exposes each one (IdempotencyLock, RateLimiter, Ledger.placeHold) calls the same function, so
-- each rule is written once.

-- The Idempotency-Key guard: a transaction-scoped advisory lock on (user, key). False when another transaction holds it.
CREATE FUNCTION idempotency_lock(p_user uuid, p_key text) RETURNS boolean LANGUAGE sql VOLATILE AS $$
    SELECT pg_try_advisory_xact_lock(hashtextextended('idem:' || p_user::text || ':' || p_key, 0))
$$;

-- What an Idempotency-Key says about an admission, under its lock: 'in_flight' (another transaction holds the key),
-- 'replayed' (the same key with the same request: the job), 'key_reused' (the same key with another request), or no row
-- (a new request).
CREATE FUNCTION admission_replay(p_user uuid, p_key text, p_request_hash text)
RETURNS TABLE (outcome text, job_id uuid) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF NOT idempotency_lock(p_user, p_key) THEN
        RETURN QUERY SELECT 'in_flight'::text, NULL::uuid;
        RETURN;
    END IF;
    -- A new statement under the lock: its snapshot sees a duplicate that committed while we waited.
    RETURN QUERY
    SELECT CASE WHEN j.request_hash IS NOT DISTINCT FROM p_request_hash THEN 'replayed' ELSE 'key_reused' END, j.id
    FROM jobs AS j WHERE j.user_id = p_user AND j.idempotency_key = p_key;
END
$$;

-- Takes p_cost tokens from bucket p_bucket under the policy in force (the team's override, else the defaults): the
-- tokens left and the policy, or no row when refused (a refusal writes nothing; the row stays locked until the
-- transaction ends). Refill is lazy, on the database clock: min(capacity, tokens + elapsed * rate).
CREATE FUNCTION rate_bucket_take(
    p_bucket text, p_policy text, p_team uuid, p_default_team_of uuid, p_capacity float8, p_rate float8, p_cost float8
) RETURNS TABLE (tokens float8, capacity float8, rate float8) LANGUAGE sql VOLATILE AS $$
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
    RETURNING b.tokens, (SELECT capacity FROM policy), (SELECT rate FROM policy)
$$;

-- The bucket's refilled level now and the policy in force; the level is NULL when the bucket does not exist (full).
CREATE FUNCTION rate_bucket_level(
    p_bucket text, p_policy text, p_team uuid, p_default_team_of uuid, p_capacity float8, p_rate float8
) RETURNS TABLE (tokens float8, capacity float8, rate float8) LANGUAGE sql VOLATILE AS $$
    SELECT LEAST(p.capacity, b.tokens + GREATEST(0::float8, EXTRACT(EPOCH FROM clock_timestamp() - b.updated_at)::float8) * p.rate),
           p.capacity, p.rate
    FROM rate_limit_policy(p_policy, p_team, p_default_team_of, p_capacity, p_rate) AS p
    LEFT JOIN rate_buckets AS b ON b.key = p_bucket
$$;

-- A quota's current period in its team's time zone: when it started and when it resets.
CREATE FUNCTION quota_period_bounds(p_period text, p_time_zone text)
RETURNS TABLE (period_start timestamptz, resets_at timestamptz) LANGUAGE sql STABLE AS $$
    SELECT date_trunc(p_period, now() AT TIME ZONE p_time_zone) AT TIME ZONE p_time_zone,
           (date_trunc(p_period, now() AT TIME ZONE p_time_zone)
               + CASE p_period WHEN 'day' THEN interval '1 day' WHEN 'week' THEN interval '7 days' ELSE interval '1 month' END)
               AT TIME ZONE p_time_zone
$$;

-- Counts a new hold of p_amount credits in every quota that applies (the team's, the member's, the API key's): a
-- counter row per (quota, period) is created or raised, guarded by the limit for blocking quotas, and the job's charges
-- are recorded so its release gives back exactly there. Concurrent admissions serialise on the counter rows, so a limit
-- is exact.
--
-- Returns ONE row with a NULL threshold when a blocking quota refuses (the first one, with its usage before this
-- charge); the caller must then roll back, since the other quotas' counters were raised. Otherwise one row per alert
-- threshold (80, 100 percent) this charge crossed, each recorded once per period and audited as `quota.threshold`.
CREATE FUNCTION quota_charge(p_team uuid, p_user uuid, p_key uuid, p_job uuid, p_amount int8)
RETURNS TABLE (
    quota_id uuid, subject_type text, subject_id uuid, limit_credits int8, used int8, resets_at timestamptz, threshold integer
) LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    charge record;
    alerts uuid[] := '{}';
BEGIN
    FOR charge IN
        WITH applicable AS (
            SELECT q.id, q.subject_type, q.subject_id, q.limit_credits, q.action, p.period_start, p.resets_at
            FROM quotas AS q
            JOIN teams AS t ON t.id = q.team_id
            CROSS JOIN LATERAL quota_period_bounds(q.period, t.time_zone) AS p
            WHERE q.team_id = p_team
              AND (q.subject_type = 'team'
                   OR (q.subject_type = 'member' AND q.subject_id = p_user)
                   OR (q.subject_type = 'api_key' AND q.subject_id = p_key))
        ), counted AS (
            INSERT INTO quota_usage AS u (quota_id, period_start, used)
            SELECT a.id, a.period_start, p_amount FROM applicable AS a WHERE a.action = 'alert' OR p_amount <= a.limit_credits
            ON CONFLICT (quota_id, period_start) DO UPDATE SET used = u.used + EXCLUDED.used
            WHERE u.used + EXCLUDED.used <= (SELECT a.limit_credits FROM applicable AS a WHERE a.id = u.quota_id)
               OR (SELECT a.action FROM applicable AS a WHERE a.id = u.quota_id) = 'alert'
            RETURNING u.quota_id, u.period_start, u.used
        ), charged AS (
            INSERT INTO quota_charges (job_id, quota_id, period_start, amount)
            SELECT p_job, c.quota_id, c.period_start, p_amount FROM counted AS c
        )
        SELECT a.id, a.subject_type, a.subject_id, a.limit_credits, a.action, a.resets_at, c.used AS used_after,
               coalesce((SELECT u.used FROM quota_usage AS u WHERE u.quota_id = a.id AND u.period_start = a.period_start), 0)::int8
                   AS used_before
        FROM applicable AS a LEFT JOIN counted AS c ON c.quota_id = a.id
        ORDER BY (c.used IS NULL) DESC, a.subject_type, a.id
    LOOP
        IF charge.used_after IS NULL THEN
            RETURN QUERY SELECT charge.id, charge.subject_type, charge.subject_id, charge.limit_credits, charge.used_before,
                charge.resets_at, NULL::integer;
            RETURN;
        END IF;
        IF charge.action = 'alert' THEN
            alerts := alerts || charge.id;
        END IF;
    END LOOP;
    IF cardinality(alerts) = 0 THEN
        RETURN;
    END IF;
    -- The counters are locked by the charge above, so each threshold is marked (and audited) once per period.
    RETURN QUERY
    WITH current AS (
        SELECT u.quota_id, u.period_start, u.used, q.limit_credits, q.subject_type, q.subject_id, p.resets_at,
               u.alerted_80, u.alerted_100
        FROM quota_usage AS u
        JOIN quotas AS q ON q.id = u.quota_id
        JOIN teams AS t ON t.id = q.team_id
        CROSS JOIN LATERAL quota_period_bounds(q.period, t.time_zone) AS p
        WHERE u.quota_id = ANY (alerts) AND u.period_start = p.period_start
    ), crossed AS (
        SELECT c.*, x.percent
        FROM current AS c
        CROSS JOIN LATERAL (VALUES
            (80, NOT c.alerted_80 AND c.used * 100 >= c.limit_credits * 80),
            (100, NOT c.alerted_100 AND c.used >= c.limit_credits)
        ) AS x (percent, newly)
        WHERE x.newly
    ), marked AS (
        UPDATE quota_usage AS u
        SET alerted_80 = u.alerted_80 OR c.used * 100 >= c.limit_credits * 80,
            alerted_100 = u.alerted_100 OR c.used >= c.limit_credits
        FROM current AS c
        WHERE u.quota_id = c.quota_id AND u.period_start = c.period_start
          AND EXISTS (SELECT 1 FROM crossed AS x WHERE x.quota_id = c.quota_id)
    ), audited AS (
        INSERT INTO audit_events (actor_user, actor_key, team_id, action, target_type, target_id, detail)
        SELECT p_user, p_key, p_team, 'quota.threshold', 'quota', x.quota_id::text,
               jsonb_build_object('threshold_percent', x.percent, 'used', x.used, 'limit', x.limit_credits)
        FROM crossed AS x ORDER BY x.quota_id, x.percent
    )
    SELECT x.quota_id, x.subject_type, x.subject_id, x.limit_credits, x.used, x.resets_at, x.percent
    FROM crossed AS x ORDER BY x.quota_id, x.percent;
END
$$;

-- Places a job's single hold: moves p_amount from the team's available to held credits, if available covers it. A free
-- job (amount 0) gets a hold row but no account movement and no entries, and needs no account row; with a reason (why
-- it is free) it also gets a zero `hold` transaction that says so. Returns whether the hold was placed, whether the job
-- had one already, and the team's balance (after the hold when placed). A concurrent hold of the same job fails on
-- `holds_pkey`.
CREATE FUNCTION ledger_place_hold(p_team uuid, p_job uuid, p_amount int8, p_user uuid, p_key uuid, p_reason text)
RETURNS TABLE (placed boolean, existed boolean, posted int8, held int8) LANGUAGE sql VOLATILE AS $$
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
           coalesce((SELECT held FROM acct), (SELECT held FROM credit_accounts WHERE team_id = p_team), 0)
$$;

-- Admits a job in one statement; returns ONE row whose outcome says what happened:
--   'created'              the job is queued; tokens/capacity/rate: the generation bucket after taking; posted/held: the
--                          team's balance after the hold
--   'replayed'             the same Idempotency-Key and request as job_id
--   'in_flight'            the same key is being admitted by another transaction
--   'key_reused'           the same key with another request
--   'rate_limited'         the bucket is empty; tokens/capacity/rate: its level now
--   'quota_exceeded'       quota_* name the first blocking quota at its limit and its usage
--   'insufficient_credits' posted/held: the balance that did not cover p_quote
--   'hold_exists'          the job id already has a hold
-- Every refusal leaves nothing behind: the writes run in a block whose exception handler rolls them back, so a quota's
-- refusal gives the bucket token and the other quotas' counts back, and no credits move. The bucket key and the
-- policy defaults come from the service (RateLimitPolicy); p_credits_low is `webhooks.credits_low_threshold`.
CREATE FUNCTION admit_job(
    p_job uuid, p_kind text, p_user uuid, p_team uuid, p_key uuid, p_project uuid, p_request jsonb,
    p_idempotency_key text, p_request_hash text, p_max_attempts integer, p_quote int8, p_hold_reason text,
    p_bucket text, p_policy text, p_capacity float8, p_rate float8, p_credits_low int8
) RETURNS TABLE (
    outcome text, job_id uuid, created_at timestamptz, tokens float8, capacity float8, rate float8,
    quota_id uuid, quota_subject_type text, quota_subject_id uuid, quota_limit int8, quota_used int8,
    quota_resets_at timestamptz, posted int8, held int8
) LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    replay record;
    bucket record;
    charge record;
    refusal record;
    hold record;
    created timestamptz;
BEGIN
    IF p_idempotency_key IS NOT NULL THEN
        SELECT * INTO replay FROM admission_replay(p_user, p_idempotency_key, p_request_hash);
        IF replay.outcome IS NOT NULL THEN
            RETURN QUERY SELECT replay.outcome, replay.job_id, NULL::timestamptz, NULL::float8, NULL::float8, NULL::float8,
                NULL::uuid, NULL::text, NULL::uuid, NULL::int8, NULL::int8, NULL::timestamptz, NULL::int8, NULL::int8;
            RETURN;
        END IF;
    END IF;
    BEGIN
        SELECT * INTO bucket FROM rate_bucket_take(p_bucket, p_policy, p_team, NULL, p_capacity, p_rate, 1);
        IF NOT FOUND THEN
            SELECT * INTO bucket FROM rate_bucket_level(p_bucket, p_policy, p_team, NULL, p_capacity, p_rate);
            RETURN QUERY SELECT 'rate_limited'::text, NULL::uuid, NULL::timestamptz, bucket.tokens, bucket.capacity, bucket.rate,
                NULL::uuid, NULL::text, NULL::uuid, NULL::int8, NULL::int8, NULL::timestamptz, NULL::int8, NULL::int8;
            RETURN;
        END IF;
        FOR charge IN SELECT * FROM quota_charge(p_team, p_user, p_key, p_job, p_quote) LOOP
            IF charge.threshold IS NULL THEN
                refusal := charge;
                RAISE EXCEPTION USING ERRCODE = 'MVQ01', MESSAGE = 'quota exceeded';
            END IF;
            PERFORM webhook_enqueue(gen_random_uuid(), p_team, 'quota.threshold', jsonb_build_object(
                'quota_id', charge.quota_id, 'threshold_percent', charge.threshold, 'used', charge.used, 'limit', charge.limit_credits));
        END LOOP;
        SELECT * INTO hold FROM ledger_place_hold(p_team, p_job, p_quote, p_user, p_key, p_hold_reason);
        IF NOT hold.placed THEN
            RAISE EXCEPTION USING ERRCODE = CASE WHEN hold.existed THEN 'MVH02' ELSE 'MVH01' END, MESSAGE = 'hold refused';
        END IF;
        INSERT INTO jobs (id, kind, user_id, team_id, api_key_id, project_id, request, idempotency_key, request_hash,
            max_attempts, quoted)
        VALUES (p_job, p_kind, p_user, p_team, p_key, p_project, p_request, p_idempotency_key, p_request_hash,
            p_max_attempts, p_quote)
        RETURNING jobs.created_at INTO created;
        -- credits.low once per crossing: this hold took available from at least the threshold to below it (the account
        -- row is locked by the hold, so two admissions cannot both cross).
        IF p_credits_low > 0 AND p_quote > 0 AND hold.posted - hold.held < p_credits_low
           AND hold.posted - hold.held + p_quote >= p_credits_low THEN
            PERFORM webhook_enqueue(gen_random_uuid(), p_team, 'credits.low', jsonb_build_object(
                'available', hold.posted - hold.held, 'held', hold.held, 'posted', hold.posted, 'threshold', p_credits_low));
        END IF;
        PERFORM pg_notify('mv_jobs', 'ready');
        RETURN QUERY SELECT 'created'::text, p_job, created, bucket.tokens, bucket.capacity, bucket.rate,
            NULL::uuid, NULL::text, NULL::uuid, NULL::int8, NULL::int8, NULL::timestamptz, hold.posted, hold.held;
    EXCEPTION
        WHEN SQLSTATE 'MVQ01' THEN
            RETURN QUERY SELECT 'quota_exceeded'::text, NULL::uuid, NULL::timestamptz, NULL::float8, NULL::float8, NULL::float8,
                refusal.quota_id, refusal.subject_type, refusal.subject_id, refusal.limit_credits, refusal.used, refusal.resets_at,
                NULL::int8, NULL::int8;
        WHEN SQLSTATE 'MVH01' THEN
            -- A new statement: its snapshot sees a concurrent hold this one waited for.
            RETURN QUERY SELECT 'insufficient_credits'::text, NULL::uuid, NULL::timestamptz, NULL::float8, NULL::float8, NULL::float8,
                NULL::uuid, NULL::text, NULL::uuid, NULL::int8, NULL::int8, NULL::timestamptz,
                coalesce((SELECT a.posted FROM credit_accounts AS a WHERE a.team_id = p_team), 0)::int8,
                coalesce((SELECT a.held FROM credit_accounts AS a WHERE a.team_id = p_team), 0)::int8;
        WHEN SQLSTATE 'MVH02' THEN
            RETURN QUERY SELECT 'hold_exists'::text, p_job, NULL::timestamptz, NULL::float8, NULL::float8, NULL::float8,
                NULL::uuid, NULL::text, NULL::uuid, NULL::int8, NULL::int8, NULL::timestamptz, NULL::int8, NULL::int8;
    END;
END
$$;
