-- GET /api/v1/tickets/INC-nnnnnn for random numbers up to COUNT.
local token = os.getenv("TOKEN")
local count = tonumber(os.getenv("COUNT") or "1000")
function init(args)
  wrk.headers["Authorization"] = "Bearer " .. token
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
function request()
  return wrk.format("GET", string.format("/api/v1/tickets/INC-%06d", math.random(1, count)))
end
function done(summary, latency, requests)
  io.write(string.format("non2xx=%d\n", summary.errors.status))
end
