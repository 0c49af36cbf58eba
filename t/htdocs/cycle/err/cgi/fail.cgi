#!/bin/sh
# Exits non-zero before writing any header: httpd answers 500.
exit 3
