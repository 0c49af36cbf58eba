# Issue 3, group 1: preflights behind authentication and client-address
# rules (t/conf/cycle.conf.in, "cycle_auth.t").
#
# A browser never sends credentials on a preflight, so an allowed one must
# get its 204 without them; everything else (actual requests, plain OPTIONS,
# refused preflights) goes through authentication as usual. Client-address
# rules (Require ip) still apply to preflights.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use MIME::Base64 ();
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;

plan tests => 85, need_lwp;

my $A    = 'https://a.example';
my $EVIL = 'https://evil.example';
my $BASIC = 'Basic ' . MIME::Base64::encode_base64('cycle:cyclepass', '');

# One field with this exact value.
sub once {
    my ($res, $name, $want, $what) = @_;
    my @v = field_values($res, $name);
    is scalar(@v), 1, "$what: one $name field";
    is $v[0], $want, "$what: $name";
}

my $res;

# ------------------------------------------------------------------
# Require valid-user, CORS without credentials (/cycle/auth/)

$res = preflight('/cycle/auth/file.txt', $A, 'PUT', 'content-type');
is $res->code, 204, 'auth: allowed preflight answered 204 without credentials';
once($res, 'Access-Control-Allow-Origin', $A, 'auth preflight');
once($res, 'Access-Control-Allow-Methods', 'GET, PUT, DELETE',
     'auth preflight');
once($res, 'Access-Control-Allow-Headers', 'Authorization, Content-Type',
     'auth preflight');
once($res, 'Access-Control-Max-Age', '60', 'auth preflight');
is field_count($res, 'Access-Control-Allow-Credentials'), 0,
    'auth preflight: no Allow-Credentials (not configured)';
is_deeply [sort(vary_tokens($res))],
    [sort map { lc } qw(Origin Access-Control-Request-Method
                        Access-Control-Request-Headers)],
    'auth preflight: Vary';
ok !defined $res->header('WWW-Authenticate'),
    'auth preflight: no WWW-Authenticate challenge';
is $res->content, '', 'auth preflight: empty body';

$res = req(GET => '/cycle/auth/file.txt', Origin => $A);
is $res->code, 401, 'auth: GET without credentials is 401';
once($res, 'Access-Control-Allow-Origin', $A, 'auth 401');
is field_count($res, 'Access-Control-Allow-Credentials'), 0,
    'auth 401: no Allow-Credentials (not configured)';
ok defined $res->header('WWW-Authenticate'), 'auth 401: challenge sent';
ok((grep { $_ eq 'origin' } vary_tokens($res)), 'auth 401: Vary has Origin');

$res = req(GET => '/cycle/auth/file.txt', Origin => $A,
           Authorization => $BASIC);
is $res->code, 200, 'auth: GET with credentials is 200';
once($res, 'Access-Control-Allow-Origin', $A, 'auth 200');
like $res->content, qr{file in /cycle/auth}, 'auth 200: the file';

$res = req(GET => '/cycle/auth/file.txt', Origin => $A,
           Authorization => 'Basic ' . MIME::Base64::encode_base64('cycle:wrong', ''));
is $res->code, 401, 'auth: GET with a wrong password is 401';

# ------------------------------------------------------------------
# Require valid-user with CorsAllowCredentials On (/cycle/authcred/)

$res = preflight('/cycle/authcred/file.txt', $A, 'DELETE');
is $res->code, 204, 'authcred: allowed preflight answered 204';
once($res, 'Access-Control-Allow-Origin', $A, 'authcred preflight');
once($res, 'Access-Control-Allow-Credentials', 'true', 'authcred preflight');
once($res, 'Access-Control-Allow-Methods', 'GET, PUT, DELETE',
     'authcred preflight');
once($res, 'Access-Control-Max-Age', '60', 'authcred preflight');

$res = req(GET => '/cycle/authcred/file.txt', Origin => $A);
is $res->code, 401, 'authcred: GET without credentials is 401';
once($res, 'Access-Control-Allow-Origin', $A, 'authcred 401');
once($res, 'Access-Control-Allow-Credentials', 'true', 'authcred 401');
once($res, 'Access-Control-Expose-Headers', 'X-Cycle', 'authcred 401');
ok((grep { $_ eq 'origin' } vary_tokens($res)),
    'authcred 401: Vary has Origin');

