-- wrk script for bench/cache_bench.py: POST, in turn, the lines of the file named by BENCH_BODIES;
-- a line "W<TAB>{json}" is a write sent with the Authorization header of BENCH_AUTH, a line
-- "R<TAB>{json}" an anonymous read. Each thread starts at its own share of the sequence (so two
-- threads do not ask the same page one after the other). A 200 answer holding "errors" counts as
-- a status error. Prints the figures bench/load.py reads as one line starting with "BENCH ".
local threads = {}

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  local anonymous = {["Content-Type"] = "application/json", ["Accept"] = "application/json"}
  local signed = {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
    ["Authorization"] = os.getenv("BENCH_AUTH"),
  }
  requests = {}
  for line in io.lines(os.getenv("BENCH_BODIES")) do
    local mode, body = string.match(line, "^(%u)\t(.+)$")
    if mode == "W" then
      table.insert(requests, wrk.format("POST", nil, signed, body))
    elseif mode == "R" then
      table.insert(requests, wrk.format("POST", nil, anonymous, body))
    end
  end
  local share = math.floor(#requests / tonumber(os.getenv("BENCH_THREADS")))
  counter = offset * share
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
