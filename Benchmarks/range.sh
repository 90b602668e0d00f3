#!/usr/bin/env bash
# Benchmark (not a test): Range streaming of one ~100 MB stored file, the service against nginx `sendfile` serving the
# very same blob file, interleaved in one run on the same machine.
#   - the file: a 100 MB WAV (ffmpeg), uploaded once (POST /api/mv/uploads, the cap raised for the run);
#   - the service: GET /api/mv/uploads/{id}/content with a bearer token (auth, the asset access rule, Range);
#   - nginx from Debian (installed for the benchmark only): `sendfile on`, the blob's folder as its root;
#   - each: wrk, `Range: bytes=1048576-` (the last ~99 MB), 4 connections; twice each, alternating.
# Prints transfer/s of each run and the ratio service / nginx.
# Usage: Benchmarks/range.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
PORT=${MV_BENCH_PORT:-18082}
NGINX_PORT=${MV_BENCH_NGINX_PORT:-18092}
B=http://127.0.0.1:$PORT

source scripts/lib/bench-server.sh
build_bench_binaries
install_missing() { # debian packages...
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq "${missing[@]}" >/dev/null; else sudo apt-get install -y -qq "${missing[@]}" >/dev/null; fi
}
install_missing wrk nginx-light
export MV_BENCH_SERVICE_YAML_EDIT='s/max_upload_bytes: [0-9]*/max_upload_bytes: 209715200/'
start_bench_server mvrange

REG=$(curl -fs -X POST "$B/api/auth/register" -H 'content-type: application/json' \
  -d '{"email":"range@example.com","password":"benchmark-password"}')
TOKEN=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' <<<"$REG")
# 546 s of 48 kHz 16-bit stereo PCM: 104,832,078 bytes.
ffmpeg -nostdin -y -loglevel error -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=546" -ac 2 -c:a pcm_s16le "$WORK/song.wav"
UPLOAD=$(curl -fs -X POST "$B/api/mv/uploads" -H "authorization: Bearer $TOKEN" -H 'content-type: audio/wav' --data-binary @"$WORK/song.wav")
ID=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' <<<"$UPLOAD")
SHA=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["sha256"])' <<<"$UPLOAD")
BLOB=$(find "$WORK/data" -type f -name "$SHA" | head -1)
[ -n "$BLOB" ] || { echo "blob file not found"; exit 1; }
SIZE=$(stat -c %s "$BLOB")
chmod 755 "$(dirname "$BLOB")"; chmod 644 "$BLOB"
chmod o+x "$WORK/data" "$(dirname "$(dirname "$BLOB")")" 2>/dev/null || true

mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $(dirname "$BLOB");
  }
}
CONF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx"
trap 'nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -s stop 2>/dev/null; stop_bench_server' EXIT

RANGE="Range: bytes=1048576-"
SERVICE_URL="$B/api/mv/uploads/$ID/content"
NGINX_URL="http://127.0.0.1:$NGINX_PORT/$SHA"
check() { # url, extra curl args...: the status and byte count of one ranged GET
  curl -fs -o /dev/null -w '%{http_code} %{size_download}' -H "$RANGE" "$@"
}
echo "service: $(check "$SERVICE_URL" -H "authorization: Bearer $TOKEN"); nginx: $(check "$NGINX_URL")  (expect 206 $((SIZE - 1048576)))"

declare -A BYTES
run() { # key, name, url, extra wrk args...
  local key=$1 name=$2 url=$3; shift 3
  local out rps transfer bytes
  out=$(wrk -t2 -c4 -d"${DURATION}s" -H "$RANGE" "$@" "$url")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  transfer=$(awk '/Transfer\/sec/ {print $2}' <<<"$out")
  bytes=$(python3 -c "import sys; v=sys.argv[1]; u={'B':1,'KB':1024,'MB':1024**2,'GB':1024**3}; n=v.rstrip('KMGB'); print(float(n)*u[v[len(n):]])" "$transfer")
  BYTES[$key]=$(python3 -c "print(${BYTES[$key]:-0} + $bytes)")
  printf '| %-52s | %8s | %10s |\n' "$name" "$rps" "$transfer"
}
echo
echo "wrk -t2 -c4 -d${DURATION}s, '$RANGE' of a $SIZE-byte file; server + nginx + wrk on $(nproc) cores (release build)"
echo
echo "| run                                                  | req/s    | transfer/s |"
echo "|------------------------------------------------------|---------:|-----------:|"
for round in 1 2; do
  run nginx "nginx sendfile (baseline), round $round" "$NGINX_URL"
  run service "GET /api/mv/uploads/{id}/content, round $round" "$SERVICE_URL" -H "authorization: Bearer $TOKEN"
done
echo
echo "service / nginx: $(python3 -c "print(f'{${BYTES[service]} / ${BYTES[nginx]}:.2f}')")"
