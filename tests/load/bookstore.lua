-- A mixed read/write workload on the bookstore example for wrk (Debian's wrk 4.1).
--
-- Run with one connection per thread (-t N -c N): each thread then has exactly one
-- request outstanding, so response() always answers the request() before it and
-- every response can be logged with its request. Each thread writes one line per
-- response to $LOAD_DIR/thread-<n>.log:
--   <sent> <received> <kind> <id> <status> <title version> <json body: 1|0>
-- Times are CLOCK_MONOTONIC seconds, the clock Python's time.monotonic() reads.
--
-- Books $LOAD_FIRST_BOOK .. +$LOAD_BOOKS-1 exist. A thread only updates the books
-- whose offset modulo $LOAD_THREADS is its own number, setting title "v<k>" with k
-- counting up per book from $LOAD_RUN * 10^6 (so each run's versions are newer than
-- the last run's): the versions of a book are ordered by acknowledgement, so a read
-- that returns an older version than one acknowledged before the read was sent is
-- stale, and by how long can be measured. Created books get ISBNs unique per run.
-- With LOAD_PROBE=1 a thread asks /readyz every 100 ms and stops at the first 503,
-- as a load balancer would.

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } load_timespec;
int clock_gettime(int clk_id, load_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("load_timespec")

local function now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) * 1e-9
end

local dir = os.getenv("LOAD_DIR")
local threads = tonumber(os.getenv("LOAD_THREADS"))
local first_book = tonumber(os.getenv("LOAD_FIRST_BOOK"))
local books = tonumber(os.getenv("LOAD_BOOKS"))
local authors = tonumber(os.getenv("LOAD_AUTHORS"))
local probing = os.getenv("LOAD_PROBE") == "1"
local run = tonumber(os.getenv("LOAD_RUN"))

local json = { ["Content-Type"] = "application/json" }

-- setup() runs in wrk's main Lua state, once per thread, before they start.
local started = 0
function setup(thread)
  thread:set("number", started)
  started = started + 1
end

local out, own, versions, created, last_probe
local sent_at, sent_kind, sent_id

function init(_args)
  out = assert(io.open(string.format("%s/thread-%d.log", dir, number), "w"))
  out:setvbuf("line")
  math.randomseed(1000 + number)
  own, versions = {}, {}
  for offset = number, books - 1, threads do
    own[#own + 1] = first_book + offset
  end
  created, last_probe = 0, now()
end

local function next_request()
  if probing and now() - last_probe > 0.1 then
    last_probe = now()
    return "probe", nil, wrk.format("GET", "/readyz")
  end
  local r = math.random()
  if r < 0.55 then
    local id = first_book + math.random(books) - 1
    return "get", id, wrk.format("GET", "/books/" .. id)
  elseif r < 0.65 then
    local path = "/books?limit=20&offset=" .. 20 * math.random(0, 9)
    return "list", nil, wrk.format("GET", path)
  elseif r < 0.75 then
    local id = math.random(authors)
    return "author", id, wrk.format("GET", "/authors/" .. id)
  elseif r < 0.90 and #own > 0 then
    local id = own[math.random(#own)]
    versions[id] = (versions[id] or run * 1000000) + 1
    local body = string.format('{"title":"v%d"}', versions[id])
    return "update", id, wrk.format("PATCH", "/books/" .. id, json, body)
  end
  created = created + 1
  local body = string.format(
    '{"title":"v0","isbn":"%02d%02d%09d","price":"12.50","author_id":%d}',
    run, number, created, math.random(authors)
  )
  return "create", nil, wrk.format("POST", "/books", json, body)
end

function request()
  local request
  sent_kind, sent_id, request = next_request()
  sent_at = now()
  return request
end

function response(status, _headers, body)
  local received = now()
  local id = sent_id or body:match('^{"id":(%d+)') or "-"
  local version = body:match('"title":"v(%d+)"') or "-"
  local is_json = body:sub(1, 1) == "{" and 1 or 0
  out:write(string.format("%.6f %.6f %s %s %d %s %d\n",
    sent_at, received, sent_kind, id, status, version, is_json))
  if sent_kind == "probe" and status == 503 then
    wrk.thread:stop()
  end
end

function done(summary, latency, _requests)
  local errors = summary.errors
  local f = assert(io.open(dir .. "/summary.json", "w"))
  f:write(string.format(
    '{"duration_us":%d,"requests":%d,"connect":%d,"read":%d,"write":%d,'
      .. '"timeout":%d,"status":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.duration, summary.requests, errors.connect, errors.read, errors.write,
    errors.timeout, errors.status, latency:percentile(50), latency:percentile(99),
    latency.max))
  f:close()
end
