-- GET with an optional bearer token: TOKEN=yw_... wrk -s get.lua URL
local token = os.getenv("TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
wrk.method = "GET"
