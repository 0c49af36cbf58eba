# The CORS_RESULT environment variable, as logged by the CustomLog in
# t/conf/extra.conf.in ("%{X-Test-Id}i %{CORS_RESULT}e"): one value per
# request where a policy applies, "-" (unset) where none does.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;

my $A = 'https://a.example';
my $run = "$$-" . time;

# [ name, expected CORS_RESULT, method, path, request headers ]
my @cases = (
    ['allowed GET',        'allowed',        GET => '/exact/x.txt', Origin => $A],
    ['allowed 404',        'allowed',        GET => '/exact/nope.txt', Origin => $A],
    ['`*` policy',         'allowed',        GET => '/star/x.txt', Origin => $A],
    ['no Origin',          'not-cors',       GET => '/exact/x.txt'],
    ['refused origin',     'refused-origin', GET => '/exact/x.txt',
                                             Origin => 'https://evil.example'],
    ['null not listed',    'refused-origin', GET => '/exact/x.txt', Origin => 'null'],
    ['trailing slash',     'malformed',      GET => '/exact/x.txt', Origin => "$A/"],
    ['uppercase',          'malformed',      GET => '/exact/x.txt',
                                             Origin => 'HTTPS://A.EXAMPLE'],
    ['two Origin fields',  'malformed',      GET => '/exact/x.txt', Origin => [$A, $A]],
    ['over-long',          'malformed',      GET => '/exact/x.txt',
                                             Origin => 'https://' . ('a' x 600)],
    ['preflight allowed',  'preflight',      OPTIONS => '/pf/x.txt', Origin => $A,
                                             'Access-Control-Request-Method' => 'GET'],
    ['preflight, refused origin', 'refused-origin', OPTIONS => '/pf/x.txt',
                                             Origin => 'https://evil.example',
                                             'Access-Control-Request-Method' => 'GET'],
    ['preflight, refused method', 'refused-method', OPTIONS => '/pf/x.txt',
                                             Origin => $A,
                                             'Access-Control-Request-Method' => 'PUT'],
    ['preflight, refused header', 'refused-header', OPTIONS => '/pf/headers/x.txt',
                                             Origin => $A,
                                             'Access-Control-Request-Method' => 'GET',
                                             'Access-Control-Request-Headers' => 'x-bar'],
    ['OPTIONS, no ACRM',   'allowed',        OPTIONS => '/pf/x.txt', Origin => $A],
    ['no policy',          '-',              GET => '/index.html', Origin => $A],
    ['CorsEngine Off',     '-',              GET => '/engine/off/x.txt', Origin => $A],
);

plan tests => scalar @cases, need_lwp;

my $n = 0;
for my $c (@cases) {
    my ($name, $want, $method, $path, @headers) = @$c;
    my $id = "cr-$run-" . ++$n;
    req($method => $path, 'X-Test-Id' => $id, @headers);
    is cors_result($id), $want, "$name: CORS_RESULT=$want";
}
