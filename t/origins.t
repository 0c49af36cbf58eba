# Origin matching: exact strings, normalization of the configured value,
# subdomain and port patterns, `null`, and CorsAllowOriginMatch anchoring.
# Config: t/conf/extra.conf.in, section "origins.t".
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;

# [ location, Origin sent, allowed? ]
my @cases = (
    # CorsAllowOrigin HTTPS://A.Example:443 http://B.example:80
    # CorsAllowOrigin http://c.example:8080   (a second line accumulates)
    [norm => 'https://a.example',      1],
    [norm => 'http://b.example',       1],
    [norm => 'http://c.example:8080',  1],
    [norm => 'http://a.example',       0],
    [norm => 'https://b.example',      0],
    [norm => 'http://c.example',       0],
    [norm => 'http://c.example:8081',  0],
    [norm => 'https://a.example:8443', 0],

    # CorsAllowOrigin https://*.example.com
    [sub => 'https://a.example.com',             1],
    [sub => 'https://x.y.example.com',           1],
    [sub => 'https://a-b.example.com',           1],
    [sub => 'https://example.com',               0],
    [sub => 'https://evilexample.com',           0],
    [sub => 'https://a.evilexample.com',         0],
    [sub => 'https://a.example.com.evil.net',    0],
    [sub => 'https://a.example.com:8443',        0],
    [sub => 'http://a.example.com',              0],
    [sub => 'https://.example.com',              0],

    # CorsAllowOrigin https://*.example.com:*
    [subport => 'https://a.example.com:8443',    1],
    [subport => 'https://x.y.example.com:1',     1],
    [subport => 'https://a.example.com',         1],
    [subport => 'https://example.com:8443',      0],
    [subport => 'http://a.example.com:8443',     0],
    [subport => 'https://a.example.com.evil.net:8443', 0],

    # CorsAllowOrigin https://*.example.com:8443
    [sub8443 => 'https://a.example.com:8443',    1],
    [sub8443 => 'https://a.example.com',         0],
    [sub8443 => 'https://a.example.com:8444',    0],

    # CorsAllowOrigin http://localhost:*
    [port => 'http://localhost:3000',            1],
    [port => 'http://localhost:8080',            1],
    [port => 'http://localhost:1',               1],
    [port => 'http://localhost',                 1],
    [port => 'https://localhost:3000',           0],
    [port => 'http://localhost.evil.net:3000',   0],
    [port => 'http://127.0.0.1:3000',            0],
    [port => 'http://a.localhost:3000',          0],

    # CorsAllowOrigin HTTPS://*.Example.COM HTTP://LocalHost:* HTTP://[::1]:8080
    # (patterns and IPv6 literals normalized too)
    [case => 'https://a.example.com',            1],
    [case => 'https://example.com',              0],
    [case => 'http://localhost:3000',            1],
    [case => 'http://[::1]:8080',                1],
    [case => 'http://[::1]:8081',                0],
    [case => 'https://[::1]:8080',               0],

    # CorsAllowOrigin null https://a.example
    [null => 'null',              1],
    [null => 'https://a.example', 1],
    # CorsAllowOrigin https://a.example
    [nonull => 'null',            0],
    [nonull => 'https://a.example', 1],

    # CorsAllowOriginMatch https://a\.example
    # CorsAllowOriginMatch https://(x|y)\.c\.example
    [match => 'https://a.example',          1],
    [match => 'https://x.c.example',        1],
    [match => 'https://y.c.example',        1],
    [match => 'https://a.example.evil',     0],
    [match => 'https://a.example:8443',     0],
    [match => 'https://xa.example',         0],
    [match => 'https://z.c.example',        0],
    [match => 'https://x.c.example.evil',   0],
    [match => 'https://aXexample',          0],

    # CorsAllowOriginMatch https://a\.example|https://b\.example
    # (anchoring must wrap the whole alternation)
    [alt => 'https://a.example',            1],
    [alt => 'https://b.example',            1],
    [alt => 'https://a.example.evil',       0],
    [alt => 'https://b.example.evil',       0],
    [alt => 'https://evil.b.example',       0],

    # CorsAllowOrigin https://list.example
    # CorsAllowOriginMatch https://re[0-9]\.example   (one policy, both work)
    [both => 'https://list.example',        1],
    [both => 'https://re7.example',         1],
    [both => 'https://rex.example',         0],
);

plan tests => 3 * @cases, need_lwp;

for my $c (@cases) {
    my ($loc, $origin, $allowed) = @$c;
    my $res = req(GET => "/origins/$loc/x.txt", Origin => $origin);
    my $what = "/origins/$loc, Origin $origin";
    is $res->code, 200, "$what: 200";
    if ($allowed) {
        is_deeply [field_values($res, 'Access-Control-Allow-Origin')],
            [$origin], "$what: allowed, ACAO is the Origin verbatim";
    }
    else {
        is_deeply [acheaders($res)], [], "$what: refused, no Access-Control-*";
    }
    ok vary_ok($res, 'Origin'), "$what: Vary: Origin"
        or diag explain [field_values($res, 'Vary')];
}
