-- t/cors_result_env.t: what a handler sees of CORS_RESULT, as the
-- environment variable and as the request header that RequestHeader set.
function handle(r)
    r.content_type = "text/plain"
    r:puts("env=", tostring(r.subprocess_env["CORS_RESULT"]), "\n")
    r:puts("header=", tostring(r.headers_in["X-Logging-Result"]), "\n")
    return apache2.OK
end
