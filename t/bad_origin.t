# Malformed, empty, repeated, over-long and otherwise bad Origin values are
# never reflected: no Access-Control-* header at all, the request is
# otherwise served as usual, and the server keeps working.
# Config: t/conf/extra.conf.in, section "bad_origin.t". /bad/match allows
# every string matching "https?://.*", so a bad Origin that reached the
# matcher would be reflected there.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;

# 600 bytes of labels of 49 letters: too long, but not for any other reason
my $long = 'https://' . join('.', ('a' x 49) x 11);
$long .= '.' . ('b' x (600 - length($long) - length('.example') - 1)) . '.example';
die "bad test data" unless length $long == 600;

my @bad = (
    ['trailing slash'        => 'https://a.example/'],
    ['path'                  => 'https://a.example/x'],
    ['query'                 => 'https://a.example?x=1'],
    ['fragment'              => 'https://a.example#f'],
    ['userinfo'              => 'https://u@a.example'],
    ['uppercase scheme+host' => 'HTTPS://A.EXAMPLE'],
    ['uppercase host'        => 'https://A.example'],
    ['default port written'  => 'https://a.example:443'],
    ['default http port'     => 'http://a.example:80'],
    ['empty port'            => 'https://a.example:'],
    ['non-numeric port'      => 'https://a.example:abc'],
    ['port out of range'     => 'https://a.example:65536'],
    ['no host'               => 'https://'],
    ['no scheme'             => 'a.example'],
    ['scheme-relative'       => '//a.example'],
    ['inner space'           => 'https://a .example'],
    ['inner tab'             => "https://a\t.example"],
    ['non-ASCII UTF-8 bytes' => "https://\xc3\xa9.example"],
    ['non-ASCII latin-1'     => "https://a\xe9.example"],
    ['two origins joined'    => 'https://a.example https://b.example'],
    ['comma list'            => 'https://a.example, https://a.example'],
    ['wildcard'              => '*'],
    ['wildcard host'         => 'https://*.example'],
    ['over-long (600 bytes)' => $long],
);

# Each case: /bad/match and /bad/exact (CorsAllowOrigin https://a.example)
# 3 tests each; /bad/star (a shared "*") 2 tests.
plan tests => 8 * @bad + 3 + 7 + 6 + 4 + 2 + 7 + 8 + 3, need_lwp;

my $A = 'https://a.example';

sub no_cors {
    my ($res, $what) = @_;
    is $res->code, 200, "$what: request still served (200)";
    is_deeply [acheaders($res)], [], "$what: no Access-Control-* header"
        or diag explain [acheaders($res)];
}

# A `*` policy without credentials answers every request of its scope
# with the same literal "*" (README "Caches and CDNs"): a bad Origin is not
# reflected there either, and nothing else is sent.
sub star_only {
    my ($res, $what) = @_;
    is $res->code, 200, "$what: request still served (200)";
    is_deeply [map { "$_: " . $res->header($_) } acheaders($res)],
        ['access-control-allow-origin: *'],
        "$what: only the shared Access-Control-Allow-Origin: *";
}

for my $c (@bad) {
    my ($name, $origin) = @$c;
    my $res = req(GET => '/bad/match/x.txt', Origin => $origin);
    no_cors($res, "match-all regex, $name");
    ok vary_ok($res, 'Origin'), "match-all regex, $name: Vary: Origin"
        or diag explain [field_values($res, 'Vary')];

    $res = req(GET => '/bad/exact/x.txt', Origin => $origin);
    no_cors($res, "exact list, $name");
    is $res->content, "hello cors\n", "exact list, $name: body intact";

    $res = req(GET => '/bad/star/x.txt', Origin => $origin);
    star_only($res, "`*` policy, $name");
}

# Positive controls: the same locations do answer a good Origin.
my $res = req(GET => '/bad/match/x.txt', Origin => 'https://ok.example');
is $res->header('Access-Control-Allow-Origin'), 'https://ok.example',
    'control: match-all regex reflects a well-formed origin';
$res = req(GET => '/bad/exact/x.txt', Origin => $A);
is $res->header('Access-Control-Allow-Origin'), $A,
    'control: exact list reflects the listed origin';
$res = req(GET => '/bad/star/x.txt', Origin => $A);
is $res->header('Access-Control-Allow-Origin'), '*',
    'control: `*` policy answers a well-formed origin';

