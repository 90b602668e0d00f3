#!/usr/bin/env bash
# A music video end to end against a running server (`swift run mvservice serve`): registers a user, has an admin
# grant credits, uploads a song, creates a 3-scene project on the mock provider, renders it as ONE job, follows the
# job's event stream to the end, downloads the final MP4 and prints its ffprobe.
#
#   B=http://127.0.0.1:8080 ADMIN_EMAIL=admin@example.com ADMIN_PASSWORD=admin-password scripts/render-demo.sh [song.mp3]
#
# Without a song file, a 12 s tone is made with ffmpeg. The admin is the one `mvservice admin create-user
# --platform-admin` made (see the README's first steps). Needs curl, python3, ffmpeg and ffprobe.
set -euo pipefail

B=${B:-http://127.0.0.1:8080}
ADMIN_EMAIL=${ADMIN_EMAIL:-admin@example.com}
ADMIN_PASSWORD=${ADMIN_PASSWORD:-admin-password}
OUT=${OUT:-music-video.mp4}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

field() { python3 -c "import json,sys; v=json.load(sys.stdin)$1; print(v if v is not None else '')"; }
post() { curl -sS -X POST "$B$1" -H "authorization: Bearer $2" -H 'content-type: application/json' "${@:3}"; }

SONG=${1:-}
if [ -z "$SONG" ]; then
  SONG=$WORK/song.mp3
  ffmpeg -hide_banner -loglevel error -f lavfi -i "sine=frequency=330:duration=12" -c:a libmp3lame -b:a 96k "$SONG"
fi

echo "== register a user"
EMAIL="demo-$(date +%s)-$RANDOM@example.com"
REGISTERED=$(curl -sS -X POST "$B/api/auth/register" -H 'content-type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"a-long-demo-password\"}")
TOKEN=$(echo "$REGISTERED" | field '["access_token"]')
TEAM=$(echo "$REGISTERED" | field '["team"]["id"]')
echo "user $EMAIL, team $TEAM"

echo "== an admin grants 200 credits"
ADMIN=$(curl -sS -X POST "$B/api/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" | field '["access_token"]')
post "/api/admin/teams/$TEAM/credits" "$ADMIN" -H "Idempotency-Key: demo-grant-$TEAM" -d '{"amount":200,"reason":"render demo"}' >/dev/null

echo "== upload the song"
UPLOAD=$(curl -sS -X POST "$B/api/mv/uploads" -H "authorization: Bearer $TOKEN" -H 'content-type: audio/mpeg' --data-binary "@$SONG")
AUDIO=$(echo "$UPLOAD" | field '["id"]')
echo "$UPLOAD"

echo "== create the project"
PROJECT=$(post /api/mv/projects "$TOKEN" -d "{\"title\":\"Paper boats\",\"idea\":\"a paper boat sails through a flooded city at dawn\",
  \"character_description\":\"a girl in a yellow raincoat\",\"audio_id\":\"$AUDIO\",\"number_of_scenes\":3,\"clip_duration\":4,
  \"backend\":\"mock\"}" | field '["id"]')
echo "project $PROJECT"

echo "== render it (one job)"
JOB=$(post "/api/mv/projects/$PROJECT/render" "$TOKEN" -H "Idempotency-Key: demo-render-$PROJECT" | field '["id"]')
echo "job $JOB; its events:"
# The stream ends after `done`.
curl -sS -N "$B/api/jobs/$JOB/events" -H "authorization: Bearer $TOKEN" | grep -E '^(event|data):' | grep -v '^data: {"cost"' || true

STATUS=$(curl -sS "$B/api/jobs/$JOB" -H "authorization: Bearer $TOKEN" | field '["status"]')
READ=$(curl -sS "$B/api/mv/projects/$PROJECT" -H "authorization: Bearer $TOKEN")
echo "== job $STATUS; project: status $(echo "$READ" | field '["status"]'), cost $(echo "$READ" | field '["cost"]')"
[ "$STATUS" = succeeded ] || { echo "the render did not succeed: $(curl -sS "$B/api/jobs/$JOB" -H "authorization: Bearer $TOKEN")"; exit 1; }

VIDEO=$(echo "$READ" | field '["final_video_id"]')
curl -sS -o "$OUT" "$B/api/mv/videos/$VIDEO/content" -H "authorization: Bearer $TOKEN"
echo "== $OUT"
ffprobe -v error -show_entries stream=codec_type,codec_name,duration -show_entries format=duration -of compact "$OUT"
