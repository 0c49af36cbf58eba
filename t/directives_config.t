# `apache2 -t` refuses bad directive values: for each, a minimal config is
# written to a temporary directory and checked with the httpd binary; the
# check must fail and the message must name the directive and quote the
# bad value. Good configs must pass. No server is started for these.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsConfigTest;

my $so = mod_cors_so();

# [ config lines, directive named in the error, bad value quoted (or undef) ]
my @bad = (
    # origins
    ['CorsAllowOrigin https://a.example/x',   CorsAllowOrigin => 'https://a.example/x'],
    ['CorsAllowOrigin https://u@a.example',   CorsAllowOrigin => 'https://u@a.example'],
    ['CorsAllowOrigin https://u:p@a.example', CorsAllowOrigin => 'https://u:p@a.example'],
    ['CorsAllowOrigin https://a.example/',    CorsAllowOrigin => 'https://a.example/'],
    ['CorsAllowOrigin https://',              CorsAllowOrigin => 'https://'],
    ['CorsAllowOrigin https://:8443',         CorsAllowOrigin => 'https://:8443'],
    ['CorsAllowOrigin ftp://a.example',       CorsAllowOrigin => 'ftp://a.example'],
    ['CorsAllowOrigin a.example',             CorsAllowOrigin => 'a.example'],
    ['CorsAllowOrigin https://*.com',         CorsAllowOrigin => 'https://*.com'],
    ['CorsAllowOrigin https://a*.example.com', CorsAllowOrigin => 'https://a*.example.com'],
    ['CorsAllowOrigin https://a.*.example.com', CorsAllowOrigin => 'https://a.*.example.com'],
    ['CorsAllowOrigin https://*',             CorsAllowOrigin => 'https://*'],
    ['CorsAllowOrigin https://a.example:abc', CorsAllowOrigin => 'https://a.example:abc'],
    ['CorsAllowOrigin https://a.example:99999', CorsAllowOrigin => 'https://a.example:99999'],
    ['CorsAllowOrigin https://a.example:',    CorsAllowOrigin => 'https://a.example:'],
    ['CorsAllowOrigin https://a.example?q',   CorsAllowOrigin => 'https://a.example?q'],
    # a good origin first: the bad one is still caught
    ['CorsAllowOrigin https://ok.example https://a.example/x',
                                              CorsAllowOrigin => 'https://a.example/x'],
    # `*` and credentials in one context, either order, server and <Location>
    ["CorsAllowOrigin *\nCorsAllowCredentials On",
                                  'CorsAllow(?:Origin|Credentials)' => undef],
    ["CorsAllowCredentials On\nCorsAllowOrigin *",
                                  'CorsAllow(?:Origin|Credentials)' => undef],
    ["<Location /x>\nCorsAllowOrigin *\nCorsAllowCredentials On\n</Location>",
                                  'CorsAllow(?:Origin|Credentials)' => undef],
    ["<Location /x>\nCorsAllowCredentials On\nCorsAllowOrigin https://a.example *\n</Location>",
                                  'CorsAllow(?:Origin|Credentials)' => undef],
    # max-age
    ['CorsMaxAge abc',   CorsMaxAge => 'abc'],
    ['CorsMaxAge -1',    CorsMaxAge => '-1'],
    ['CorsMaxAge 10s',   CorsMaxAge => '10s'],
    ['CorsMaxAge 1.5',   CorsMaxAge => '1.5'],
    # tokens
    ['CorsAllowMethods GE(T',         CorsAllowMethods => 'GE(T'],
    ['CorsAllowHeaders X-Foo:',       CorsAllowHeaders => 'X-Foo:'],
    ['CorsAllowHeaders "X Foo"',      CorsAllowHeaders => 'X Foo'],
    ['CorsExposeHeaders X-Foo:',      CorsExposeHeaders => 'X-Foo:'],
    ['CorsExposeHeaders X-Id a@b',    CorsExposeHeaders => 'a@b'],
    # regex
    ['CorsAllowOriginMatch (unclosed', CorsAllowOriginMatch => '(unclosed'],
    ['CorsAllowOriginMatch https://[a-', CorsAllowOriginMatch => 'https://[a-'],
    # keywords and flags
    ['CorsBackendHeaders Maybe',      CorsBackendHeaders => 'Maybe'],
    ['CorsEngine Maybe',              CorsEngine => undef],
    ['CorsAllowCredentials yes',      CorsAllowCredentials => undef],
    ['CorsAllowPrivateNetwork 1',     CorsAllowPrivateNetwork => undef],
    # a missing argument
    ['CorsAllowOrigin',               CorsAllowOrigin => undef],
    ['CorsMaxAge',                    CorsMaxAge => undef],
);

my @good = (
    ['every directive, every origin form', <<'CONF'],
CorsAllowOrigin https://a.example HTTPS://B.Example:443 http://c.example:8080
CorsAllowOrigin http://localhost:* https://*.example.com https://*.example.org:*
CorsAllowOrigin https://*.example.net:8443 null
CorsAllowOriginMatch ^https://review-[0-9]+\.example\.net$
CorsAllowOriginMatch https://(x|y)\.c\.example
<Location /x>
    CorsEngine On
    CorsAllowMethods GET PUT DELETE PATCH
    CorsAllowHeaders Content-Type X-Requested-With Authorization
    CorsExposeHeaders X-Request-Id ETag
    CorsAllowCredentials On
    CorsMaxAge 600
    CorsAllowPrivateNetwork On
    CorsBackendHeaders Keep
</Location>
<Location /y>
    CorsEngine Off
    CorsAllowOrigin *
    CorsAllowMethods *
    CorsAllowHeaders * Authorization
    CorsExposeHeaders *
    CorsAllowCredentials Off
    CorsMaxAge 0
    CorsAllowPrivateNetwork Off
    CorsBackendHeaders Replace
</Location>
CONF
    ['`*` outside, credentials inside (different contexts)', <<'CONF'],
CorsAllowOrigin *
<Location /inner>
    CorsAllowCredentials On
</Location>
CONF
    ['credentials outside, `*` inside (different contexts)', <<'CONF'],
CorsAllowCredentials On
CorsAllowOrigin https://a.example
<Location /inner>
    CorsAllowOrigin *
</Location>
CONF
);

plan tests => 1 + 3 * @bad + 2 * @good;

ok -f $so, "module built: $so";

for my $c (@bad) {
    my ($body, $directive, $value) = @$c;
    (my $name = $body) =~ s/\n/; /g;
    my ($rc, $out) = check_config($body);
    isnt $rc, 0, "refused: $name";
    like $out, qr/\b$directive\b/, "$name: message names the directive"
        or diag $out;
    if (defined $value) {
        like $out, qr/\Q$value\E/, "$name: message quotes '$value'"
            or diag $out;
    }
    else {
        unlike $out, qr/Syntax OK/, "$name: no 'Syntax OK'";
    }
}

for my $g (@good) {
    my ($name, $body) = @$g;
    my ($rc, $out) = check_config($body);
    is $rc, 0, "accepted: $name" or diag $out;
    like $out, qr/Syntax OK/, "$name: Syntax OK" or diag $out;
}
