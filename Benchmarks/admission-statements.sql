-- pgbench: the writes of one admission issued statement by statement in a transaction, the way admission ran before
-- admit_job (sql/018): key lock, key lookup, generation bucket, quotas, hold, job row, NOTIFY. scripts/bench.sh fills
-- in the user, team and quote (the service's quote for the benchmark's request) and also runs it without the NOTIFY
-- line (admission commits without one since sql/020); the job id and key come from two random numbers per transaction.
-- @REQUEST@ is the request the service stored for the benchmark's body, so the job rows are the same.
-- (pgbench reads a ":" before a letter or digit as a variable, even inside quotes: hence ':' || 'user'.)
\set a random(0, 2147483647)
\set b random(0, 2147483647)
BEGIN;
SELECT idempotency_lock('@USER@', 'pgbench-' || :a::int8 || '-' || :b::int8);
SELECT id, request_hash FROM jobs WHERE user_id = '@USER@' AND idempotency_key = 'pgbench-' || :a::int8 || '-' || :b::int8;
SELECT * FROM rate_bucket_take('generate' || ':' || 'user' || ':' || '@USER@', 'generate', '@TEAM@', NULL, 1e9, 1e6, 1);
SELECT * FROM quota_charge('@TEAM@', '@USER@', NULL, (lpad(to_hex(:a::int8), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(:b::int8), 12, '0'))::uuid, @QUOTE@);
SELECT * FROM ledger_place_hold('@TEAM@', (lpad(to_hex(:a::int8), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(:b::int8), 12, '0'))::uuid, @QUOTE@, '@USER@', NULL, NULL);
INSERT INTO jobs (id, kind, user_id, team_id, request, idempotency_key, request_hash, max_attempts, quoted)
VALUES ((lpad(to_hex(:a::int8), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(:b::int8), 12, '0'))::uuid, 'generate_video', '@USER@', '@TEAM@',
    '@REQUEST@', 'pgbench-' || :a::int8 || '-' || :b::int8, 'pgbench', 3, @QUOTE@);
SELECT pg_notify('mv_jobs', 'ready');
COMMIT;
