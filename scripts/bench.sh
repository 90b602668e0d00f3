#!/usr/bin/env bash
# Benchmark of the hot paths, each next to a baseline measured in the same run on the same machine:
#   - GET /healthz (the server's floor), GET /api/jobs/{id} (auth + api rate limit + read), and admission
#     (POST /api/mv/generate_video, mock backend, workers off so jobs stay queued) for 8 teams and for 1 team;
#   - pgbench on the service's own cluster: one PK SELECT of a job row, and the admission's writes issued statement by
#     statement in a transaction (8 teams, 1 team; without and with the per-admission NOTIFY admission used to commit),
#     plus the one-statement admit_job function itself;
#   - closed loop (wrk: as fast as 16 connections go) and open loop (mvload: a fixed rate, latency from each request's
#     scheduled time, so coordinated omission cannot hide the tail).
# Prints the tables and the ratios service / PostgreSQL limit.
# Usage: scripts/bench.sh [seconds-per-run, default 15] [connections, default 16]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15}
CONNECTIONS=${2:-16}
PORT=${MV_BENCH_PORT:-18080}
B=http://127.0.0.1:$PORT

source scripts/lib/bench-server.sh
build_bench_binaries
if ! command -v wrk >/dev/null 2>&1; then
  SUDO=$([ "$(id -u)" -eq 0 ] || echo sudo)
  $SUDO apt-get install -y -qq wrk >/dev/null 2>&1 || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk >/dev/null; }
fi
start_bench_server mvbench

# USERS users, each with its own team, credits and one queued job (spreads the per-team account row lock).
USERS=${MV_BENCH_USERS:-8}
TOKENS=""
PATHS=""
for i in $(seq 1 "$USERS"); do
  REG=$(curl -fs -X POST "$B/api/auth/register" -H 'content-type: application/json' \
    -d "{\"email\":\"bench$i@example.com\",\"password\":\"benchmark-password\"}")
  TOKEN=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' <<<"$REG")
  TEAM=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["team"]["id"])' <<<"$REG")
  "$BIN" admin grant-credits "${ARGS[@]}" --team "$TEAM" --amount 1000000000 >/dev/null
  JOB=$(curl -fs -X POST "$B/api/mv/generate_video" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d '{"prompt":"benchmark clip","duration":2,"backend":"mock"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  TOKENS="$TOKENS${TOKENS:+,}$TOKEN"
  USER_ID=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["user"]["id"])' <<<"$REG")
  PAIRS="${PAIRS:-}${PAIRS:+ }$USER_ID:$TEAM"
  PATHS="$PATHS${PATHS:+,}/api/jobs/$JOB"
done

export MV_BENCH_TOKENS=$TOKENS MV_BENCH_PATHS=$PATHS MV_BENCH_RUN=$(date +%s)
FIRST_TOKEN=${TOKENS%%,*}
declare -A RPS
run() { # key, name, wrk args...
  local key=$1 name=$2; shift 2
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '| %-46s | %10s | %9s | %9s | %7s |\n' "$name" "$rps" "$p50" "$p99" "${errors:-0}"
  RPS[$key]=$rps
}
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$1" "$2" 2>/dev/null || echo '?'; }

echo
echo "Closed loop: wrk -t2 -c$CONNECTIONS -d${DURATION}s, $USERS users (one team each), release build; server + PostgreSQL + load on $(nproc) cores"
echo
echo "| endpoint                                       |  req/s     |   p50     |   p99     | non-2xx |"
echo "|------------------------------------------------|-----------:|----------:|----------:|--------:|"
run healthz "GET /healthz (baseline)" "$B/healthz"
run read "GET /api/jobs/{id} (auth + rate limit + read)" -s Benchmarks/get.lua "$B"
run admit8 "POST /api/mv/generate_video, $USERS teams" -s Benchmarks/submit.lua "$B"
MV_BENCH_TOKENS=$FIRST_TOKEN run admit1 "POST /api/mv/generate_video, 1 team" -s Benchmarks/submit.lua "$B"

