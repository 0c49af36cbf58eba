#!/usr/bin/perl
# t/hostile.t: a response with 8,000 headers of its own, as a backend or a
# script may send; with "CorsExposeHeaders *" and credentials, mod_cors
# names each of them in Access-Control-Expose-Headers.
print "Content-Type: text/plain\n";
print "X-H$_: v\n" for 1 .. 8000;
print "\nbody\n";
