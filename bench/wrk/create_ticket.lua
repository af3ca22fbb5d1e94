-- POST /api/v1/tickets: a new incident per request, dispatched by the rules as usual.
local token = os.getenv("TOKEN")
local counter = 0
local run_id = os.getenv("RUN_ID") or tostring(os.time())
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("prefix", run_id .. "-" .. threads)
end

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/json"
end

local subjects = {"ERP 系统", "邮件系统", "VPN", "打印机", "数据库", "网上银行", "OA 办公"}
local symptoms = {"登录失败", "响应很慢", "无法访问", "频繁断开", "报错 ORA-00600", "网络超时"}

function request()
  counter = counter + 1
  local title = subjects[counter % #subjects + 1] .. symptoms[counter % #symptoms + 1] ..
      " #" .. prefix .. "-" .. counter
  local body = '{"title":"' .. title .. '","description":"压测工单：用户反馈网关 10.10.0.1 丢包，' ..
      '影响财务部。","impact":' .. (counter % 3 + 1) .. ',"urgency":' .. ((counter + 1) % 3 + 1) .. '}'
  return wrk.format("POST", "/api/v1/tickets", nil, body)
end

function done(summary, latency, requests)
  io.write(string.format("non2xx=%d\n", summary.errors.status))
end
