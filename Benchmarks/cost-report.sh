#!/usr/bin/env bash
# Benchmark: cost reports over 1,000,000 ledger entries (250,000 jobs: hold + capture or release, 4 entries each,
# spread over 35 days, 20 teams, 200 users, every job kind and catalog model), served by a running server on its
# embedded PostgreSQL. Each report is timed with curl next to two baselines measured in the same run: the same
# server's GET /healthz, and a bare SQL aggregate over the same ledger rows through psql on the same cluster.
# Also checks that the report's credits_charged total equals the ledger's captures in the range.
# Usage: Benchmarks/cost-report.sh [repetitions, default 5]
#   MV_BENCH_BUILD=release builds and uses a release binary (.build-release); default: the debug build in .build.
#   MV_BENCH_HOLD=1 keeps the seeded server and cluster up after the timings (prints the psql command) until
#   <work dir>/hold is removed, for EXPLAIN ANALYZE by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-5}
PORT=${MV_BENCH_PORT:-18181}
B=http://127.0.0.1:$PORT

if [ "${MV_BENCH_BUILD:-debug}" = release ]; then
  swift build -c release --product mvservice --scratch-path .build-release 2>&1 | tail -1
  BIN=.build-release/release/mvservice
else
  swift build --product mvservice 2>&1 | tail -1
  BIN=.build/debug/mvservice
fi

source scripts/lib/bench-server.sh
start_bench_server mvcostbench

PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h "$WORK/data/postgres" -p 5432 -U postgres -d mvservice)
if [ "$(id -u)" -eq 0 ]; then PSQL=(runuser -u postgres -- "${PSQL[@]}"); fi

echo "seeding 1,000,000 ledger entries ..."
SEED_START=$(date +%s.%N)
"${PSQL[@]}" <<'SQL'
SET synchronous_commit = off;
INSERT INTO users (id, email, password_hash)
SELECT md5('user' || u)::uuid, 'bench-user-' || u || '@example.com', 'x' FROM generate_series(1, 200) AS u;
INSERT INTO teams (id, name, created_by)
SELECT md5('team' || t)::uuid, 'Bench team ' || t, md5('user' || (t * 10))::uuid FROM generate_series(1, 20) AS t;
INSERT INTO memberships (team_id, user_id, role)
SELECT md5('team' || ((u - 1) / 10 + 1))::uuid, md5('user' || u)::uuid, CASE WHEN u % 10 = 0 THEN 'owner' ELSE 'member' END
FROM generate_series(1, 200) AS u;
UPDATE users AS u SET default_team_id = m.team_id FROM memberships AS m WHERE m.user_id = u.id;
-- The models the jobs name (kind, provider, model), as in configs/models.yaml.
CREATE TEMP TABLE bench_models (n int, kind text, provider text, model text);
INSERT INTO bench_models VALUES
  (0, 'generate_video', 'replicate', 'google/veo-3.1'), (1, 'generate_video', 'replicate', 'google/veo-3.1-fast'),
  (2, 'generate_video', 'mock', 'mock-video'), (3, 'generate_character_reference', 'replicate', 'google/imagen-4'),
  (4, 'generate_character_reference', 'mock', 'mock-image'), (5, 'create_scenes', 'gemini', 'gemini-2.5-flash'),
  (6, 'create_scenes', 'gemini', 'gemini-2.5-pro'), (7, 'create_scenes', 'mock', 'mock-scenes');
CREATE TEMP TABLE bench_jobs AS
SELECT md5('job' || i)::uuid AS id, m.kind, m.provider, m.model,
       CASE WHEN (i / 7) % 100 < 90 THEN 'succeeded' WHEN (i / 7) % 100 < 97 THEN 'failed' ELSE 'canceled' END AS state,
       md5('user' || (i % 200 + 1))::uuid AS user_id, md5('team' || ((i % 200) / 10 + 1))::uuid AS team_id,
       (4 + i % 17)::int8 AS quoted,
       now() - (i::float8 / 250000) * interval '35 days' AS created_at, i
FROM generate_series(1, 250000) AS i JOIN bench_models AS m ON m.n = (i / 200) % 8;
INSERT INTO jobs (id, kind, state, user_id, team_id, request, quoted, charged, released, provider_name, provider_model,
                  usage_video_seconds, usage_images, usage_input_tokens, usage_output_tokens, progress, stage,
                  created_at, finished_at)
