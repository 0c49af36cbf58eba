-- t/cors_explain.t: logs each run (at warn, so the test can see in
-- error_log whether it ran): the explain form must never run it.
function handle(r)
    r:warn("explain-marker ran: " .. r.method .. " " .. r.uri)
    r.content_type = "text/plain"
    r:puts("marker\n")
    return apache2.OK
end