# An empty Origin header field.
{
    my ($status, $head, $body) = raw_request(
        "GET /bad/match/x.txt HTTP/1.1\r\nHost: localhost\r\n"
      . "Origin: \r\nConnection: close\r\n\r\n");
    is $status, 200, 'empty Origin: 200';
    unlike $head, qr/^access-control-/mi, 'empty Origin: no Access-Control-*';
    is $body, "hello cors\n", 'empty Origin: body';
    ($status, $head, $body) = raw_request(
        "GET /bad/exact/x.txt HTTP/1.1\r\nHost: localhost\r\n"
      . "Origin:\r\nConnection: close\r\n\r\n");
    is $status, 200, 'empty Origin (no space): 200';
    unlike $head, qr/^access-control-/mi,
        'empty Origin (no space): no Access-Control-*';
    $res = req(GET => '/bad/exact/x.txt', Origin => '');
    is $res->code, 200, 'empty Origin via LWP: 200';
    is_deeply [acheaders($res)], [], 'empty Origin via LWP: no Access-Control-*';
}

# Two Origin header fields, each allowed on its own: httpd joins them with
# ", ", which is not an origin.
for my $loc (qw(match exact star)) {
    $res = req(GET => "/bad/$loc/x.txt", Origin => [$A, $A]);
    if ($loc eq 'star') {
        star_only($res, "two Origin fields (LWP), /bad/$loc");
    }
    else {
        no_cors($res, "two Origin fields (LWP), /bad/$loc");
    }
}

{
    my ($status, $head) = raw_request(
        "GET /bad/exact/x.txt HTTP/1.1\r\nHost: localhost\r\n"
      . "Origin: https://a.example\r\nOrigin: https://a.example\r\n"
      . "Connection: close\r\n\r\n");
    is $status, 200, 'two Origin fields (raw socket): 200';
    unlike $head, qr/^access-control-/mi,
        'two Origin fields (raw socket): no Access-Control-*';
    ($status, $head) = raw_request(
        "GET /bad/exact/x.txt HTTP/1.1\r\nHost: localhost\r\n"
      . "Origin: https://a.example\r\nConnection: close\r\n\r\n");
    is $status, 200, 'control, one Origin field (raw socket): 200';
    like $head, qr{^Access-Control-Allow-Origin: https://a\.example\r?$}mi,
        'control, one Origin field (raw socket): ACAO';
}

# Control characters. With the default "HttpProtocolOptions Strict" httpd
# itself answers 400 before mod_cors runs; that answer must not carry CORS
# headers either. The cors_unsafe vhost (HttpProtocolOptions Unsafe) lets
# them through to the module, which must refuse them.
{
    my ($status, $head) = raw_request(
        "GET /bad/match/x.txt HTTP/1.1\r\nHost: localhost\r\n"
      . "Origin: https://a\x01.example\r\nConnection: close\r\n\r\n");
    ok defined $status, "control char (strict server): got an answer ($status)";
    unlike $head, qr/^access-control-/mi,
        'control char (strict server): no Access-Control-*';
}

for my $cc (["\x01", 'SOH'], ["\x7f", 'DEL'], ["\x1b", 'ESC']) {
    my ($byte, $name) = @$cc;
    my ($status, $head, $body) = raw_request(
        "GET /bad/match/x.txt HTTP/1.1\r\nHost: localhost\r\n"
      . "Origin: https://a${byte}.example\r\nConnection: close\r\n\r\n",
        'cors_unsafe');
    is $status, 200, "control char $name (unsafe vhost): 200";
    unlike $head, qr/^access-control-/mi,
        "control char $name (unsafe vhost): no Access-Control-*";
}

{
    # the vhost does run the module: a good Origin is answered there
    my ($status, $head) = raw_request(
        "GET /bad/match/x.txt HTTP/1.1\r\nHost: localhost\r\n"
      . "Origin: https://ok.example\r\nConnection: close\r\n\r\n",
        'cors_unsafe');
    like $head, qr{^Access-Control-Allow-Origin: https://ok\.example\r?$}mi,
        'control: the unsafe vhost answers a good Origin';
}

# Preflights with a bad Origin: refused, and never with ACAO.
for my $o ('https://a.example/', 'HTTPS://A.EXAMPLE', $long, "$A, $A") {
    $res = preflight('/bad/match/x.txt', $o, 'GET');
    my $what = 'preflight, bad Origin ' . substr($o, 0, 30);
    is $res->code, 403, "$what: 403";
    ok !defined $res->header('Access-Control-Allow-Origin'), "$what: no ACAO";
}

# The server survived all of the above.
$res = req(GET => '/bad/exact/x.txt', Origin => $A);
is $res->code, 200, 'server alive afterwards: 200';
is $res->header('Access-Control-Allow-Origin'), $A,
    'server alive afterwards: ACAO for a good Origin';
my $pf = preflight('/bad/exact/x.txt', $A, 'GET');
is $pf->code, 204, 'server alive afterwards: preflight 204';