SELECT id, kind, state, user_id, team_id, '{}'::jsonb, quoted,
       CASE WHEN state = 'succeeded' THEN quoted ELSE 0 END, CASE WHEN state = 'succeeded' THEN 0 ELSE quoted END,
       provider, model,
       CASE WHEN state = 'succeeded' AND kind = 'generate_video' THEN quoted END,
       CASE WHEN state = 'succeeded' AND kind = 'generate_character_reference' THEN 1 + i % 4 END,
       CASE WHEN state = 'succeeded' AND kind = 'create_scenes' THEN 300 + i % 500 END,
       CASE WHEN state = 'succeeded' AND kind = 'create_scenes' THEN 1500 + i % 2000 END,
       1, 'done', created_at, created_at + interval '1 minute'
FROM bench_jobs;
INSERT INTO holds (job_id, team_id, amount, status, captured, released, created_at, resolved_at, user_id)
SELECT id, team_id, quoted, CASE WHEN state = 'succeeded' THEN 'captured' ELSE 'released' END,
       CASE WHEN state = 'succeeded' THEN quoted ELSE 0 END, CASE WHEN state = 'succeeded' THEN 0 ELSE quoted END,
       created_at, created_at + interval '1 minute', user_id
FROM bench_jobs;
-- Grants: one balanced transaction per team.
INSERT INTO ledger_entries (transaction_id, account, team_id, kind, amount, reason, created_at)
SELECT md5('grant' || t)::uuid, v.account, CASE WHEN v.account = 'issued' THEN NULL ELSE md5('team' || t)::uuid END, 'grant',
       v.amount, 'bench', now() - interval '40 days'
FROM generate_series(1, 20) AS t CROSS JOIN (VALUES ('issued', -100000000::int8), ('available', 100000000::int8)) AS v (account, amount);
-- Per job: the hold transaction, then a capture of the whole hold (succeeded) or a release of it (failed, canceled),
-- 2 entries each, in the Ledger's shape.
INSERT INTO ledger_entries (transaction_id, account, team_id, kind, amount, job_id, user_id, created_at)
SELECT md5(j.id::text || v.tx)::uuid, v.account, CASE WHEN v.account = 'revenue' THEN NULL ELSE j.team_id END, v.kind,
       v.sign * j.quoted, j.id, j.user_id, j.created_at + CASE WHEN v.kind = 'hold' THEN interval '0' ELSE interval '1 minute' END
FROM bench_jobs AS j CROSS JOIN LATERAL (VALUES
    ('hold', 'available', 'hold', -1), ('hold', 'held', 'hold', 1),
    ('resolve', 'held', CASE WHEN j.state = 'succeeded' THEN 'capture' ELSE 'release' END, -1),
    ('resolve', CASE WHEN j.state = 'succeeded' THEN 'revenue' ELSE 'available' END,
                CASE WHEN j.state = 'succeeded' THEN 'capture' ELSE 'release' END, 1)
) AS v (tx, account, kind, sign);
SQL
# Account rows equal to their entries, and fresh statistics.
"${PSQL[@]}" <<'SQL'
INSERT INTO credit_accounts (team_id, posted, held)
SELECT team_id, sum(amount), coalesce(sum(amount) FILTER (WHERE account = 'held'), 0)
FROM ledger_entries WHERE team_id IS NOT NULL GROUP BY team_id;
VACUUM ANALYZE jobs;
VACUUM ANALYZE ledger_entries;
VACUUM ANALYZE holds;
SQL
SEED_END=$(date +%s.%N)
ENTRIES=$("${PSQL[@]}" -At -c "SELECT count(*) FROM ledger_entries")
printf 'seeded %s ledger entries in %.0f s\n' "$ENTRIES" "$(echo "$SEED_END - $SEED_START" | bc)"

