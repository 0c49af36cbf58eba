# Actual (non-preflight) requests: Access-Control-Allow-Origin,
# -Allow-Credentials and -Expose-Headers values, the `*` policy, Vary, and
# error responses. Config: t/conf/extra.conf.in, section "actual.t".
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;

plan tests => 83, need_lwp;

my $A = 'https://a.example';
my $res;

# --- exact list, allowed origin -----------------------------------------
$res = req(GET => '/exact/x.txt', Origin => $A);
is $res->code, 200, 'allowed origin: file served';
is $res->content, "hello cors\n", 'allowed origin: body intact';
is_deeply [field_values($res, 'Access-Control-Allow-Origin')], [$A],
    'allowed origin: one ACAO field, the request Origin';
ok !defined $res->header('Access-Control-Allow-Credentials'),
    'credentials Off: no ACAC';
is $res->header('Access-Control-Expose-Headers'), 'X-One, X-Two',
    'ACEH: configured list joined with ", "';
ok vary_ok($res, 'Origin'), 'allowed origin: one Vary field, "Origin"'
    or diag explain [field_values($res, 'Vary')];
ok !defined $res->header('Access-Control-Allow-Methods'),
    'actual request: no ACAM';
ok !defined $res->header('Access-Control-Max-Age'),
    'actual request: no Max-Age';

# the second listed origin, with its explicit non-default port
$res = req(GET => '/exact/x.txt', Origin => 'http://b.example:8080');
is $res->header('Access-Control-Allow-Origin'), 'http://b.example:8080',
    'second listed origin (non-default port) allowed, reflected verbatim';

# --- refused and absent Origin ------------------------------------------
$res = req(GET => '/exact/x.txt', Origin => 'https://c.example');
is $res->code, 200, 'refused origin: file still served';
is $res->content, "hello cors\n", 'refused origin: body intact';
is_deeply [acheaders($res)], [], 'refused origin: no Access-Control-* at all';
ok vary_ok($res, 'Origin'), 'refused origin: Vary: Origin'
    or diag explain [field_values($res, 'Vary')];

$res = req(GET => '/exact/x.txt');
is $res->code, 200, 'no Origin: file served';
is_deeply [acheaders($res)], [], 'no Origin: no Access-Control-*';
ok vary_ok($res, 'Origin'), 'no Origin: Vary: Origin'
    or diag explain [field_values($res, 'Vary')];

# scheme and port are part of the origin
for my $o ('http://a.example', 'https://a.example:8443') {
    $res = req(GET => '/exact/x.txt', Origin => $o);
    is_deeply [acheaders($res)], [], "$o is not $A: no Access-Control-*";
}

# HEAD and POST are actual requests too
$res = req(HEAD => '/exact/x.txt', Origin => $A);
is $res->code, 200, 'HEAD: 200';
is $res->header('Access-Control-Allow-Origin'), $A, 'HEAD: ACAO';
$res = req(POST => '/exact/x.txt', Origin => $A,
           'Content-Type' => 'text/plain', Content => 'x');
is $res->header('Access-Control-Allow-Origin'), $A,
    'POST (405 from the file handler or not): ACAO';

# --- credentials ----------------------------------------------------------
$res = req(GET => '/cred/x.txt', Origin => $A);
is $res->header('Access-Control-Allow-Origin'), $A, 'credentials: ACAO';
is_deeply [field_values($res, 'Access-Control-Allow-Credentials')], ['true'],
    'credentials On: one ACAC field, "true"';
is $res->header('Access-Control-Expose-Headers'), 'X-One',
    'credentials: ACEH';
$res = req(GET => '/cred/x.txt', Origin => 'https://evil.example');
is_deeply [acheaders($res)], [],
    'credentials, refused origin: no ACAC either';