$res = req(GET => '/cycle/authcred/file.txt', Origin => $A,
           Authorization => $BASIC);
is $res->code, 200, 'authcred: GET with credentials is 200';
once($res, 'Access-Control-Allow-Origin', $A, 'authcred 200');
once($res, 'Access-Control-Allow-Credentials', 'true', 'authcred 200');

# Anything that is not an allowed preflight still needs credentials.
for my $m (qw(PUT DELETE POST)) {
    $res = req($m => '/cycle/authcred/file.txt', Origin => $A,
               'Content-Type' => 'text/plain', 'Content-Length' => 0);
    is $res->code, 401, "authcred: $m without credentials is 401";
    once($res, 'Access-Control-Allow-Origin', $A, "authcred $m 401");
}

# OPTIONS without Access-Control-Request-Method is not a preflight.
$res = req(OPTIONS => '/cycle/authcred/file.txt', Origin => $A);
is $res->code, 401, 'authcred: plain OPTIONS with Origin is 401';
once($res, 'Access-Control-Allow-Origin', $A, 'authcred plain OPTIONS 401');
ok !defined $res->header('Access-Control-Allow-Methods'),
    'authcred plain OPTIONS 401: no Allow-Methods';

# OPTIONS with Access-Control-Request-Method but no Origin: not a preflight.
$res = req(OPTIONS => '/cycle/authcred/file.txt',
           'Access-Control-Request-Method' => 'PUT');
is $res->code, 401, 'authcred: OPTIONS without Origin is 401';
is_deeply [acheaders($res)], [], 'authcred: ... and no CORS headers';

# Plain OPTIONS with credentials: served by core, 200 with Allow.
$res = req(OPTIONS => '/cycle/authcred/file.txt', Origin => $A,
           Authorization => $BASIC);
is $res->code, 200, 'authcred: plain OPTIONS with credentials is 200';
like $res->header('Allow') // '', qr/\bOPTIONS\b/,
    'authcred plain OPTIONS 200: Allow from core';
once($res, 'Access-Control-Allow-Origin', $A, 'authcred plain OPTIONS 200');

# Refused preflights do not pass the auth phase.
$res = preflight('/cycle/authcred/file.txt', $EVIL, 'PUT');
is $res->code, 401, 'authcred: preflight from a refused origin is 401';
is_deeply [acheaders($res)], [],
    'authcred refused-origin preflight: no Access-Control-* header';
ok defined $res->header('WWW-Authenticate'),
    'authcred refused-origin preflight: challenge sent';

$res = preflight('/cycle/authcred/file.txt', $A, 'PATCH');
is $res->code, 401, 'authcred: preflight for a refused method is 401';
ok !defined $res->header('Access-Control-Allow-Methods'),
    'authcred refused-method preflight: no Allow-Methods';

$res = preflight('/cycle/authcred/file.txt', $A, 'PUT', 'x-not-listed');
is $res->code, 401, 'authcred: preflight for a refused header is 401';
ok !defined $res->header('Access-Control-Allow-Headers'),
    'authcred refused-header preflight: no Allow-Headers';

# ------------------------------------------------------------------
# Client-address rules still apply to preflights.

$res = preflight('/cycle/ipdeny/file.txt', $A, 'PUT');
is $res->code, 403,
    'Require ip 192.0.2.1: preflight from this client is 403';
is_deeply [grep { /^access-control-allow-/ } acheaders($res)], [],
    'Require ip 192.0.2.1: no Access-Control-Allow-* on the 403';

$res = req(GET => '/cycle/ipdeny/file.txt', Origin => $A);
is $res->code, 403, 'Require ip 192.0.2.1: GET is 403';
once($res, 'Access-Control-Allow-Origin', $A, 'Require ip 192.0.2.1 GET 403');

$res = preflight('/cycle/ipallow/file.txt', $A, 'PUT');
is $res->code, 204, 'Require ip 127.0.0.1: preflight is 204';
once($res, 'Access-Control-Allow-Origin', $A, 'Require ip 127.0.0.1 preflight');
once($res, 'Access-Control-Allow-Methods', 'PUT',
     'Require ip 127.0.0.1 preflight');

$res = req(GET => '/cycle/ipallow/file.txt', Origin => $A);
is $res->code, 200, 'Require ip 127.0.0.1: GET is 200';
once($res, 'Access-Control-Allow-Origin', $A, 'Require ip 127.0.0.1 GET');
