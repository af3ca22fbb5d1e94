-- GET of the path given on the command line, cycling through the teams in TEAMS ("2 3 4")
-- when the path holds {team}.
local token = os.getenv("TOKEN")
local teams = {}
for t in string.gmatch(os.getenv("TEAMS") or "1", "%d+") do teams[#teams + 1] = t end
local n = 0
local path
function init(args)
  wrk.headers["Authorization"] = "Bearer " .. token
  path = wrk.path
end
function request()
  n = n + 1
  return wrk.format("GET", (string.gsub(path, "{team}", teams[n % #teams + 1])))
end
function done(summary, latency, requests)
  io.write(string.format("non2xx=%d\n", summary.errors.status))
end