# The same cluster's own limits, same connections and time: pgbench, prepared statements.
PGBENCH=$(ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -1)
PSQL=$(dirname "$PGBENCH")/psql
pgb() { # script files...; prints tps, or "?" with pgbench's complaint on stderr
  local files=() out
  for f in "$@"; do files+=(-f "$f"); done
  out=$("$PGBENCH" -h "$WORK/data/postgres" -U postgres -n -M prepared -c "$CONNECTIONS" -j 2 -T "$DURATION" "${files[@]}" mvservice 2>&1) || true
  awk '/^tps/ {print $3; found=1; exit} END {if (!found) print "?"}' <<<"$out"
  grep -q '^tps' <<<"$out" || grep -m 3 -iE 'error|invalid|fatal' <<<"$out" >&2
}
FIRST_JOB=${PATHS%%,*}
FIRST_JOB=${FIRST_JOB##*/}
# The closed-loop admissions grew the jobs table from 8 rows to tens of thousands within seconds. Statistics as
# autovacuum would have them within its next round (a minute): the service's cached read plans were made when the
# table held 8 rows (sequential scans), and PostgreSQL replaces them when ANALYZE changes the table's statistics.
"$PSQL" -h "$WORK/data/postgres" -U postgres -qc "ANALYZE" mvservice
QUOTE=$("$PSQL" -h "$WORK/data/postgres" -U postgres -Atc "SELECT quoted FROM jobs WHERE id = '$FIRST_JOB'" mvservice)
# The request the service stored for the benchmark's body (its validated spec, with the filled-in prompt): the
# templates insert exactly these bytes, so the baseline writes the same rows. A ':' before a letter or digit would be
# a pgbench variable, so it is written as the JSON escape \u003a (the same jsonb value).
"$PSQL" -h "$WORK/data/postgres" -U postgres -Atc "SELECT request::text FROM jobs WHERE id = '$FIRST_JOB'" mvservice > "$WORK/request.json"
fill() { # template user team output
  python3 - "$@" "$QUOTE" "$WORK/request.json" <<'PY'
import re, sys
template, user, team, output, quote, request = sys.argv[1:7]
body = open(request).read().strip()
body = re.sub(r':(?=[A-Za-z0-9])', r'\\u003a', body).replace("'", "''")
text = open(template).read().replace('@USER@', user).replace('@TEAM@', team).replace('@QUOTE@', quote).replace('@REQUEST@', body)
open(output, 'w').write(text)
PY
}
echo "SELECT * FROM jobs WHERE id = '$FIRST_JOB';" > "$WORK/pk.sql"
# One file per team (user:team); pgbench picks one per transaction. A job id and key from two random numbers.
n=0
for pair in $PAIRS; do
  n=$((n + 1))
  user=${pair%%:*} team=${pair##*:}
  fill Benchmarks/admission-statements.sql "$user" "$team" "$WORK/notify$n.sql"
  # The same writes without the NOTIFY: admission no longer notifies in its transaction (sql/020), so this is the
  # limit of exactly the writes it commits.
  grep -v pg_notify "$WORK/notify$n.sql" > "$WORK/statements$n.sql"
  fill Benchmarks/admission-function.sql "$user" "$team" "$WORK/function$n.sql"
done
PK_TPS=$(pgb "$WORK/pk.sql")
STATEMENTS8=$(pgb "$WORK"/statements*.sql)
STATEMENTS1=$(pgb "$WORK/statements1.sql")
NOTIFY8=$(pgb "$WORK"/notify*.sql)
NOTIFY1=$(pgb "$WORK/notify1.sql")
FUNCTION8=$(pgb "$WORK"/function*.sql)
FUNCTION1=$(pgb "$WORK/function1.sql")

echo
echo "| path | service req/s | same-run PostgreSQL limit (pgbench -M prepared -c$CONNECTIONS) | tps | service / limit |"
echo "|---|---:|---|---:|---:|"
echo "| GET /api/jobs/{id} | ${RPS[read]} | one PK SELECT of a job row | $PK_TPS | $(ratio "${RPS[read]}" "$PK_TPS") |"
echo "| admission, $USERS teams | ${RPS[admit8]} | the same writes statement by statement, $USERS teams | $STATEMENTS8 | $(ratio "${RPS[admit8]}" "$STATEMENTS8") |"
echo "| admission, 1 team | ${RPS[admit1]} | the same writes statement by statement, 1 team | $STATEMENTS1 | $(ratio "${RPS[admit1]}" "$STATEMENTS1") |"
echo "| admission, $USERS teams | ${RPS[admit8]} | the same writes statement by statement with a NOTIFY each (the old way), $USERS teams | $NOTIFY8 | $(ratio "${RPS[admit8]}" "$NOTIFY8") |"
echo "| admission, 1 team | ${RPS[admit1]} | the same writes statement by statement with a NOTIFY each (the old way), 1 team | $NOTIFY1 | $(ratio "${RPS[admit1]}" "$NOTIFY1") |"
echo "| admission, $USERS teams | ${RPS[admit8]} | admit_job() alone (one statement), $USERS teams | $FUNCTION8 | $(ratio "${RPS[admit8]}" "$FUNCTION8") |"
echo "| admission, 1 team | ${RPS[admit1]} | admit_job() alone (one statement), 1 team | $FUNCTION1 | $(ratio "${RPS[admit1]}" "$FUNCTION1") |"

# Open loop at a fixed rate: half of what the closed loop reached for the read and for admission (8 teams), with
# /healthz at the same rates as the floor of the load generator itself.
half() { python3 -c "import sys; print(max(1, int(float(sys.argv[1]) / 2)))" "$1"; }
READ_RATE=$(half "${RPS[read]}")
ADMIT_RATE=$(half "${RPS[admit8]}")
open() { # name, mvload args...
  local name=$1; shift
  local out
  out=$("$LOAD" --url "$B" --duration "$DURATION" --connections "$CONNECTIONS" "$@")
  printf '| %-46s | %s |\n' "$name" "$out"
}
echo
echo "Open loop: mvload, fixed rate for ${DURATION}s, at most $CONNECTIONS requests on the wire; latency from each request's scheduled time"
echo
echo "| endpoint | figures |"
echo "|---|---|"
open "GET /healthz at $READ_RATE/s (baseline)" --rate "$READ_RATE" --paths /healthz
open "GET /api/jobs/{id} at $READ_RATE/s" --rate "$READ_RATE" --paths "$PATHS" --tokens "$TOKENS"
open "GET /healthz at $ADMIT_RATE/s (baseline)" --rate "$ADMIT_RATE" --paths /healthz
open "POST /api/mv/generate_video at $ADMIT_RATE/s, $USERS teams" --rate "$ADMIT_RATE" --method POST --paths /api/mv/generate_video \
  --tokens "$TOKENS" --idempotency-prefix "open-$MV_BENCH_RUN" --body '{"prompt":"benchmark clip","duration":2,"backend":"mock"}'

QUEUED=$(curl -fs "$B/metrics" | awk '/^mv_jobs\{state="queued"\}/ {print $2}')
echo
echo "jobs admitted and left queued: ${QUEUED:-?}"
