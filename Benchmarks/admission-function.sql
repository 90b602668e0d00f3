-- pgbench: one admission as the service issues it, the single admit_job statement (sql/018, without its NOTIFY since sql/020). scripts/bench.sh fills
-- in the user, team and quote; the job id and key come from two random numbers per transaction.
-- @REQUEST@ is the request the service stored for the benchmark's body, so the job rows are the same.
-- (pgbench reads a ":" before a letter or digit as a variable, even inside quotes: hence ':' || 'user'.)
\set a random(0, 2147483647)
\set b random(0, 2147483647)
SELECT * FROM admit_job((lpad(to_hex(:a::int8), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(:b::int8), 12, '0'))::uuid, 'generate_video',
    '@USER@', '@TEAM@', NULL, NULL, '@REQUEST@', 'pgbench-' || :a::int8 || '-' || :b::int8, 'pgbench', 3, @QUOTE@,
    NULL, 'generate' || ':' || 'user' || ':' || '@USER@', 'generate', 1e9, 1e6, 0, NULL);
