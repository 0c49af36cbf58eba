#!/bin/sh
# Not a CGI header block: httpd answers 500 "malformed header from script".
echo "this is not a header"
echo
echo "body"
