-- t/exempt.t: a protected Lua resource. It logs each run (at warn, so the
-- test can see in error_log whether it ran) and returns its secret.
function handle(r)
    r:warn("exempt-lua ran: " .. r.method .. " " .. r.uri)
    r.content_type = "text/plain"
    r:puts("lua-secret\n")
    return apache2.OK
end
