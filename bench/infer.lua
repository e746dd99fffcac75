-- wrk script: POST the request body from the file named by BODY (env) to the path in PATH_INFER;
-- for the binary tensor extension set CONTENT_TYPE=application/octet-stream and HEADER_LENGTH.
local body_file = os.getenv("BODY")
local f = assert(io.open(body_file, "rb"))
wrk.body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.path = os.getenv("PATH_INFER")
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE") or "application/json"
local header_length = os.getenv("HEADER_LENGTH")
if header_length and header_length ~= "" then
  wrk.headers["Inference-Header-Content-Length"] = header_length
end

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
