#!/usr/bin/perl
# Demo endpoint for credentialed requests.
#
#   cookie.cgi?set=VALUE   sets the cookie mod_cors_demo=VALUE (SameSite=Lax)
#   cookie.cgi             sets nothing
#
# Either way it answers with the mod_cors_demo cookie the request carried:
#   {"set": "VALUE or empty", "cookie": "value received or empty"}
# VALUE may hold letters, digits, '-' and '_' (up to 64).
use strict;
use warnings;

my ($set) = ($ENV{QUERY_STRING} // '') =~ /(?:^|&)set=([A-Za-z0-9_-]{1,64})(?:&|$)/;
my ($got) = ($ENV{HTTP_COOKIE} // '') =~ /(?:^|;\s*)mod_cors_demo=([A-Za-z0-9_-]{1,64})(?:;|$)/;

print "Content-Type: application/json\r\n";
print "Cache-Control: no-store\r\n";
print "Set-Cookie: mod_cors_demo=$set; Path=/; SameSite=Lax; HttpOnly\r\n"
    if defined $set;
print "\r\n";
printf qq({"set": "%s", "cookie": "%s"}\n), $set // '', $got // '';
