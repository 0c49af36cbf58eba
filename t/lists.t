# Comma-separated list values (README, "Directives"): "a, b" and "a,b" in a
# list directive are the same as "a b", for origins, methods and headers;
# and the request's Access-Control-Request-Headers list is read by the
# #rule of RFC 9110 (empty elements and white space skipped).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;

plan tests => 11, need_lwp;

for my $origin (qw(https://a.example https://b.example https://c.example)) {
    my $res = req(GET => '/lists/x.txt', Origin => $origin);
    is $res->header('Access-Control-Allow-Origin'), $origin,
        "CorsAllowOrigin with commas allows $origin";
}
my $res = req(GET => '/lists/x.txt', Origin => 'https://d.example');
ok !defined $res->header('Access-Control-Allow-Origin'),
    'an origin not in the comma-separated list is refused';

$res = req(GET => '/lists/x.txt', Origin => 'https://a.example');
is $res->header('Access-Control-Expose-Headers'), 'X-Id, X-Trace',
    'CorsExposeHeaders with commas: one list';

$res = preflight('/lists/x.txt', 'https://b.example', 'PATCH',
                 'x-one, x-two, x-three');
is $res->code, 204, 'preflight with methods and headers from comma lists';
is $res->header('Access-Control-Allow-Methods'), 'PUT, PATCH, DELETE',
    'CorsAllowMethods with commas: one list';
is $res->header('Access-Control-Allow-Headers'), 'X-One, x-two, X-Three',
    'CorsAllowHeaders with commas: one list, names as written';

$res = preflight('/lists/x.txt', 'https://b.example', 'PATCH,DELETE');
is $res->code, 403, 'a requested method is one token: "PATCH,DELETE" is refused';

$res = preflight('/lists/x.txt', 'https://b.example', 'PUT',
                 ', x-one,,X-TWO ,');
is $res->code, 204,
    'Access-Control-Request-Headers: empty elements and spaces are skipped';

$res = preflight('/lists/x.txt', 'https://b.example', 'PUT', 'x-four');
is $res->code, 403, 'a header not in the comma-separated list is refused';
