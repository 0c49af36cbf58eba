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
use HTTP::Request ();

plan tests => 69, need_lwp;

my $ua = Apache::TestRequest::user_agent(reset => 1,
                                         requests_redirectable => 0);

my $A    = 'https://a.example';
my $EVIL = 'https://evil.example';

sub req {
    my ($method, $path, @headers) = @_;
    my $r = HTTP::Request->new($method
                               => Apache::TestRequest::resolve_url($path));
    while (my ($k, $v) = splice @headers, 0, 2) {
        $r->push_header($k => $v);
    }
    return $ua->request($r);
}

sub preflight {
    my ($path, $origin, $method) = @_;
    return req(OPTIONS => $path, Origin => $origin,
               'Access-Control-Request-Method' => $method);
}

sub fields { my ($res, $name) = @_; my @v = $res->headers->header($name); @v }

sub acheaders {
    my $res = shift;
    return sort grep { /^access-control-/ }
           map { lc } $res->headers->header_field_names;
}

sub vary_tokens {
    my $res = shift;
    return sort map { lc } grep { length } map { split /\s*,\s*/ }
           fields($res, 'Vary');
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
    is_deeply [fields($res, 'Access-Control-Allow-Origin')], [$A],
        "$what: one Access-Control-Allow-Origin, ours";
    is_deeply [fields($res, 'Access-Control-Allow-Credentials')], ['true'],
        "$what: one Access-Control-Allow-Credentials";
    is_deeply [fields($res, 'Access-Control-Expose-Headers')], ['X-Front'],
        "$what: one Access-Control-Expose-Headers, ours";
    is_deeply [fields($res, 'Access-Control-Allow-Methods')], [],
        "$what: the backend's Access-Control-Allow-Methods is gone";
    is scalar(fields($res, 'Vary')), 1, "$what: one Vary field";
    is_deeply [vary_tokens($res)], [qw(accept-encoding origin)],
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
is scalar(fields($res, 'Vary')), 1, 'proxied, refused origin: one Vary';
is_deeply [vary_tokens($res)], [qw(accept-encoding origin)],
    'proxied, refused origin: Vary has Origin and Accept-Encoding';

$res = req(GET => '/cycle/proxied/file.txt');
is $res->code, 200, 'proxied, no Origin: 200';
is_deeply [acheaders($res)], [],
    "proxied, no Origin: all the backend's Access-Control-* are gone";
is_deeply [vary_tokens($res)], [qw(accept-encoding origin)],
    'proxied, no Origin: Vary has Origin and Accept-Encoding';

# Preflights never reach the backend.
$res = preflight('/cycle/proxied/file.txt', $A, 'PUT');
is $res->code, 204, 'proxied preflight: 204 from Apache';
ok !defined $res->header('X-Backend-Saw'),
    'proxied preflight: the backend never saw it';
is_deeply [fields($res, 'Access-Control-Allow-Origin')], [$A],
    'proxied preflight: Access-Control-Allow-Origin once, ours';
is_deeply [fields($res, 'Access-Control-Allow-Methods')], ['PUT'],
    'proxied preflight: Access-Control-Allow-Methods once, ours';
is_deeply [fields($res, 'Access-Control-Allow-Credentials')], ['true'],
    'proxied preflight: Access-Control-Allow-Credentials once';
is_deeply [fields($res, 'Access-Control-Expose-Headers')], [],
    'proxied preflight: no Access-Control-Expose-Headers';
is $res->content, '', 'proxied preflight: empty body';

$res = preflight('/cycle/proxied/file.txt', $A, 'PATCH');
is $res->code, 403, 'proxied preflight, refused method: 403';
ok !defined $res->header('X-Backend-Saw'),
    'proxied preflight, refused method: the backend never saw it';
is_deeply [grep { /^access-control-allow-/ } acheaders($res)], [],
    'proxied preflight, refused method: no Access-Control-Allow-*';

$res = preflight('/cycle/proxied/file.txt', $EVIL, 'PUT');
is $res->code, 403, 'proxied preflight, refused origin: 403';
ok !defined $res->header('X-Backend-Saw'),
    'proxied preflight, refused origin: the backend never saw it';
is_deeply [grep { /^access-control-allow-/ } acheaders($res)], [],
    'proxied preflight, refused origin: no Access-Control-Allow-*';

# A plain OPTIONS is not a preflight: proxied like any request.
$res = req(OPTIONS => '/cycle/proxied/file.txt', Origin => $A);
is $res->code, 200, 'proxied plain OPTIONS: 200';
is $res->header('X-Backend-Saw'), 'yes',
    'proxied plain OPTIONS: answered by the backend';
is_deeply [fields($res, 'Access-Control-Allow-Origin')], [$A],
    'proxied plain OPTIONS: Access-Control-Allow-Origin once, ours';

# ------------------------------------------------------------------
# CorsBackendHeaders Keep

for my $origin ($A, $EVIL, undef) {
    my $what = 'proxykeep, ' . ($origin ? "Origin $origin" : 'no Origin');
    $res = req(GET => '/cycle/proxykeep/file.txt',
               ($origin ? (Origin => $origin) : ()));
    is $res->code, 200, "$what: 200";
    is $res->header('X-Backend-Saw'), 'yes', "$what: came from the backend";
    is_deeply [fields($res, 'Access-Control-Allow-Origin')], ['*'],
        "$what: the backend's Access-Control-Allow-Origin, once";
    is_deeply [fields($res, 'Access-Control-Allow-Credentials')], ['true'],
        "$what: the backend's Access-Control-Allow-Credentials, once";
    is_deeply [fields($res, 'Access-Control-Expose-Headers')], ['X-Backend'],
        "$what: the backend's Access-Control-Expose-Headers, once";
    is_deeply [fields($res, 'Access-Control-Allow-Methods')], ['PUT, PATCH'],
        "$what: the backend's Access-Control-Allow-Methods, once";
    is_deeply [vary_tokens($res)], ['accept-encoding'],
        "$what: the backend's Vary only (no Origin from the module)";
}

$res = preflight('/cycle/proxykeep/file.txt', $A, 'PUT');
is $res->code, 204, 'proxykeep preflight: 204 from Apache';
ok !defined $res->header('X-Backend-Saw'),
    'proxykeep preflight: the backend never saw it';
is_deeply [fields($res, 'Access-Control-Allow-Origin')], [$A],
    'proxykeep preflight: Access-Control-Allow-Origin once, ours';
