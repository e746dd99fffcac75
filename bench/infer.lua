-- wrk script: POST the JSON request body from the file named by BODY (env) to the path in PATH_INFER.
local body_file = os.getenv("BODY")
local f = assert(io.open(body_file, "rb"))
wrk.body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.path = os.getenv("PATH_INFER")
wrk.headers["Content-Type"] = "application/json"

local failures = 0
response = function(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
  end
end

done = function(summary, latency, requests)
  io.write(string.format("CSV,%d,%.1f,%.1f,%.1f,%d,%d\n",
    summary.requests, latency:percentile(50), latency:percentile(99), latency.mean,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration))
end