# A platform admin and the owner of team 1, with tokens.
"$BIN" admin create-user "${ARGS[@]}" --email bench-admin@example.com --password benchmark-password --platform-admin >/dev/null
login() {
  curl -fs -X POST "$B/api/auth/login" -H 'content-type: application/json' -d "{\"email\":\"$1\",\"password\":\"benchmark-password\"}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
ADMIN=$(login bench-admin@example.com)
"${PSQL[@]}" -c "UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE email = 'bench-admin@example.com') WHERE email = 'bench-user-10@example.com'"
OWNER=$(login bench-user-10@example.com)
TEAM=$("${PSQL[@]}" -At -c "SELECT md5('team1')::uuid")

FROM=$(date -u -d '30 days ago' +%F)
TO=$(date -u +%F)
RANGE="from=$FROM&to=$TO"

# Reconciliation: the report's total equals the ledger's captures in [FROM, TO) (UTC midnights).
LEDGER=$("${PSQL[@]}" -At -c "SELECT -sum(amount) FROM ledger_entries WHERE kind = 'capture' AND account = 'held'
  AND created_at >= '$FROM'::date::timestamp AT TIME ZONE 'UTC' AND created_at < '$TO'::date::timestamp AT TIME ZONE 'UTC'")
REPORT=$(curl -fs "$B/api/admin/reports/costs?$RANGE&group_by=team,model,day" -H "authorization: Bearer $ADMIN" \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["totals"]["credits_charged"], len(d["rows"]), d["truncated"])')
CSVSUM=$(curl -fs "$B/api/admin/reports/costs?$RANGE&group_by=team,model,day&format=csv" -H "authorization: Bearer $ADMIN" \
  | python3 -c 'import csv,sys; r=list(csv.DictReader(sys.stdin)); print(sum(int(x["credits_charged"]) for x in r), len(r))')
echo "ledger captures in [$FROM, $TO): $LEDGER; report JSON total, rows, truncated: $REPORT; CSV sum, rows: $CSVSUM"
[ "${REPORT%% *}" = "$LEDGER" ] && [ "${CSVSUM%% *}" = "$LEDGER" ] || { echo "MISMATCH"; exit 1; }

median_max() { sort -n | awk '{a[NR]=$1} END {printf "%.3f %.3f\n", a[int((NR+1)/2)], a[NR]}'; }
time_curl() { # token, url
  for _ in $(seq 1 "$REPS"); do
    curl -fs -o /dev/null -w '%{time_total}\n' "$2" -H "authorization: Bearer $1"
  done | median_max
}
time_sql() {
  for _ in $(seq 1 "$REPS"); do
    local start end
    start=$(date +%s.%N)
    "${PSQL[@]}" -At -c "$1" >/dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc
  done | median_max
}
row() { printf '| %-66s | %8s | %8s | %7s |\n' "$1" "$2" "$3" "$4"; }
rows_of() { curl -fs "$1" -H "authorization: Bearer $2" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["rows"]))'; }
csv_rows_of() { curl -fs "$1" -H "authorization: Bearer $2" | tail -n +2 | wc -l; }

echo
echo "$ENTRIES ledger entries, 30-day range, $REPS runs each, $(basename "$(dirname "$BIN")") build, server + PostgreSQL on $(nproc) shared cores"
echo
echo "| request                                                            | median s |    max s |    rows |"
echo "|--------------------------------------------------------------------|---------:|---------:|--------:|"
read -r m x < <(time_curl "$ADMIN" "$B/healthz"); row "GET /healthz (baseline)" "$m" "$x" "-"
SQL_BASE="SELECT count(*), sum(amount) FROM ledger_entries WHERE account = 'held' AND kind IN ('capture', 'release')
  AND created_at >= '$FROM'::date::timestamp AT TIME ZONE 'UTC' AND created_at < '$TO'::date::timestamp AT TIME ZONE 'UTC'"
read -r m x < <(time_sql "$SQL_BASE"); row "psql: count+sum of the range's held capture/release entries (baseline)" "$m" "$x" "1"
for spec in "admin|group_by=team,model,day|json" "admin|group_by=team,model,day|csv" "admin|group_by=|json" \
            "admin|group_by=team,user,api_key,provider,model,kind,day|json" "admin|group_by=team,user,api_key,provider,model,kind,day|csv" \
            "team|group_by=user,day|json" "team|group_by=user,day|csv"; do
  IFS='|' read -r who group format <<<"$spec"
  if [ "$who" = admin ]; then URL="$B/api/admin/reports/costs?$RANGE&$group&format=$format"; TOKEN=$ADMIN
  else URL="$B/api/teams/$TEAM/reports/costs?$RANGE&$group&format=$format"; TOKEN=$OWNER; fi
  if [ "$format" = csv ]; then N=$(csv_rows_of "$URL" "$TOKEN"); else N=$(rows_of "$URL" "$TOKEN"); fi
  read -r m x < <(time_curl "$TOKEN" "$URL")
  path=${URL#"$B"}
  row "$(sed "s/?from=[0-9-]*&to=[0-9-]*&/? /" <<<"$path")" "$m" "$x" "$N"
done

if [ -n "${MV_BENCH_HOLD:-}" ]; then
  echo "holding: ${PSQL[*]}; remove $WORK/hold to finish"
  touch "$WORK/hold"
  while [ -e "$WORK/hold" ]; do sleep 1; done
fi

echo
echo "example: the first lines of GET /api/teams/{id}/reports/costs?$RANGE&group_by=user,day&format=csv"
curl -fs "$B/api/teams/$TEAM/reports/costs?$RANGE&group_by=user,day&format=csv" -H "authorization: Bearer $OWNER" | head -4 || true
