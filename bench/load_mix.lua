-- wrk script: POST, in turn, each JSON body of the file named by BENCH_BODIES (one per line),
-- with an Authorization header when BENCH_AUTH is set, and print the figures bench/load.py reads
-- as one line starting with "BENCH ". A 200 answer whose body holds "errors" (a GraphQL error)
-- counts as a status error, so a failing query cannot pass for a fast one.
local threads = {}

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  local headers = {["Content-Type"] = "application/json", ["Accept"] = "application/json"}
  local auth = os.getenv("BENCH_AUTH")
  if auth and auth ~= "" then
    headers["Authorization"] = auth
  end
  requests = {}
  for line in io.lines(os.getenv("BENCH_BODIES")) do
    if line ~= "" then
      table.insert(requests, wrk.format("POST", nil, headers, line))
    end
  end
  counter = offset
  failed = 0
end

function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

function response(status, headers, body)
  if status == 200 and body and string.find(body, '"errors"', 1, true) then
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local failures = 0
  for _, thread in ipairs(threads) do
    failures = failures + thread:get("failed")
  end
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, '
      .. '"p99_us": %d, "mean_us": %.1f, "max_us": %d, "connect_errors": %d, '
      .. '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max, e.connect, e.read, e.write, e.status + failures, e.timeout))
end
