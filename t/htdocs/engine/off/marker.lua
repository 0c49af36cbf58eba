-- Stands in for an application: answers every method, OPTIONS included,
-- with a marker header and a body. A preflight must never reach it.
function handle(r)
    r.content_type = "text/plain"
    r.headers_out["X-Handler-Ran"] = "yes"
    r.headers_out["Allow"] = "GET, OPTIONS, PUT"
    r:puts("lua handler ran for " .. r.method .. "\n")
    return apache2.OK
end