# --- `*` policy -------------------------------------------------------------
for my $o ('https://anything.example', 'http://localhost:3000', $A) {
    $res = req(GET => '/star/x.txt', Origin => $o);
    is $res->header('Access-Control-Allow-Origin'), '*',
        "`*` policy, Origin $o: ACAO *";
    ok !defined $res->header('Access-Control-Allow-Credentials'),
        "`*` policy, Origin $o: no ACAC";
}
# The same answer for every Origin, and for none: one cached copy serves
# every site (README "Caches and CDNs").
ok !grep({ $_ eq 'origin' } vary_tokens($res)), '`*` policy: no Vary: Origin'
    or diag explain [field_values($res, 'Vary')];
$res = req(GET => '/star/x.txt');
is_deeply [map { "$_: " . $res->header($_) } acheaders($res)],
    ['access-control-allow-origin: *'],
    '`*` policy, no Origin: Access-Control-Allow-Origin: * all the same';

# `*` (outer) merged with credentials On (inner): `*`, no credentials
$res = req(GET => '/starcred/inner/x.txt', Origin => $A);
is $res->code, 200, 'merged * + credentials: 200';
is $res->header('Access-Control-Allow-Origin'), '*',
    'merged * + credentials: ACAO *';
ok !defined $res->header('Access-Control-Allow-Credentials'),
    'merged * + credentials: no ACAC';

# `*` listed next to a named origin: without credentials every origin is
# answered with the shared `*`; with credentials the named origin is
# answered by name (and with credentials), any other by `*` (never with
# credentials).
$res = req(GET => '/mixed/x.txt', Origin => $A);
is $res->header('Access-Control-Allow-Origin'), '*',
    '"a.example *": a.example answered with the shared *';
$res = req(GET => '/mixed/x.txt', Origin => 'https://b.example');
is $res->header('Access-Control-Allow-Origin'), '*',
    '"a.example *": another origin answered with *';
$res = req(GET => '/mixed/cred/x.txt', Origin => $A);
is $res->header('Access-Control-Allow-Origin'), $A,
    '"a.example *" + credentials: a.example by name';
is $res->header('Access-Control-Allow-Credentials'), 'true',
    '"a.example *" + credentials: a.example gets ACAC';
$res = req(GET => '/mixed/cred/x.txt', Origin => 'https://b.example');
is $res->header('Access-Control-Allow-Origin'), '*',
    '"a.example *" + credentials: another origin gets *';
ok !defined $res->header('Access-Control-Allow-Credentials'),
    '"a.example *" + credentials: another origin gets no ACAC';

