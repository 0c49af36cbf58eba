# Merging across nested <Location>s: each directive set inside replaces the
# outer value (lists are not appended); CorsAllowOrigin and
# CorsAllowOriginMatch form one policy replaced whole; unset inherits.
# Config: t/conf/extra.conf.in, section "merge.t". The outer /merge sets
#   CorsAllowOrigin https://outer.example, CorsAllowMethods PUT,
#   CorsAllowHeaders X-Outer, CorsExposeHeaders X-Outer, CorsMaxAge 100
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;

plan tests => 45, need_lwp;

my $OUT = 'https://outer.example';
my $IN  = 'https://inner.example';
my $res;

sub acao { req(GET => $_[0], Origin => $_[1])->header('Access-Control-Allow-Origin') }

# --- outer scope and an unset inner scope ----------------------------------
for my $loc ('/merge/x.txt', '/merge/unset/x.txt') {
    $res = req(GET => $loc, Origin => $OUT);
    is $res->header('Access-Control-Allow-Origin'), $OUT, "$loc: outer origin";
    is $res->header('Access-Control-Expose-Headers'), 'X-Outer', "$loc: ACEH";
    $res = preflight($loc, $OUT, 'PUT', 'x-outer');
    is $res->code, 204, "$loc: preflight PUT + X-Outer allowed";
    is $res->header('Access-Control-Allow-Methods'), 'PUT', "$loc: ACAM";
    is $res->header('Access-Control-Allow-Headers'), 'X-Outer', "$loc: ACAH";
    is $res->header('Access-Control-Max-Age'), '100', "$loc: Max-Age";
}

# --- inner CorsAllowOrigin replaces the outer list -------------------------
$res = req(GET => '/merge/origin/x.txt', Origin => $IN);
is $res->header('Access-Control-Allow-Origin'), $IN, 'inner origin allowed';
$res = req(GET => '/merge/origin/x.txt', Origin => $OUT);
is_deeply [acheaders($res)], [], 'outer origin refused inside (replaced)';
ok vary_ok($res, 'Origin'), 'outer origin refused inside: Vary: Origin';
$res = preflight('/merge/origin/x.txt', $IN, 'PUT', 'x-outer');
is $res->code, 204, 'inner origin: methods and headers inherited';
is $res->header('Access-Control-Max-Age'), '100', 'inner origin: Max-Age inherited';
is $res->header('Access-Control-Allow-Methods'), 'PUT', 'inner origin: ACAM inherited';
is preflight('/merge/origin/x.txt', $OUT, 'PUT')->code, 403,
    'outer origin: preflight refused inside';

# --- inner CorsAllowOriginMatch alone replaces the outer CorsAllowOrigin ---
is acao('/merge/regex/x.txt', 'https://re.example'), 'https://re.example',
    'inner regex matches';
$res = req(GET => '/merge/regex/x.txt', Origin => $OUT);
is_deeply [acheaders($res)], [], 'outer CorsAllowOrigin gone under an inner regex';
is preflight('/merge/regex/x.txt', 'https://re.example', 'PUT')->code, 204,
    'inner regex: methods inherited';

# --- an outer regex replaced by an inner CorsAllowOrigin -------------------
is acao('/merge2/x.txt', 'https://a.outer.example'), 'https://a.outer.example',
    'outer regex applies outside';
is acao('/merge2/list/x.txt', $IN), $IN, 'inner list applies inside';
$res = req(GET => '/merge2/list/x.txt', Origin => 'https://a.outer.example');
is_deeply [acheaders($res)], [], 'outer regex gone under an inner CorsAllowOrigin';

# --- inner CorsAllowMethods only: origins inherited, methods replaced -------
is acao('/merge/methods/x.txt', $OUT), $OUT, 'methods-only scope: outer origin';
$res = preflight('/merge/methods/x.txt', $OUT, 'DELETE');
is $res->code, 204, 'methods-only scope: DELETE allowed';
is $res->header('Access-Control-Allow-Origin'), $OUT, 'methods-only scope: ACAO';
is $res->header('Access-Control-Allow-Methods'), 'DELETE',
    'methods-only scope: ACAM is the inner list, not appended';
is preflight('/merge/methods/x.txt', $OUT, 'PUT')->code, 403,
    'methods-only scope: the outer PUT is gone';
is preflight('/merge/methods/x.txt', $OUT, 'GET')->code, 204,
    'methods-only scope: GET still safelisted';
is preflight('/merge/methods/x.txt', $IN, 'DELETE')->code, 403,
    'methods-only scope: an unlisted origin still refused';

# --- other lists replaced, not appended ------------------------------------
$res = req(GET => '/merge/expose/x.txt', Origin => $OUT);
is $res->header('Access-Control-Expose-Headers'), 'X-Inner',
    'inner CorsExposeHeaders replaces the outer list';

$res = preflight('/merge/headers/x.txt', $OUT, 'GET', 'x-inner');
is $res->code, 204, 'inner CorsAllowHeaders: inner header allowed';
is $res->header('Access-Control-Allow-Headers'), 'X-Inner',
    'inner CorsAllowHeaders: ACAH is the inner list';
is preflight('/merge/headers/x.txt', $OUT, 'GET', 'x-outer')->code, 403,
    'inner CorsAllowHeaders: the outer header is gone';

$res = preflight('/merge/maxage/x.txt', $OUT, 'PUT');
is $res->header('Access-Control-Max-Age'), '5', 'inner CorsMaxAge replaces';
is $res->code, 204, 'inner CorsMaxAge: methods inherited';

# --- lines in one context accumulate --------------------------------------
is acao('/merge/accum/x.txt', 'https://one.example'), 'https://one.example',
    'two CorsAllowOrigin lines: first origin';
is acao('/merge/accum/x.txt', 'https://two.example'), 'https://two.example',
    'two CorsAllowOrigin lines: second origin';
$res = req(GET => '/merge/accum/x.txt', Origin => $OUT);
is_deeply [acheaders($res)], [], 'accumulating scope still replaces the outer list';
$res = preflight('/merge/accum/x.txt', 'https://one.example', 'PATCH');
is $res->code, 204, 'two CorsAllowMethods lines: first method';
is $res->header('Access-Control-Allow-Methods'), 'PATCH, DELETE',
    'two CorsAllowMethods lines: joined';
is preflight('/merge/accum/x.txt', 'https://one.example', 'DELETE')->code, 204,
    'two CorsAllowMethods lines: second method';
is preflight('/merge/accum/x.txt', 'https://one.example', 'PUT')->code, 403,
    'two CorsAllowMethods lines: the outer PUT is gone';
