vcl 4.1;

# conf/varnish-cors.vcl: a starting point for Varnish (6.0 or later) in
# front of Apache httpd with mod_cors. t/cache_varnish.t runs this file as
# is, with only the backend's .host and .port changed.
#
# What matters for CORS is what this file does NOT do:
#
# - It never touches the Origin request header. mod_cors answers each Origin
#   with its own Access-Control-Allow-Origin and sends "Vary: Origin"
#   wherever the answer depends on it. Varnish honours Vary by itself: it
#   keeps one copy per Origin value (one for requests without Origin too)
#   and serves a copy only to a request with the same Origin. Removing or
#   rewriting req.http.Origin in vcl_recv would break that: the stored copy
#   (and Apache's decision) would no longer belong to the site that asked.
#   Leave Origin alone unless the object does not vary on it; the copies of
#   a "CorsAllowOrigin *" scope already don't (mod_cors sends
#   "Access-Control-Allow-Origin: *" without "Vary: Origin" there), so
#   Varnish keeps a single copy for every site without any help.
# - It never strips or rewrites Vary in vcl_backend_response, and it does
#   not add Origin to vcl_hash: Vary already separates the copies that
#   must differ, and hashing on Origin would split the copies that need not.
# - It sets no Access-Control-* header itself: Apache decides.
#
# Varnish's built-in VCL, which runs after each subroutine below, does the
# rest: only GET and HEAD are looked up in the cache, so CORS preflights
# (OPTIONS) always reach Apache; requests with Cookie or Authorization (a
# credentialed request that carries credentials) are passed, not cached;
# responses with Set-Cookie or "Vary: *", or without a lifetime, are not
# stored. Apache's responses say how long they may be kept
# (Cache-Control: public, max-age=...; mod_headers or mod_expires).

backend default {
    .host = "127.0.0.1";
    .port = "8080";
}

sub vcl_recv {
    # Nothing about CORS to do here: see above. Normalise other headers
    # (Accept-Encoding, cookies of analytics scripts, ...) as you need.
}

sub vcl_deliver {
    # Whether this response came from the cache, for debugging (and for
    # t/cache_varnish.t). X-Varnish says the same with two ids on a hit: this
    # request's and that of the request that stored the object.
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