# --- 304 and 206 ------------------------------------------------------------
$res = req(GET => '/exact/x.txt', Origin => $A);
my $etag = $res->header('ETag');
ok defined $etag, 'file has an ETag';
$res = req(GET => '/exact/x.txt', Origin => $A, 'If-None-Match' => $etag // '"x"');
is $res->code, 304, 'conditional GET: 304';
is $res->header('Access-Control-Allow-Origin'), $A, '304: ACAO';
ok vary_ok($res, 'Origin'), '304: Vary: Origin'
    or diag explain [field_values($res, 'Vary')];
$res = req(GET => '/exact/x.txt', Origin => $A, Range => 'bytes=0-4');
is $res->code, 206, 'range GET: 206';
is $res->content, 'hello', '206: the range';
is $res->header('Access-Control-Allow-Origin'), $A, '206: ACAO';

# --- Vary merged with other Vary tokens, never duplicated --------------------
$res = req(GET => '/vary/merge/x.txt', Origin => $A);
is $res->header('Access-Control-Allow-Origin'), $A,
    'mod_headers "Header merge Vary": ACAO';
ok vary_ok($res, 'Accept-Encoding', 'Origin'),
    'mod_headers "Header merge Vary Accept-Encoding": one Vary field with both'
    or diag explain [field_values($res, 'Vary')];

$res = req(GET => '/vary/always/x.txt', Origin => $A);
ok vary_ok($res, 'Accept-Encoding', 'Origin'),
    '"Header always append Vary Origin": Origin still only once'
    or diag explain [field_values($res, 'Vary')];
$res = req(GET => '/vary/always/x.txt', Origin => 'https://evil.example');
ok vary_ok($res, 'Accept-Encoding', 'Origin'),
    'refused origin, Vary from mod_headers: Origin once'
    or diag explain [field_values($res, 'Vary')];

$res = req(GET => '/vary/vary.asis', Origin => $A);
is $res->code, 200, 'handler-set Vary: 200';
is $res->content, "varied body\n", 'handler-set Vary: handler body';
ok vary_ok($res, 'Accept-Language', 'Origin'),
    'Vary set by the handler kept, Origin merged in'
    or diag explain [field_values($res, 'Vary')];
is $res->header('Access-Control-Allow-Origin'), $A,
    'handler-set Vary: ACAO';

# --- error responses ------------------------------------------------------
$res = req(GET => '/errors/missing.txt', Origin => $A);
is $res->code, 404, '404 for a missing file';
is_deeply [field_values($res, 'Access-Control-Allow-Origin')], [$A],
    '404: one ACAO field';
ok vary_ok($res, 'Origin'), '404: Vary: Origin'
    or diag explain [field_values($res, 'Vary')];
$res = req(GET => '/errors/missing.txt', Origin => 'https://evil.example');
is $res->code, 404, '404, refused origin';
is_deeply [acheaders($res)], [], '404, refused origin: no Access-Control-*';
ok vary_ok($res, 'Origin'), '404, refused origin: Vary: Origin'
    or diag explain [field_values($res, 'Vary')];

$res = req(GET => '/errors/ed/missing.txt', Origin => $A);
is $res->code, 404, 'ErrorDocument 404: status';
is $res->content, "not found page\n", 'ErrorDocument 404: the error page';
is_deeply [field_values($res, 'Access-Control-Allow-Origin')], [$A],
    'ErrorDocument 404 (outside the policy): one ACAO field';
ok vary_ok($res, 'Origin'), 'ErrorDocument 404: Vary: Origin once'
    or diag explain [field_values($res, 'Vary')];

$res = req(GET => '/errors/denied/x.txt', Origin => $A);
is $res->code, 403, 'Require all denied: 403';
is_deeply [field_values($res, 'Access-Control-Allow-Origin')], [$A],
    '403 from authz: one ACAO field';
ok vary_ok($res, 'Origin'), '403 from authz: Vary: Origin'
    or diag explain [field_values($res, 'Vary')];

$res = req(GET => '/errors/redirect/x.txt', Origin => $A);
is $res->code, 302, 'Redirect in <Location>: 302 for an actual request';
like $res->header('Location') // '', qr{/errors/x\.txt$}, '302: Location';
is $res->header('Access-Control-Allow-Origin'), $A, '302: ACAO';
ok vary_ok($res, 'Origin'), '302: Vary: Origin'
    or diag explain [field_values($res, 'Vary')];

$res = req(GET => '/errors/e500.asis', Origin => $A);
is $res->code, 500, 'handler answering 500';
is $res->header('Access-Control-Allow-Origin'), $A, '500: ACAO';
ok vary_ok($res, 'Origin'), '500: Vary: Origin'
    or diag explain [field_values($res, 'Vary')];

# --- CorsExposeHeaders * -------------------------------------------------
$res = req(GET => '/expose/star/x.asis', Origin => $A);
is $res->header('Access-Control-Expose-Headers'), '*',
    'CorsExposeHeaders * without credentials: ACEH *';

$res = req(GET => '/expose/starcred/x.asis', Origin => $A);
is $res->header('X-Custom'), 'one', 'expose * + credentials: handler ran';
is $res->header('Access-Control-Allow-Credentials'), 'true',
    'expose * + credentials: ACAC';
my $aceh = $res->header('Access-Control-Expose-Headers') // '';
isnt $aceh, '*', 'expose * + credentials: ACEH is not *';
my %exposed = map { lc($_) => 1 } split /\s*,\s*/, $aceh;
ok $exposed{'x-custom'} && $exposed{'x-other'},
    'expose * + credentials: ACEH names the headers the handler set'
    or diag "ACEH: $aceh";
my @unknown = grep { !defined $res->header($_) } keys %exposed;
is_deeply \@unknown, [], 'expose * + credentials: only names of headers sent'
    or diag "ACEH: $aceh";
