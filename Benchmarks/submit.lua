-- wrk script: authenticated POST /api/mv/generate_video, a fresh Idempotency-Key per request, rotating over the
-- users (teams) in MV_BENCH_TOKENS.
local counter = 0
local thread_id = 0

function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  tokens = {}
  for t in string.gmatch(os.getenv("MV_BENCH_TOKENS"), "[^,]+") do table.insert(tokens, t) end
  run = os.getenv("MV_BENCH_RUN") or "run"
end

function request()
  counter = counter + 1
  local token = tokens[(counter % #tokens) + 1]
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = run .. "-" .. id .. "-" .. counter,
  }
  local body = '{"prompt":"benchmark clip","duration":2,"backend":"mock"}'
  return wrk.format("POST", "/api/mv/generate_video", headers, body)
end
