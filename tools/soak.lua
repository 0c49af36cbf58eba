-- tools/soak.lua: the wrk script of make soak (tools/soak.sh).
--
--   wrk ... -s tools/soak.lua URL -- KIND
--
-- tools/soak.sh runs one wrk per kind of request at the same time, so the
-- server sees them mixed and each response is known to answer its kind:
--   get_allowed        GET from an allowed origin          200, ACAO
--   get_refused        GET from origins not allowed        200, no ACAO
--   get_malformed      GET with malformed Origin values    200, no ACAO
--   get_no_origin      GET without Origin                  200, no ACAO
--   preflight_allowed  allowed preflight                   204, ACAO
--   preflight_refused  method, origin or header refused    403, no ACAO
--   preflight_hostile  ~8 KB of one-letter names in
--                      Access-Control-Request-Headers      403, no ACAO
-- (ACAO: Access-Control-Allow-Origin, the allowed origin itself.)  The
-- statuses hold before and after the cap on requested names: the hostile
-- preflight was refused as a refused list, it is now refused as too many.
-- Counts are per thread (each wrk thread has its own Lua state) and added
-- up in done(), which prints lines for tools/soak.sh:
--   SOAK kind <kind> <status> <acao ok: 1|0> <as expected: 1|0> <count>
--   SOAK latency <kind> <99th percentile usec> <max usec>
--   SOAK errors <kind> <connect> <read> <write> <timeout> <requests> <usec>

local allowed = "https://app.example"

-- ~8 KB of names: with "Access-Control-Request-Headers: " the field stays
-- under httpd's default LimitRequestFieldSize (8190).
local function hostile_names()
    local names, len = {}, 0
    local i = 0
    while len + 2 < 8100 do
        names[#names + 1] = string.char(97 + i % 26)
        len = len + 2
        i = i + 1
    end
    return table.concat(names, ",")
end

local malformed = {
    "https://app.example/", "HTTPS://APP.EXAMPLE", "https://app.example:443",
    "https://app.example, https://other.example", "javascript:alert(1)",
    "https://[::1", "https://app.example:99999", "https://u@app.example",
    "https://" .. string.rep("a", 600) .. ".example", "https://app..example",
}

-- kind -> { expected status, Access-Control-Allow-Origin expected? }
expect = {
    get_allowed       = { 200, allowed },
    get_refused       = { 200, nil },
    get_malformed     = { 200, nil },
    get_no_origin     = { 200, nil },
    preflight_allowed = { 204, allowed },
    preflight_refused = { 403, nil },
    preflight_hostile = { 403, nil },
}

local threads = {}
local thread_id = 0

function setup(thread)
    thread:set("id", thread_id)
    thread_id = thread_id + 1
    table.insert(threads, thread)
end

function init(args)
    local path = "/api/data.json"
    kind = args[1]
    local function req(method, headers)
        return wrk.format(method, path, headers)
    end
    if not expect[kind] then
        error("soak.lua: unknown kind " .. tostring(kind))
    end
    if kind == "get_allowed" then
        requests = { req("GET", { Origin = allowed }) }
    elseif kind == "get_refused" then
        requests = { req("GET", { Origin = "https://evil.example" }),
                     req("GET", { Origin = "null" }),
                     req("GET", { Origin = "http://app.example" }) }
    elseif kind == "get_malformed" then
        requests = {}
        for _, o in ipairs(malformed) do
            requests[#requests + 1] = req("GET", { Origin = o })
        end
    elseif kind == "get_no_origin" then
        requests = { req("GET", {}) }
    elseif kind == "preflight_allowed" then
        requests = { req("OPTIONS", {
                         Origin = allowed,
                         ["Access-Control-Request-Method"] = "PUT",
                         ["Access-Control-Request-Headers"] =
                             "content-type,x-requested-with" }) }
    elseif kind == "preflight_refused" then
        requests = { req("OPTIONS", {
                         Origin = allowed,
                         ["Access-Control-Request-Method"] = "PATCH" }),
                     req("OPTIONS", {
                         Origin = "https://evil.example",
                         ["Access-Control-Request-Method"] = "PUT" }),
                     req("OPTIONS", {
                         Origin = allowed,
                         ["Access-Control-Request-Method"] = "PUT",
                         ["Access-Control-Request-Headers"] =
                             "x-not-listed" }) }
    elseif kind == "preflight_hostile" then
        requests = { req("OPTIONS", {
                         Origin = allowed,
                         ["Access-Control-Request-Method"] = "PUT",
                         ["Access-Control-Request-Headers"] =
                             hostile_names() }) }
    end
    step = id or 0
    counts = {}
end

function request()
    step = step + 1
    return requests[step % #requests + 1]
end

function response(status, headers, body)
    local acao_ok = 0
    if headers["Access-Control-Allow-Origin"] == expect[kind][2] then
        acao_ok = 1
    end
    local key = kind .. " " .. status .. " " .. acao_ok
    counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
    local total = {}
    local kind = threads[1]:get("kind")
    for _, thread in ipairs(threads) do
        for key, n in pairs(thread:get("counts")) do
            total[key] = (total[key] or 0) + n
        end
    end
    for key, n in pairs(total) do
        local kind, status, acao_ok = key:match("^(%S+) (%d+) (%d)$")
        local e = expect[kind]
        local good = (e and tonumber(status) == e[1] and acao_ok == "1")
                     and 1 or 0
        io.write(string.format("SOAK kind %s %d %d\n", key, good, n))
    end
    io.write(string.format("SOAK latency %s %d %d\n", kind,
                           latency:percentile(99), latency.max))
    local e = summary.errors
    io.write(string.format("SOAK errors %s %d %d %d %d %d %d\n", kind,
                           e.connect, e.read, e.write, e.timeout,
                           summary.requests, summary.duration))
end
