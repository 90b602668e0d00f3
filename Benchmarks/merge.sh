#!/usr/bin/env bash
# Benchmark (not a test): merging 10 compatible 4 s clips (1280x720 H.264 24 fps + AAC, like the mock provider's) by
# stream copy through the service's merge engine, against bare `ffmpeg -f concat -safe 0 -i list -c copy` on the same
# files, interleaved in the same run (`mvservice merge-bench`). Prints each median and the ratio to bare ffmpeg.
# Usage: Benchmarks/merge.sh [runs, default 15] [clips, default 10]
#   MV_BENCH_BUILD=release uses a release binary (.build-release); default: the debug build in .build.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-15}
CLIPS=${2:-10}

if [ "${MV_BENCH_BUILD:-debug}" = release ]; then
  swift build -c release --product mvservice --scratch-path .build-release 2>&1 | tail -1
  BIN=.build-release/release/mvservice
else
  swift build --product mvservice 2>&1 | tail -1
  BIN=.build/debug/mvservice
fi

WORK=$(mktemp -d /tmp/mvmergebench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
colors=(red green blue yellow cyan magenta orange purple gray white brown pink)
paths=()
for i in $(seq 0 $((CLIPS - 1))); do
  ffmpeg -nostdin -y -loglevel error \
    -f lavfi -i "color=c=${colors[$((i % ${#colors[@]}))]}:s=1280x720:r=24:d=4" \
    -f lavfi -i "sine=frequency=$((220 + 40 * i)):sample_rate=48000:duration=4" \
    -map 0:v -map 1:a -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -b:a 96k -t 4 -f mp4 "$WORK/clip$i.mp4"
  paths+=("$WORK/clip$i.mp4")
done
echo "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(ffmpeg -version | head -1 | cut -d' ' -f1-3)"
"$BIN" merge-bench --runs "$RUNS" --work-dir "$WORK" "${paths[@]}"
