#!/usr/bin/perl
# Demo endpoint: answers any method with a JSON echo of the request. "user" is
# the authenticated user (REMOTE_USER) when the URL is under /private/.
use strict;
use warnings;

my $body = '';
my $len  = $ENV{CONTENT_LENGTH} || 0;
read(STDIN, $body, $len) if $len > 0 && $len <= 65536;

sub js {
    my $s = shift // '';
    $s =~ s/([\\"])/\\$1/g;
    $s =~ s/([\x00-\x1f])/sprintf('\\u%04x', ord $1)/ge;
    return qq{"$s"};
}

print "Content-Type: application/json\r\n\r\n";
print '{"method": ', js($ENV{REQUEST_METHOD}),
      ', "origin": ', js($ENV{HTTP_ORIGIN}),
      ', "x_demo": ', js($ENV{HTTP_X_DEMO}),
      ', "content_type": ', js($ENV{CONTENT_TYPE}),
      ', "user": ', js($ENV{REMOTE_USER}),
      ', "body": ', js($body), "}\n";
