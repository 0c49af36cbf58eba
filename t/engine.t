# CorsEngine Off in an inner scope turns everything off; On again below it
# restores the inherited policy. Config: extra.conf.in, section "engine.t".
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;

plan tests => 28, need_lwp;

my $A = 'https://a.example';
my $res;

# control: the outer scope applies the policy
$res = req(GET => '/engine/x.txt', Origin => $A);
is $res->header('Access-Control-Allow-Origin'), $A, 'outer scope: ACAO';
ok vary_ok($res, 'Origin'), 'outer scope: Vary: Origin';
is preflight('/engine/x.txt', $A, 'GET')->code, 204, 'outer scope: preflight 204';

# CorsEngine Off
$res = req(GET => '/engine/off/x.txt', Origin => $A);
is $res->code, 200, 'Off, allowed origin: 200';
is $res->content, "hello cors\n", 'Off: body';
is_deeply [acheaders($res)], [], 'Off, allowed origin: no Access-Control-*';
ok !grep({ $_ eq 'origin' } vary_tokens($res)), 'Off: no Vary: Origin'
    or diag explain [field_values($res, 'Vary')];

$res = req(GET => '/engine/off/x.txt');
is_deeply [acheaders($res)], [], 'Off, no Origin: no Access-Control-*';
ok !grep({ $_ eq 'origin' } vary_tokens($res)), 'Off, no Origin: no Vary: Origin';

$res = req(GET => '/engine/off/missing.txt', Origin => $A);
is $res->code, 404, 'Off, 404';
is_deeply [acheaders($res)], [], 'Off, 404: no Access-Control-*';
ok !grep({ $_ eq 'origin' } vary_tokens($res)), 'Off, 404: no Vary: Origin';

# a preflight is just an OPTIONS request there
$res = preflight('/engine/off/x.txt', $A, 'GET');
is $res->code, 200, 'Off, preflight to a file: served by httpd (200)';
like $res->header('Allow') // '', qr/\bOPTIONS\b/, 'Off, preflight: Allow';
is_deeply [acheaders($res)], [], 'Off, preflight: no Access-Control-*';
ok !grep({ $_ eq 'origin' } vary_tokens($res)), 'Off, preflight: no Vary: Origin';

$res = preflight('/engine/off/marker.lua', $A, 'PUT');
is $res->code, 200, 'Off, preflight to a handler: the handler answers';
is $res->header('X-Handler-Ran'), 'yes', 'Off, preflight: the handler ran';
like $res->content, qr/lua handler ran for OPTIONS/, 'Off, preflight: handler body';
is_deeply [acheaders($res)], [], 'Off, preflight to a handler: no Access-Control-*';

$res = preflight('/engine/off/x.txt', 'https://evil.example', 'PUT');
is $res->code, 200, 'Off, preflight that would be refused: not 403';

# CorsEngine On below Off: the outer origin policy is inherited again
$res = req(GET => '/engine/off/on/x.txt', Origin => $A);
is $res->header('Access-Control-Allow-Origin'), $A, 'On again: ACAO';
ok vary_ok($res, 'Origin'), 'On again: Vary: Origin';
$res = preflight('/engine/off/on/x.txt', $A, 'GET');
is $res->code, 204, 'On again: preflight 204';
is $res->header('Access-Control-Allow-Origin'), $A, 'On again: preflight ACAO';
$res = req(GET => '/engine/off/on/x.txt', Origin => 'https://evil.example');
is_deeply [acheaders($res)], [], 'On again, refused origin: no Access-Control-*';

# .htaccess CorsEngine Off under a <Directory> policy
$res = req(GET => '/ht/off/x.txt', Origin => 'https://outer.example');
is $res->code, 200, '.htaccess Off: 200';
is_deeply [acheaders($res)], [], '.htaccess Off: no Access-Control-*';
