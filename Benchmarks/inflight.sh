#!/usr/bin/env bash
# Benchmark (not a test): one `mvservice worker` process holding 10,000 in-flight mock jobs.
#   - an API server (`serve --no-workers`) and ONE worker process (jobs.concurrency raised to hold every job) share the
#     embedded PostgreSQL; the mock provider sleeps an hour per clip, so every claimed job stays in flight, heartbeating;
#   - fill: N admissions at a fixed rate through the API (mvload), 8 users; wait until all N run;
#   - probe: while the N are in flight, 20 more jobs per second for 10 s.
# Prints the worker's RSS (now and peak), and claim-to-start (a job's started_at - created_at: admitted, woken by
# NOTIFY, claimed, its handler running) p50/p99 for the fill and for the probes.
# Usage: Benchmarks/inflight.sh [jobs, default 10000] [fill rate per second, default 400]
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${1:-10000}
FILL_RATE=${2:-400}
PORT=${MV_BENCH_PORT:-18081}
B=http://127.0.0.1:$PORT

source scripts/lib/bench-server.sh
build_bench_binaries
start_bench_server mvinflight
PSQL=(psql -h "$WORK/data/postgres" -U postgres -At mvservice)

# The worker: room for every job plus the probes, quiet logs, an hour per mock clip.
WORKER_CONFIG="$WORK/configs/worker.yaml"
sed -e "s/^  concurrency: 8  .*# jobs one worker.*/  concurrency: $((JOBS + 1000))/" "$WORK/configs/service.yaml" > "$WORKER_CONFIG"
grep -q "concurrency: $((JOBS + 1000))" "$WORKER_CONFIG" || { echo "could not raise jobs.concurrency"; exit 1; }
MOCK_VIDEO_DELAY_MIN=3600 MOCK_VIDEO_DELAY_MAX=3600 \
  "$BIN" worker --config "$WORKER_CONFIG" --data-dir "$WORK/data" > "$WORK/worker.log" 2>&1 &
WORKER=$!
trap 'kill -TERM $WORKER 2>/dev/null; wait $WORKER 2>/dev/null; stop_bench_server' EXIT

TOKENS=""
for i in $(seq 1 8); do
  REG=$(curl -fs -X POST "$B/api/auth/register" -H 'content-type: application/json' \
    -d "{\"email\":\"inflight$i@example.com\",\"password\":\"benchmark-password\"}")
  TOKEN=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' <<<"$REG")
  TEAM=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["team"]["id"])' <<<"$REG")
  "$BIN" admin grant-credits "${ARGS[@]}" --team "$TEAM" --amount 1000000000 >/dev/null
  TOKENS="$TOKENS${TOKENS:+,}$TOKEN"
done
BODY='{"prompt":"in flight","duration":2,"backend":"mock"}'
rss() { awk -v k="$1" '$1 == k":" {printf "%.0f MiB", $2 / 1024}' "/proc/$WORKER/status"; }
running() { "${PSQL[@]}" -c "SELECT count(*) FROM jobs WHERE state = 'running'"; }
claim() { # idempotency-key prefix: p50, p99 and max of started_at - created_at in ms, and how many
  "${PSQL[@]}" -F ' ' -c "
    SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY d)::numeric, 1), round(percentile_cont(0.99) WITHIN GROUP (ORDER BY d)::numeric, 1),
      round(max(d)::numeric, 1), count(*)
    FROM (SELECT extract(epoch FROM started_at - created_at) * 1000 AS d FROM jobs
          WHERE idempotency_key LIKE '$1-%' AND started_at IS NOT NULL) s"
}

echo "fill: $JOBS admissions at $FILL_RATE/s ..."
FILL_SECONDS=$(python3 -c "print($JOBS / $FILL_RATE)")
FILL=$("$LOAD" --url "$B" --rate "$FILL_RATE" --duration "$FILL_SECONDS" --connections 16 --method POST \
  --paths /api/mv/generate_video --tokens "$TOKENS" --idempotency-prefix fill --body "$BODY")
echo "  $FILL"
for _ in $(seq 1 120); do [ "$(running)" -ge "$JOBS" ] && break; sleep 1; done
echo "  running: $(running); worker RSS $(rss VmRSS)"
sleep 15  # a heartbeat round (heartbeat_seconds: 10) for every lease, with all of them in flight
PROBE=$("$LOAD" --url "$B" --rate 20 --duration 10 --connections 4 --method POST \
  --paths /api/mv/generate_video --tokens "$TOKENS" --idempotency-prefix probe --body "$BODY")
sleep 2
read -r FP50 FP99 FMAX FN <<<"$(claim fill)"
read -r PP50 PP99 PMAX PN <<<"$(claim probe)"
LOST=$("${PSQL[@]}" -c "SELECT count(*) FROM jobs WHERE state <> 'running' OR attempts > 1")

echo
echo "One worker process, mock clips of an hour; server, worker, PostgreSQL and load on $(nproc) cores (release build)"
echo
echo "| measure | figure |"
echo "|---|---:|"
echo "| jobs in flight (running, leases held) | $(running) |"
echo "| jobs not running or claimed more than once | $LOST |"
echo "| worker RSS now / peak | $(rss VmRSS) / $(rss VmHWM) |"
echo "| claim-to-start while filling at $FILL_RATE/s: p50 / p99 / max ($FN jobs) | $FP50 ms / $FP99 ms / $FMAX ms |"
echo "| claim-to-start of probes at 20/s with all in flight: p50 / p99 / max ($PN jobs) | $PP50 ms / $PP99 ms / $PMAX ms |"
echo
echo "fill admissions: $FILL"
echo "probe admissions: $PROBE"
