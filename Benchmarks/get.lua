-- wrk script: authenticated GET of one path (MV_BENCH_PATH).
function init(args)
  token = os.getenv("MV_BENCH_TOKEN")
  path = os.getenv("MV_BENCH_PATH")
end

function request()
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
