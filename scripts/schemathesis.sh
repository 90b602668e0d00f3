#!/usr/bin/env bash
# Fuzzes the running API against its own OpenAPI document with schemathesis (`--checks all`).
#
# Starts `.build/debug/mvservice serve` on a free 127.0.0.1 port with a throwaway data directory (embedded
# PostgreSQL, mock providers, rate limits raised so the run is not a sea of 429s), creates a funded platform admin,
# runs schemathesis with that user's bearer token, and stops the server and its PostgreSQL on any exit.
# Exits non-zero when schemathesis reports a failure or the server cannot be started.
#
#   scripts/schemathesis.sh                 # default budget (about 1.5 minutes on 2 cores)
#   MAX_EXAMPLES=50 scripts/schemathesis.sh # more examples per operation
set -euo pipefail
cd "$(dirname "$0")/.."

max_examples=${MAX_EXAMPLES:-30}
seed=${SCHEMATHESIS_SEED:-20261124}

command -v schemathesis >/dev/null 2>&1 || { echo "schemathesis.sh: schemathesis is not installed (scripts/install-deps.sh)" >&2; exit 1; }
swift build --product mvservice >/dev/null
binary=.build/debug/mvservice

work=$(mktemp -d /tmp/mv-schemathesis.XXXXXX)
chmod 755 "$work"   # the embedded PostgreSQL runs as user postgres when we are root
server_pid=""

cleanup() {
  local status=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      echo "schemathesis.sh: server did not stop; killing it" >&2
      kill -KILL "$server_pid" 2>/dev/null || true
    fi
    wait "$server_pid" 2>/dev/null || true
  fi
  # A server that died uncleanly leaves its cluster running: stop it before removing its directory.
  if [ -f "$work/data/postgres/postmaster.pid" ]; then
    for bin in /usr/lib/postgresql/*/bin; do
      if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$bin/pg_ctl" -D "$work/data/postgres" -m fast stop >/dev/null 2>&1 && break
      else
        "$bin/pg_ctl" -D "$work/data/postgres" -m fast stop >/dev/null 2>&1 && break
      fi
    done
  fi
  if [ "$status" -ne 0 ] && [ -f "$work/server.log" ]; then
    echo "--- last server log lines ---" >&2
    tail -n 40 "$work/server.log" >&2 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT INT TERM

# The shipped configuration, with fast mock jobs, cheap bcrypt and rate limits far above what the run sends.
cp -R configs "$work/configs"
cat > "$work/configs/service.yaml" <<EOF
server:
  host: 127.0.0.1
  port: 8080
data_dir: $work/data
auth:
  registration: open
  bcrypt_cost: 10
jobs:
  concurrency: 1
  drain_timeout_seconds: 5
mock:
  delay_min_seconds: 0
  delay_max_seconds: 1
  failure_rate: 0
webhooks:
  allowed_hosts: [127.0.0.1]   # the hooks point every well-formed webhook URL here (scripts/schemathesis_hooks.py)
  timeout_seconds: 1
log_level: warning
EOF
cat > "$work/configs/ratelimits.yaml" <<EOF
generate:
  capacity: 100000
  refill: 1000
  per_seconds: 1
api:
  capacity: 1000000
  refill: 10000
  per_seconds: 1
EOF

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
config=(--config "$work/configs/service.yaml" --data-dir "$work/data")

env -u REPLICATE_API_TOKEN -u GEMINI_API_KEY MOCK_VID_GENS=1 \
  "$binary" serve "${config[@]}" --port "$port" >"$work/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 240); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { echo "schemathesis.sh: the server exited" >&2; exit 1; }
  sleep 0.5
done
curl -fsS "$base/readyz" >/dev/null || { echo "schemathesis.sh: the server did not become ready" >&2; exit 1; }

# A platform admin with a funded personal team: the fuzzer may reach every route as someone allowed to use it.
email="fuzz-admin@example.com"
password="fuzz-admin-password"
"$binary" admin create-user "${config[@]}" --email "$email" --password "$password" --platform-admin >/dev/null
login=$(curl -fsS -X POST "$base/api/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\"}")
token=$(printf '%s' "$login" | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
team=$(curl -fsS "$base/api/me" -H "authorization: Bearer $token" | python3 -c 'import json, sys; print(json.load(sys.stdin)["current_team_id"])')
curl -fsS -X POST "$base/api/admin/teams/$team/credits" -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"amount": 1000000000, "reason": "schemathesis"}' >/dev/null

# 402 joins the statuses a schema-valid request may get: whether a team can pay (or give back) is state, not shape,
# like the 409 schemathesis already allows. Nothing else is relaxed.
# The token goes in as the document's `bearer` scheme (not a blanket header), so the auth checks can leave it out.
cat > "$work/schemathesis.toml" <<EOF
[auth.openapi.bearer]
bearer = "$token"

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "402", "403", "404", "409", "429", "5xx"]
EOF

echo "schemathesis.sh: fuzzing $base (max $max_examples examples per operation, seed $seed)"
set +e
PYTHONPATH="$PWD/scripts${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=schemathesis_hooks \
  timeout 600 schemathesis --config-file "$work/schemathesis.toml" --no-color run "$base/openapi.json" \
  --checks all \
  --max-examples "$max_examples" \
  --seed "$seed" \
  --workers 1 \
  --request-timeout 30 \
  --generation-database none \
  --suppress-health-check too_slow,filter_too_much \
  ${SCHEMATHESIS_ARGS:-} \
  >"$work/schemathesis.log" 2>&1
result=$?
set -e
cat "$work/schemathesis.log"
echo "schemathesis.sh: summary: $(grep -E '^=+ .* in [0-9.]+s =+$' "$work/schemathesis.log" | tail -n 1 || true)"
exit "$result"
