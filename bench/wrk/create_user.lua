-- POST /api/v1/users with a unique username per request.
-- TOKEN=yw_... (admin) PASSWORD=1 adds a password (argon2id hash per request).
local token = os.getenv("TOKEN")
local with_password = os.getenv("PASSWORD") == "1"
local counter = 0  -- per wrk thread; `prefix` is a global set by setup()

-- RUN_ID (set by bench/run.sh) keeps usernames unique across wrk runs on one database.
local run_id = os.getenv("RUN_ID") or tostring(os.time())
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("prefix", "r" .. run_id .. "t" .. threads)
end

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local name = prefix .. "u" .. counter
  local body = '{"username":"' .. name .. '","display_name":"压测用户 ' .. counter ..
      '","email":"' .. name .. '@bench.example.cn","roles":["agent"]'
  if with_password then
    body = body .. ',"password":"bench-password-1"'
  end
  body = body .. '}'
  return wrk.format("POST", "/api/v1/users", nil, body)
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("non2xx=%d\n", non2xx))
end
