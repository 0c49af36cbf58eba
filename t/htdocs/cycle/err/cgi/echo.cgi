#!/bin/sh
# Echoes the request body (LimitRequestBody 10 refuses big ones with 413).
echo "Content-Type: text/plain"
echo
cat
