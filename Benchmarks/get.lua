-- wrk script: authenticated GET of each user's own job (MV_BENCH_TOKENS and MV_BENCH_PATHS, comma-separated, paired).
local counter = 0

function init(args)
  tokens = {}
  for t in string.gmatch(os.getenv("MV_BENCH_TOKENS"), "[^,]+") do table.insert(tokens, t) end
  paths = {}
  for p in string.gmatch(os.getenv("MV_BENCH_PATHS"), "[^,]+") do table.insert(paths, p) end
end

function request()
  counter = counter + 1
  local i = (counter % #tokens) + 1
  return wrk.format("GET", paths[i], { ["Authorization"] = "Bearer " .. tokens[i] })
end
