#!/bin/sh
# A 503 with CORS headers of the script's own: with CorsBackendHeaders
# Replace (the default) the client must see mod_cors's, once each.
echo "Status: 503 Service Unavailable"
echo "Content-Type: text/plain"
echo "Access-Control-Allow-Origin: https://evil.example"
echo "Access-Control-Allow-Credentials: false"
echo "Access-Control-Expose-Headers: X-Script"
echo "Vary: Accept-Language"
echo
echo "script says 503"
