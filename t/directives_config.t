# `apache2 -t` refuses bad directive values: for each, a minimal config is
# written to a temporary directory and checked with the httpd binary; the
# check must fail and the message must name the directive and quote the
# bad value (and, for a wildcard above a public suffix, the suffix and the
# section of the public suffix list). Good configs must pass. No server is
# started for these.
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
    ['CorsEngine Maybe',              CorsEngine => 'Maybe'],
    ['CorsEngine Report-Only',        CorsEngine => 'Report-Only'],
    ['CorsEngine On Off',             CorsEngine => undef],
    ['CorsEngine',                    CorsEngine => undef],
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
    ['CorsEngine ReportOnly, any case', <<'CONF'],
CorsEngine reportonly
CorsAllowOrigin https://a.example
<Location /x>
    CorsEngine REPORTONLY
</Location>
<Location /y>
    CorsEngine ReportOnly
</Location>
<Location /z>
    CorsEngine oN
</Location>
<Location /w>
    CorsEngine oFf
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

# A wildcard directly above a public suffix (ICANN or private section of
# the public suffix list, read through libpsl): [ config, the value quoted,
# the suffix named, the section named ].
my @suffix = (
    ['CorsAllowOrigin https://*.co.uk', 'https://*.co.uk', 'co.uk', 'ICANN'],
    ['CorsAllowOrigin https://*.github.io', 'https://*.github.io',
        'github.io', 'private'],
    # any port, a port, a default port, case
    ['CorsAllowOrigin https://*.co.uk:*', 'https://*.co.uk:*', 'co.uk', 'ICANN'],
    ['CorsAllowOrigin http://*.github.io:8080', 'http://*.github.io:8080',
        'github.io', 'private'],
    ['CorsAllowOrigin https://*.kawasaki.jp:443', 'https://*.kawasaki.jp:443',
        'kawasaki.jp', 'ICANN'],
    ['CorsAllowOrigin HTTPS://*.Co.UK', 'HTTPS://*.Co.UK', 'co.uk', 'ICANN'],
    # a suffix made by a wildcard rule of the list ("*.ck")
    ['CorsAllowOrigin https://*.foo.ck', 'https://*.foo.ck', 'foo.ck', 'ICANN'],
    ['CorsAllowOrigin https://*.s3.amazonaws.com', 'https://*.s3.amazonaws.com',
        's3.amazonaws.com', 'private'],
    # after a good origin, in a list written with commas, in a <Location>,
    # with credentials
    ['CorsAllowOrigin https://a.example https://*.github.io',
        'https://*.github.io', 'github.io', 'private'],
    ['CorsAllowOrigin https://a.example,https://*.co.uk',
        'https://*.co.uk', 'co.uk', 'ICANN'],
    ["<Location /x>\nCorsAllowCredentials On\nCorsAllowOrigin https://*.com.au\n</Location>",
        'https://*.com.au', 'com.au', 'ICANN'],
);

# Wildcards above one registered site: not a public suffix, or an
# exception rule of the list ("!www.ck", "!city.kawasaki.jp"), or a name
# the list does not have.
my @not_suffix = (
    'https://*.example.co.uk', 'https://*.example.co.uk:*',
    'https://*.alice.github.io', 'http://*.alice.github.io:8080',
    'https://*.www.ck', 'https://*.city.kawasaki.jp',
    'https://*.dev.internal', 'http://*.app.localhost:*',
);

plan tests => 1 + 3 * @bad + 2 * @good + 5 * @suffix + 2 * @not_suffix;

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

for my $c (@suffix) {
    my ($body, $value, $suffix, $section) = @$c;
    (my $name = $body) =~ s/\n/; /g;
    my ($rc, $out) = check_config($body);
    isnt $rc, 0, "refused: $name";
    like $out, qr/\bCorsAllowOrigin\b/, "$name: message names the directive"
        or diag $out;
    like $out, qr/\Q'$value' is not a valid origin\E/,
        "$name: message quotes '$value'" or diag $out;
    like $out, qr/\Qthe wildcard stands directly above the public suffix '$suffix' (public suffix list, $section section) and would match every site registered under it\E/,
        "$name: message names the suffix '$suffix' and the $section section"
        or diag $out;
    unlike $out, qr/Syntax OK/, "$name: no 'Syntax OK'";
}

for my $origin (@not_suffix) {
    my ($rc, $out) = check_config("CorsAllowOrigin $origin");
    is $rc, 0, "accepted: CorsAllowOrigin $origin" or diag $out;
    like $out, qr/Syntax OK/, "CorsAllowOrigin $origin: Syntax OK" or diag $out;
}
