-- Admission without a subtransaction and without a NOTIFY (issue 11).
--
-- NOTIFY: PostgreSQL serialises the commits of every transaction that notifies. PreCommit_Notify takes one
-- cluster-wide lock (AccessExclusiveLock on database 0) and holds it until the transaction has ended, WAL flush
-- included, so with `pg_notify` in admit_job the admissions of all teams committed one at a time, one fsync each
-- (pgbench of a one-row insert on this cluster: 5,400-6,500 tps alone, 1,140-1,250 tps with a NOTIFY beside it). The
-- service now wakes the workers after the commit, one NOTIFY per burst of admissions (`ReadyNotifier`); a wake-up lost
-- in a crash costs the workers' poll interval (`jobs.poll_interval`), never a job.
--
-- Subtransaction: sql/018 ran the writes in a block with an EXCEPTION clause, which starts a subtransaction (and
-- assigns it an XID once it writes) on every admission, refused or not. A refusal found after the first write (a
-- blocking quota, too few credits, a hold that exists) now raises an error that aborts the whole statement, so
-- PostgreSQL rolls back everything the admission wrote (and, inside a caller's transaction, the transaction): still
-- all-or-nothing, now without a subtransaction on the path that admits. The error's SQLSTATE names the refusal and
-- its DETAIL carries the figures as JSON:
--   MVQ01 quota_exceeded        {"quota_id", "subject_type", "subject_id", "limit", "used", "resets_at"}
--   MVH01 insufficient_credits  {"posted", "held"} (the balance under the account's row lock)
--   MVH02 hold_exists           {}
-- A refusal before the job row is written (the standing, the key in flight or reused) returns its row, and so does an
-- empty bucket, after deleting the job row the function wrote first (see below).
-- The answer row is assigned and returned with RETURN NEXT rather than RETURN QUERY (no extra statement).
--
-- Standing: a new last argument, p_roles. When the service admits on a principal it took from its standing cache, it
-- passes the roles that may generate, and admit_job checks first, in the same statement, that the user is not disabled
-- and is a member of the team in one of them ('standing_changed' otherwise, before anything else). So admission needs
-- no standing query of its own and is still exact: a disabled user or demoted member is refused by the very statement
-- that would admit. NULL when the service looked the standing up exactly already (API keys).
DROP FUNCTION admit_job(uuid, text, uuid, uuid, uuid, uuid, jsonb, text, text, integer, int8, text, text, text, float8, float8, int8);

-- Admits a job in one statement; returns ONE row whose outcome says what happened:
--   'created'              the job is queued; tokens/capacity/rate: the generation bucket after taking; posted/held: the
--                          team's balance after the hold
--   'replayed'             the same Idempotency-Key and request as job_id
--   'in_flight'            the same key is being admitted by another transaction
--   'key_reused'           the same key with another request
--   'rate_limited'         the bucket is empty; tokens/capacity/rate: its level now
--   'standing_changed'     p_roles is set and the user is disabled, gone, or not a member of the team in one of them
-- or raises MVQ01, MVH01 or MVH02 (above), which rolls back every write of the admission. The bucket key and the policy
-- defaults come from the service (RateLimitPolicy); p_credits_low is `webhooks.credits_low_threshold`.
CREATE FUNCTION admit_job(
    p_job uuid, p_kind text, p_user uuid, p_team uuid, p_key uuid, p_project uuid, p_request jsonb,
    p_idempotency_key text, p_request_hash text, p_max_attempts integer, p_quote int8, p_hold_reason text,
    p_bucket text, p_policy text, p_capacity float8, p_rate float8, p_credits_low int8, p_roles text[]
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
    hold record;
BEGIN
    IF p_roles IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM users AS u JOIN memberships AS m ON m.user_id = u.id AND m.team_id = p_team
        WHERE u.id = p_user AND NOT u.disabled AND m.role = ANY (p_roles)
    ) THEN
        outcome := 'standing_changed';
        RETURN NEXT;
        RETURN;
    END IF;
    IF p_idempotency_key IS NOT NULL THEN
        SELECT * INTO replay FROM admission_replay(p_user, p_idempotency_key, p_request_hash);
        IF replay.outcome IS NOT NULL THEN
            outcome := replay.outcome;
            job_id := replay.job_id;
            RETURN NEXT;
            RETURN;
        END IF;
    END IF;
    -- The job row first, before the rows other admissions of the team wait for (its bucket, its quotas, its account):
    -- those stay locked until the commit, so taking them last keeps the time a team's admissions queue behind one
    -- another short (pgbench-style runs, one team: about a tenth more admissions per second).
    INSERT INTO jobs (id, kind, user_id, team_id, api_key_id, project_id, request, idempotency_key, request_hash,
        max_attempts, quoted)
    VALUES (p_job, p_kind, p_user, p_team, p_key, p_project, p_request, p_idempotency_key, p_request_hash,
        p_max_attempts, p_quote)
    ON CONFLICT (id) DO NOTHING
    RETURNING jobs.created_at INTO created_at;
    IF NOT FOUND THEN
        -- The job id is taken: its job has its hold already.
        RAISE EXCEPTION USING ERRCODE = 'MVH02', MESSAGE = 'hold exists', DETAIL = '{}';
    END IF;
    -- An empty bucket answers with a row, after taking the job row back: nothing of the admission remains.
    SELECT * INTO bucket FROM rate_bucket_take(p_bucket, p_policy, p_team, NULL, p_capacity, p_rate, 1);
    IF NOT FOUND THEN
        SELECT * INTO bucket FROM rate_bucket_level(p_bucket, p_policy, p_team, NULL, p_capacity, p_rate);
        DELETE FROM jobs WHERE id = p_job;
        outcome := 'rate_limited';
        tokens := bucket.tokens;
        capacity := bucket.capacity;
        rate := bucket.rate;
        RETURN NEXT;
        RETURN;
    END IF;
    -- From here on a refusal raises: the statement fails and everything above is rolled back with it.
    FOR charge IN SELECT * FROM quota_charge(p_team, p_user, p_key, p_job, p_quote) LOOP
        IF charge.threshold IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'MVQ01', MESSAGE = 'quota exceeded', DETAIL = jsonb_build_object(
                'quota_id', charge.quota_id, 'subject_type', charge.subject_type, 'subject_id', charge.subject_id,
                'limit', charge.limit_credits, 'used', charge.used,
                'resets_at', to_char(charge.resets_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text;
        END IF;
        PERFORM webhook_enqueue(gen_random_uuid(), p_team, 'quota.threshold', jsonb_build_object(
            'quota_id', charge.quota_id, 'threshold_percent', charge.threshold, 'used', charge.used, 'limit', charge.limit_credits));
    END LOOP;
    SELECT * INTO hold FROM ledger_place_hold(p_team, p_job, p_quote, p_user, p_key, p_hold_reason);
    IF NOT hold.placed THEN
        IF hold.existed THEN
            RAISE EXCEPTION USING ERRCODE = 'MVH02', MESSAGE = 'hold exists', DETAIL = '{}';
        END IF;
        -- The balance as it stands under the account's row lock (a new statement sees a hold this one waited for).
        RAISE EXCEPTION USING ERRCODE = 'MVH01', MESSAGE = 'insufficient credits', DETAIL = (
            SELECT jsonb_build_object('posted', coalesce(max(a.posted), 0), 'held', coalesce(max(a.held), 0))
            FROM credit_accounts AS a WHERE a.team_id = p_team)::text;
    END IF;
    -- credits.low once per crossing: this hold took available from at least the threshold to below it (the account
    -- row is locked by the hold, so two admissions cannot both cross).
    IF p_credits_low > 0 AND p_quote > 0 AND hold.posted - hold.held < p_credits_low
       AND hold.posted - hold.held + p_quote >= p_credits_low THEN
        PERFORM webhook_enqueue(gen_random_uuid(), p_team, 'credits.low', jsonb_build_object(
            'available', hold.posted - hold.held, 'held', hold.held, 'posted', hold.posted, 'threshold', p_credits_low));
    END IF;
    outcome := 'created';
    job_id := p_job;
    tokens := bucket.tokens;
    capacity := bucket.capacity;
    rate := bucket.rate;
    posted := hold.posted;
    held := hold.held;
    RETURN NEXT;
END
$$;
