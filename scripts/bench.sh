#!/usr/bin/env bash
# Benchmark: admission (authenticated POST /api/mv/generate_video, mock backend, workers off so jobs stay queued) and
# GET /api/jobs/{id}, each next to GET /healthz measured in the same run against the same release-build server.
# Usage: scripts/bench.sh [seconds-per-run, default 15] [connections, default 16]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15}
CONNECTIONS=${2:-16}
PORT=${MV_BENCH_PORT:-18080}
B=http://127.0.0.1:$PORT

scripts/install-deps.sh
command -v wrk >/dev/null 2>&1 || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq wrk >/dev/null || sudo apt-get install -y -qq wrk >/dev/null; }
swift build -c release --product mvservice --scratch-path .build-release 2>&1 | tail -1
BIN=.build-release/release/mvservice

source scripts/lib/bench-server.sh
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
    -d '{"prompt":"probe","duration":2,"backend":"mock"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  TOKENS="$TOKENS${TOKENS:+,}$TOKEN"
  PATHS="$PATHS${PATHS:+,}/api/jobs/$JOB"
done

export MV_BENCH_TOKENS=$TOKENS MV_BENCH_PATHS=$PATHS MV_BENCH_RUN=$(date +%s)
run() { # name, wrk args...
  local name=$1; shift
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '| %-44s | %10s | %9s | %9s | %6s |\n' "$name" "$rps" "$p50" "$p99" "${errors:-0}"
  LAST_RPS=$rps
}

echo
echo "wrk -t2 -c$CONNECTIONS -d${DURATION}s, $USERS users, release build, one server + PostgreSQL + wrk on $(nproc) cores"
echo
echo "| endpoint                                     |  req/s     |   p50     |   p99     | non-2xx |"
echo "|----------------------------------------------|-----------:|----------:|----------:|-------:|"
run "GET /healthz (baseline)" "$B/healthz"
run "GET /api/jobs/{id} (auth + rate limit + read)" -s Benchmarks/get.lua "$B"
JOB_READ_RPS=$LAST_RPS
run "GET /healthz (baseline, again)" "$B/healthz"
run "POST /api/mv/generate_video (admission)" -s Benchmarks/submit.lua "$B"
QUEUED=$(curl -fs "$B/metrics" | awk '/^mv_jobs\{state="queued"\}/ {print $2}')
echo
echo "jobs admitted and left queued: ${QUEUED:-?}"

# The same cluster's own limit for the read: one primary-key SELECT of a job row, prepared, same connections and time.
PGBENCH=$(ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -1)
if [ -n "$PGBENCH" ]; then
  FIRST_JOB=${PATHS%%,*}
  echo 'SELECT * FROM jobs WHERE id = :jobid::uuid;' > "$WORK/pk.sql"
  PK_TPS=$("$PGBENCH" -h "$WORK/data/postgres" -U postgres -n -M prepared -c "$CONNECTIONS" -j 2 -T "$DURATION" \
    -D jobid="${FIRST_JOB##*/}" -f "$WORK/pk.sql" mvservice 2>&1 | awk '/^tps/ {print $3; exit}')
  echo
  echo "| same-run PostgreSQL limit (pgbench -M prepared -c$CONNECTIONS -T${DURATION}) | tps | service / limit |"
  echo "|---|---:|---:|"
  printf '| one PK SELECT of a job row | %s | %s |\n' "$PK_TPS" \
    "$(python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$JOB_READ_RPS" "$PK_TPS" 2>/dev/null || echo '?')"
else
  echo "pgbench not found: no same-run PostgreSQL baseline"
fi
