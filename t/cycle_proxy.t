# Issue 3, group 4: CORS in front of a reverse proxy
# (t/conf/cycle.conf.in, "cycle_proxy.t").
#
# The backend (vhost cycle_backend) answers everything with CORS headers
# of its own ("*", credentials, X-Backend exposed, PUT/PATCH), Vary:
# Accept-Encoding and the marker X-Backend-Saw. Under /cycle/proxied/
# (CorsBackendHeaders Replace, the default) the client sees mod_cors's
# CORS headers only, once each; under /cycle/proxykeep/ (Keep) the
# backend's, untouched. Preflights are answered by Apache itself.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;

plan tests => 69, need_lwp;

my $A    = 'https://a.example';
my $EVIL = 'https://evil.example';

# An allowed preflight from a to /cycle/$where/file.txt: answered by
# Apache itself, with our Access-Control-Allow-Origin. 3 tests.
sub preflight_by_apache {
    my $where = shift;
    my $res = preflight("/cycle/$where/file.txt", $A, 'PUT');
    is $res->code, 204, "$where preflight: 204 from Apache";
    ok !defined $res->header('X-Backend-Saw'),
        "$where preflight: the backend never saw it";
    is_deeply [field_values($res, 'Access-Control-Allow-Origin')], [$A],
        "$where preflight: Access-Control-Allow-Origin once, ours";
    return $res;
}

my $res;

# ------------------------------------------------------------------
# The backend itself, asked directly: its headers are what we think.
{
    local $Apache::TestRequest::Module = 'cycle_backend';
    $res = req(GET => '/cycle/backend/file.txt', Origin => $A);
}
is $res->code, 200, 'backend direct: 200';
is $res->header('X-Backend-Saw'), 'yes', 'backend direct: marker';
is $res->header('Access-Control-Allow-Origin'), '*',
    'backend direct: its own Access-Control-Allow-Origin';
is $res->header('Access-Control-Expose-Headers'), 'X-Backend',
    'backend direct: its own Access-Control-Expose-Headers';

# ------------------------------------------------------------------
# CorsBackendHeaders Replace (default)

for my $path ('/cycle/proxied/file.txt', '/cycle/proxied/missing.txt') {
    my $status = $path =~ /missing/ ? 404 : 200;
    my $what = "proxied $status, allowed origin";

    $res = req(GET => $path, Origin => $A);
    is $res->code, $status, "$what: status";
    is $res->header('X-Backend-Saw'), 'yes', "$what: came from the backend";
    is_deeply [field_values($res, 'Access-Control-Allow-Origin')], [$A],
        "$what: one Access-Control-Allow-Origin, ours";
    is_deeply [field_values($res, 'Access-Control-Allow-Credentials')],
        ['true'], "$what: one Access-Control-Allow-Credentials";
    is_deeply [field_values($res, 'Access-Control-Expose-Headers')],
        ['X-Front'], "$what: one Access-Control-Expose-Headers, ours";
    is_deeply [field_values($res, 'Access-Control-Allow-Methods')], [],
        "$what: the backend's Access-Control-Allow-Methods is gone";
    is field_count($res, 'Vary'), 1, "$what: one Vary field";
    is_deeply [sort(vary_tokens($res))], [qw(accept-encoding origin)],
        "$what: Vary has Origin and Accept-Encoding";
    like $res->content, qr{file in /cycle/backend}, "$what: backend body"
        if $status == 200;
}

$res = req(GET => '/cycle/proxied/file.txt', Origin => $EVIL);
is $res->code, 200, 'proxied, refused origin: 200';
is $res->header('X-Backend-Saw'), 'yes',
    'proxied, refused origin: came from the backend';
is_deeply [acheaders($res)], [],
    "proxied, refused origin: all the backend's Access-Control-* are gone";
is field_count($res, 'Vary'), 1, 'proxied, refused origin: one Vary';
is_deeply [sort(vary_tokens($res))], [qw(accept-encoding origin)],
    'proxied, refused origin: Vary has Origin and Accept-Encoding';

$res = req(GET => '/cycle/proxied/file.txt');
is $res->code, 200, 'proxied, no Origin: 200';
is_deeply [acheaders($res)], [],
    "proxied, no Origin: all the backend's Access-Control-* are gone";
is_deeply [sort(vary_tokens($res))], [qw(accept-encoding origin)],
    'proxied, no Origin: Vary has Origin and Accept-Encoding';

# Preflights never reach the backend.
$res = preflight_by_apache('proxied');
is_deeply [field_values($res, 'Access-Control-Allow-Methods')], ['PUT'],
    'proxied preflight: Access-Control-Allow-Methods once, ours';
is_deeply [field_values($res, 'Access-Control-Allow-Credentials')], ['true'],
    'proxied preflight: Access-Control-Allow-Credentials once';
is_deeply [field_values($res, 'Access-Control-Expose-Headers')], [],
    'proxied preflight: no Access-Control-Expose-Headers';
is $res->content, '', 'proxied preflight: empty body';

for my $c ([ 'refused method', $A, 'PATCH' ],
           [ 'refused origin', $EVIL, 'PUT' ]) {
    my ($why, $origin, $method) = @$c;
    $res = preflight('/cycle/proxied/file.txt', $origin, $method);
    is $res->code, 403, "proxied preflight, $why: 403";
    ok !defined $res->header('X-Backend-Saw'),
        "proxied preflight, $why: the backend never saw it";
    is_deeply [grep { /^access-control-allow-/ } acheaders($res)], [],
        "proxied preflight, $why: no Access-Control-Allow-*";
}

# A plain OPTIONS is not a preflight: proxied like any request.
$res = req(OPTIONS => '/cycle/proxied/file.txt', Origin => $A);
is $res->code, 200, 'proxied plain OPTIONS: 200';
is $res->header('X-Backend-Saw'), 'yes',
    'proxied plain OPTIONS: answered by the backend';
is_deeply [field_values($res, 'Access-Control-Allow-Origin')], [$A],
    'proxied plain OPTIONS: Access-Control-Allow-Origin once, ours';

# ------------------------------------------------------------------
# CorsBackendHeaders Keep

for my $origin ($A, $EVIL, undef) {
    my $what = 'proxykeep, ' . ($origin ? "Origin $origin" : 'no Origin');
    $res = req(GET => '/cycle/proxykeep/file.txt',
               ($origin ? (Origin => $origin) : ()));
    is $res->code, 200, "$what: 200";
    is $res->header('X-Backend-Saw'), 'yes', "$what: came from the backend";
    is_deeply [field_values($res, 'Access-Control-Allow-Origin')], ['*'],
        "$what: the backend's Access-Control-Allow-Origin, once";
    is_deeply [field_values($res, 'Access-Control-Allow-Credentials')],
        ['true'], "$what: the backend's Access-Control-Allow-Credentials, once";
    is_deeply [field_values($res, 'Access-Control-Expose-Headers')],
        ['X-Backend'], "$what: the backend's Access-Control-Expose-Headers, once";
    is_deeply [field_values($res, 'Access-Control-Allow-Methods')],
        ['PUT, PATCH'], "$what: the backend's Access-Control-Allow-Methods, once";
    is_deeply [sort(vary_tokens($res))], ['accept-encoding'],
        "$what: the backend's Vary only (no Origin from the module)";
}

preflight_by_apache('proxykeep');
