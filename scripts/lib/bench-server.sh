# Sourced by the benchmarks: starts "$BIN" serve (no workers) on $PORT with a throwaway data directory and a copy of
# configs/ with rate limits lifted (modes kept: generate exact, api leased), cheap bcrypt and quiet logs; waits for /readyz; stops it and removes the folder on
# exit. Sets WORK (the folder), ARGS (the --config/--data-dir flags for other mvservice commands) and SERVER.
# Usage: start_bench_server NAME   (NAME becomes part of the /tmp folder's name)
# Installs what is missing and builds the release binaries the benchmarks drive: sets BIN (mvservice) and LOAD (mvload).
build_bench_binaries() {
  scripts/install-deps.sh
  local product
  for product in mvservice mvload; do
    swift build -c release --product "$product" --scratch-path .build-release 2>&1 | tail -1
  done
  BIN=.build-release/release/mvservice
  LOAD=.build-release/release/mvload
}

start_bench_server() {
  WORK=$(mktemp -d "/tmp/$1.XXXXXX")
  chmod 755 "$WORK"
  cp -r configs "$WORK/configs"
  cat > "$WORK/configs/ratelimits.yaml" <<YAML
generate: { capacity: 1000000000, refill: 1000000, per_seconds: 1 }
api: { capacity: 1000000000, refill: 1000000, per_seconds: 1, lease_batch: 20 }
YAML
  sed -i 's/bcrypt_cost: 12/bcrypt_cost: 10/; s/log_level: info/log_level: warning/' "$WORK/configs/service.yaml"
  # A benchmark's own change to service.yaml, as a sed expression (e.g. a raised upload cap).
  [ -z "${MV_BENCH_SERVICE_YAML_EDIT:-}" ] || sed -i "$MV_BENCH_SERVICE_YAML_EDIT" "$WORK/configs/service.yaml"
  ARGS=(--config "$WORK/configs/service.yaml" --data-dir "$WORK/data")
  "$BIN" serve "${ARGS[@]}" --port "$PORT" --no-workers > "$WORK/server.log" 2>&1 &
  SERVER=$!
  trap stop_bench_server EXIT
  for _ in $(seq 1 240); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "server did not start"; cat "$WORK/server.log"; exit 1; }
}

stop_bench_server() {
  kill -TERM "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  rm -rf "$WORK"
}
