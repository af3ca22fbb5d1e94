-- GET of the path given on the command line with {id} replaced by ids cycling pseudo-randomly
-- through FIRST..LAST (environment); {id6}: the id with six digits (a ticket number's).
local token = os.getenv("TOKEN")
local first = tonumber(os.getenv("FIRST") or "1")
local last = tonumber(os.getenv("LAST") or "1")
local n = 0
local path
function init(args)
  wrk.headers["Authorization"] = "Bearer " .. token
  path = wrk.path
  n = tonumber(os.getenv("RUN_ID") or "0") % 7919
end
function request()
  n = n + 1
  local id = first + (n * 7919) % (last - first + 1)
  local p = string.gsub(path, "{id6}", string.format("%06d", id))
  return wrk.format("GET", (string.gsub(p, "{id}", tostring(id))))
end
function done(summary, latency, requests)
  io.write(string.format("non2xx=%d\n", summary.errors.status))
end
