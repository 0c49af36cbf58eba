# Preflights: OPTIONS with Origin and Access-Control-Request-Method.
# Config: t/conf/extra.conf.in, section "preflight.t" (policy
# https://a.example on /pf, with one setting changed per sub-location).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;

plan tests => 179, need_lwp;

my $A = 'https://a.example';
my @PF_VARY = qw(Origin Access-Control-Request-Method
                 Access-Control-Request-Headers);
my $res;

# An allowed preflight: 204, empty body, ACAO, Vary; no trace of the
# resource's handler.
sub allowed {
    my ($res, $what, $origin, @vary) = @_;
    @vary = @PF_VARY unless @vary;
    is $res->code, 204, "$what: 204";
    is $res->content, '', "$what: empty body";
    is_deeply [field_values($res, 'Access-Control-Allow-Origin')],
        [$origin // $A], "$what: one ACAO field";
    ok vary_ok($res, @vary), "$what: Vary lists the request fields "
        . "the answer depends on" or diag explain [field_values($res, 'Vary')];
}

# A refused preflight: 403, no Access-Control-Allow-*, Vary as for an
# allowed one.
sub refused {
    my ($res, $what) = @_;
    is $res->code, 403, "$what: 403";
    is_deeply [acheaders($res)], [], "$what: no Access-Control-* header"
        or diag explain [acheaders($res)];
    ok vary_ok($res, @PF_VARY), "$what: Vary lists the three request fields"
        or diag explain [field_values($res, 'Vary')];
}

# --- defaults: methods GET, HEAD, POST; no headers; no Max-Age ------------
$res = preflight('/pf/x.txt', $A, 'GET');
allowed($res, 'default policy, GET');
is $res->header('Access-Control-Allow-Methods'), 'GET, HEAD, POST',
    'default ACAM: GET, HEAD, POST';
ok !defined $res->header('Access-Control-Allow-Headers'),
    'no CorsAllowHeaders: no ACAH';
ok !defined $res->header('Access-Control-Max-Age'), 'no CorsMaxAge: no header';
ok !defined $res->header('Access-Control-Allow-Credentials'),
    'credentials Off: no ACAC';
ok !defined $res->header('Access-Control-Allow-Private-Network'),
    'private network Off: no ACAPN';
ok !defined $res->header('Access-Control-Expose-Headers'),
    'preflight: no ACEH';
# the file handler never ran
for my $h (qw(Last-Modified ETag Accept-Ranges Allow)) {
    ok !defined $res->header($h), "preflight to a file: no $h";
}

allowed(preflight('/pf/x.txt', $A, 'HEAD'), 'default policy, HEAD');
allowed(preflight('/pf/x.txt', $A, 'POST'), 'default policy, POST');
refused(preflight('/pf/x.txt', $A, 'PUT'), 'default policy, PUT');
refused(preflight('/pf/x.txt', $A, 'DELETE'), 'default policy, DELETE');
refused(preflight('/pf/x.txt', 'https://evil.example', 'GET'),
        'refused origin');
refused(preflight('/pf/x.txt', $A, 'GET', 'X-Foo'),
        'default policy, a request header');

# --- CorsAllowMethods PUT DELETE PATCH ------------------------------------
$res = preflight('/pf/methods/x.txt', $A, 'PUT');
allowed($res, 'configured methods, PUT');
is $res->header('Access-Control-Allow-Methods'), 'PUT, DELETE, PATCH',
    'ACAM: configured list joined with ", "';
allowed(preflight('/pf/methods/x.txt', $A, 'PATCH'), 'configured methods, PATCH');
allowed(preflight('/pf/methods/x.txt', $A, 'GET'),
        'configured methods, GET is safelisted');
allowed(preflight('/pf/methods/x.txt', $A, 'POST'),
        'configured methods, POST is safelisted');
refused(preflight('/pf/methods/x.txt', $A, 'PROPFIND'),
        'configured methods, PROPFIND');
refused(preflight('/pf/methods/x.txt', $A, 'put'),
        'configured methods, "put": method names are case-sensitive');

# --- CorsAllowMethods * ---------------------------------------------------
$res = preflight('/pf/mstar/x.txt', $A, 'PROPFIND');
allowed($res, 'methods *, PROPFIND');
is $res->header('Access-Control-Allow-Methods'), '*',
    'methods * without credentials: ACAM *';

$res = preflight('/pf/mstarcred/x.txt', $A, 'PROPFIND');
allowed($res, 'methods * + credentials, PROPFIND');
is $res->header('Access-Control-Allow-Methods'), 'PROPFIND',
    'methods * + credentials: the requested method echoed';
is $res->header('Access-Control-Allow-Credentials'), 'true',
    'methods * + credentials: ACAC';

# --- CorsAllowHeaders X-Foo Content-Type ----------------------------------
$res = preflight('/pf/headers/x.txt', $A, 'GET', 'x-foo');
allowed($res, 'listed header');
is $res->header('Access-Control-Allow-Headers'), 'X-Foo, Content-Type',
    'ACAH: configured list joined with ", "';
allowed(preflight('/pf/headers/x.txt', $A, 'POST', 'X-FOO,content-type'),
        'two listed headers, any case, no space');
allowed(preflight('/pf/headers/x.txt', $A, 'POST', 'content-type , x-foo'),
        'two listed headers, spaces around the comma');
$res = preflight('/pf/headers/x.txt', $A, 'GET');
allowed($res, 'no Access-Control-Request-Headers');
is $res->header('Access-Control-Allow-Headers'), 'X-Foo, Content-Type',
    'ACAH sent even when no header was requested';
refused(preflight('/pf/headers/x.txt', $A, 'GET', 'x-bar'), 'unlisted header');
refused(preflight('/pf/headers/x.txt', $A, 'GET', 'x-foo, x-bar'),
        'one listed and one unlisted header');
refused(preflight('/pf/headers/x.txt', $A, 'GET', 'authorization'),
        'Authorization not listed');

# --- CorsAllowHeaders * ---------------------------------------------------
$res = preflight('/pf/hstar/x.txt', $A, 'GET', 'x-anything, x-other');
allowed($res, 'headers *');
is $res->header('Access-Control-Allow-Headers'), '*',
    'headers * without credentials: ACAH *';
refused(preflight('/pf/hstar/x.txt', $A, 'GET', 'authorization'),
        'headers *: Authorization is not covered by *');
refused(preflight('/pf/hstar/x.txt', $A, 'GET', 'x-a, Authorization'),
        'headers *: Authorization among others is not covered');

$res = preflight('/pf/hstarauth/x.txt', $A, 'GET', 'authorization, x-a');
allowed($res, 'headers * Authorization: Authorization listed by name');

$res = preflight('/pf/hstarcred/x.txt', $A, 'GET', 'X-Foo, X-Bar');
allowed($res, 'headers * + credentials');
is $res->header('Access-Control-Allow-Headers'), 'x-foo, x-bar',
    'headers * + credentials: requested names echoed, lowercase';
refused(preflight('/pf/hstarcred/x.txt', $A, 'GET', 'authorization'),
        'headers * + credentials: Authorization still not covered');

# --- Max-Age ------------------------------------------------------------
is preflight('/pf/maxage/x.txt', $A, 'GET')->header('Access-Control-Max-Age'),
    '600', 'CorsMaxAge 600';
is preflight('/pf/maxage0/x.txt', $A, 'GET')->header('Access-Control-Max-Age'),
    '0', 'CorsMaxAge 0 is sent';
ok !defined req(GET => '/pf/maxage/x.txt', Origin => $A)
        ->header('Access-Control-Max-Age'),
    'Max-Age only on preflights';

# --- Private Network Access -----------------------------------------------
$res = preflight('/pf/pna/x.txt', $A, 'GET', undef,
                 'Access-Control-Request-Private-Network' => 'true');
# The answer depends on Access-Control-Request-Private-Network when
# CorsAllowPrivateNetwork is On: Vary lists it, asked for or not.
my @PNA_VARY = (@PF_VARY, 'Access-Control-Request-Private-Network');
allowed($res, 'private network requested and allowed', undef, @PNA_VARY);
ok vary_ok(preflight('/pf/pna/x.txt', $A, 'GET'), @PNA_VARY),
    'CorsAllowPrivateNetwork On, not requested: Vary lists '
    . 'Access-Control-Request-Private-Network';
ok vary_ok(preflight('/pf/pna/x.txt', $A, 'PATCH'), @PNA_VARY),
    'CorsAllowPrivateNetwork On, refused preflight: Vary lists '
    . 'Access-Control-Request-Private-Network';
ok vary_ok(preflight('/pf/x.txt', $A, 'GET', undef,
                     'Access-Control-Request-Private-Network' => 'true'),
           @PF_VARY),
    'CorsAllowPrivateNetwork Off: Vary without '
    . 'Access-Control-Request-Private-Network';
is $res->header('Access-Control-Allow-Private-Network'), 'true',
    'CorsAllowPrivateNetwork On + request: ACAPN true';
ok !defined preflight('/pf/pna/x.txt', $A, 'GET')
        ->header('Access-Control-Allow-Private-Network'),
    'CorsAllowPrivateNetwork On, not requested: no ACAPN';
ok !defined preflight('/pf/x.txt', $A, 'GET', undef,
                      'Access-Control-Request-Private-Network' => 'true')
        ->header('Access-Control-Allow-Private-Network'),
    'CorsAllowPrivateNetwork Off, requested: no ACAPN';

# --- credentials ----------------------------------------------------------
$res = preflight('/pf/cred/x.txt', $A, 'GET');
allowed($res, 'credentials On');
is_deeply [field_values($res, 'Access-Control-Allow-Credentials')], ['true'],
    'credentials On: one ACAC field';
is $res->header('Access-Control-Allow-Methods'), 'GET, HEAD, POST',
    'credentials On, default methods listed';

# --- a preflight to a URL with no file behind it --------------------------
$res = preflight('/pf/missing.txt', $A, 'GET');
allowed($res, 'preflight to a missing file (policy applies to the URL)');

# --- Access-Control-Request-Private-Network other than "true" ---------------
ok !defined preflight('/pf/pna/x.txt', $A, 'GET', undef,
                      'Access-Control-Request-Private-Network' => 'false')
        ->header('Access-Control-Allow-Private-Network'),
    'private network request "false": no ACAPN';

# --- `*` listed next to a named origin, credentials On ---------------------
$res = preflight('/mixed/cred/x.txt', $A, 'GET');
allowed($res, '"a.example *" + credentials, a.example');
is $res->header('Access-Control-Allow-Credentials'), 'true',
    '"a.example *" + credentials, a.example: ACAC';
$res = preflight('/mixed/cred/x.txt', 'https://b.example', 'GET');
allowed($res, '"a.example *" + credentials, another origin', '*');
ok !defined $res->header('Access-Control-Allow-Credentials'),
    '"a.example *" + credentials, another origin: no ACAC';

# --- `*` origin policy ----------------------------------------------------
$res = preflight('/star/x.txt', 'https://any.example', 'GET');
allowed($res, 'origin *', '*');

# --- the resource's own handler never runs --------------------------------
# marker.lua answers every method, OPTIONS included, with X-Handler-Ran.
$res = req(OPTIONS => '/pf/marker.lua');
is $res->header('X-Handler-Ran'), 'yes',
    'control: plain OPTIONS reaches the Lua handler';
$res = preflight('/pf/marker.lua', $A, 'GET');
allowed($res, 'preflight to a Lua handler');
ok !defined $res->header('X-Handler-Ran'), 'the Lua handler did not run';
$res = preflight('/pf/marker.lua', 'https://evil.example', 'GET');
is $res->code, 403, 'refused preflight to a Lua handler: 403';
ok !defined $res->header('X-Handler-Ran'),
    'refused preflight: the Lua handler did not run';

# --- OPTIONS that is not a preflight --------------------------------------
$res = req(OPTIONS => '/pf/x.txt', Origin => $A);
is $res->code, 200, 'OPTIONS without ACRM: 200 from httpd';
like $res->header('Allow') // '', qr/\bOPTIONS\b/,
    'OPTIONS without ACRM: Allow header from httpd';
is $res->header('Access-Control-Allow-Origin'), $A,
    'OPTIONS without ACRM: actual-request ACAO';
ok !defined $res->header('Access-Control-Allow-Methods'),
    'OPTIONS without ACRM: no ACAM';
ok vary_ok($res, 'Origin'), 'OPTIONS without ACRM: Vary: Origin'
    or diag explain [field_values($res, 'Vary')];

$res = req(OPTIONS => '/pf/x.txt',
           'Access-Control-Request-Method' => 'PUT');
is $res->code, 200, 'OPTIONS with ACRM, no Origin: 200 from httpd';
like $res->header('Allow') // '', qr/\bOPTIONS\b/,
    'OPTIONS with ACRM, no Origin: Allow header';
is_deeply [acheaders($res)], [], 'OPTIONS with ACRM, no Origin: no CORS';

$res = req(OPTIONS => '/pf/marker.lua', Origin => $A);
is $res->header('X-Handler-Ran'), 'yes',
    'OPTIONS without ACRM reaches the resource handler';
is $res->header('Access-Control-Allow-Origin'), $A,
    'OPTIONS without ACRM, resource handler: ACAO';

# --- a preflight to a directory without its trailing slash ---------------
$res = req(GET => '/pf/sub', Origin => $A);
is $res->code, 301, 'control: GET /pf/sub is redirected by mod_dir';
$res = preflight('/pf/sub', $A, 'GET');
allowed($res, 'preflight to /pf/sub (no trailing slash): not redirected');
