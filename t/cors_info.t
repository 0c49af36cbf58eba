# The cors-info page (README, "The cors-info page"): GET /logging-info?/URL
# shows the effective, merged policy of URL and, for each directive, the
# file:line and section that set it ("set at ...") or "default". Nested
# scopes from t/conf/logging.conf.in: <Directory .../logging/nested> sets
# CorsAllowHeaders, <Location /logging/nested> origins, credentials and
# max-age, <Location /logging/nested/inner> only methods, and
# htdocs/logging/nested/inner/.htaccess CorsExposeHeaders.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;
use CorsLogTest;

plan tests => 47, need_lwp;

my @directives = qw(CorsEngine CorsAllowOrigin CorsAllowOriginMatch
                    CorsAllowMethods CorsAllowHeaders CorsExposeHeaders
                    CorsAllowCredentials CorsMaxAge CorsAllowPrivateNetwork
                    CorsBackendHeaders);

# The page for $query: (response, { directive => [value, where] }), where
# "where" is the "set at ..." text or "default".
sub info {
    my $query = shift;
    my $res = req(GET => "/logging-info?$query");
    my %dump;
    my @lines = split /\n/, $res->content;
    for my $i (0 .. $#lines - 1) {
        if ($lines[$i] =~ /^(Cors\w+) +(.*)$/) {
            my ($name, $value) = ($1, $2);
            (my $where = $lines[$i + 1]) =~ s/^\s+//;
            $dump{$name} = [$value, $where];
        }
    }
    return ($res, \%dump);
}

my $docroot = Apache::Test::vars('documentroot');
my $outer = '<Location /logging/nested>';
my $inner = '<Location /logging/nested/inner>';
my $dir   = "<Directory $docroot/logging/nested>";
my $htaccess = "$docroot/logging/nested/inner/.htaccess";

# ---------------------------------------------------------------- nested
my ($res, $d) = info('/logging/nested/inner/x.txt');
is $res->code, 200, 'nested: 200';
like $res->header('Content-Type') // '', qr{^text/plain}, 'nested: text/plain';
like $res->content, qr{^mod_cors/\d+\.\d+\.\d+ policy for /logging/nested/inner/x\.txt$}m,
    'nested: names the URL';
is_deeply [sort keys %$d], [sort @directives], 'nested: every directive shown'
    or diag $res->content;

my %want = (
    CorsEngine           => ['On', 'default'],
    CorsAllowOrigin      => ['https://app.example https://*.app.example',
                             'set at ' . conf_at($outer, 'CorsAllowOrigin')],
    CorsAllowOriginMatch => ['(none)',
                             'set at ' . conf_at($outer, 'CorsAllowOrigin')],
    CorsAllowMethods     => ['GET, PUT',
                             'set at ' . conf_at($inner, 'CorsAllowMethods')],
    CorsAllowHeaders     => ['X-Nested',
                             'set at ' . conf_at($dir, 'CorsAllowHeaders')],
    CorsExposeHeaders    => ['X-Exposed', "set at $htaccess:2"],
    CorsAllowCredentials => ['On',
                             'set at ' . conf_at($outer, 'CorsAllowCredentials')],
    CorsMaxAge           => ['600', 'set at ' . conf_at($outer, 'CorsMaxAge')],
    CorsAllowPrivateNetwork => ['Off', 'default'],
    CorsBackendHeaders   => ['Replace', 'default'],
);
for my $name (@directives) {
    is $d->{$name}[0], $want{$name}[0], "nested: $name value";
    is $d->{$name}[1], $want{$name}[1], "nested: $name $want{$name}[1]";
}

# The page shows what the module does: the preflight for that URL gets the
# merged values.
$res = preflight('/logging/nested/inner/x.txt', 'https://app.example', 'PUT',
                 'X-Nested');
is $res->code, 204, 'nested: the preflight is allowed';
is $res->header('Access-Control-Allow-Methods'), 'GET, PUT',
    'nested: preflight methods as shown';
is $res->header('Access-Control-Allow-Headers'), 'X-Nested',
    'nested: preflight headers as shown';
is $res->header('Access-Control-Max-Age'), '600', 'nested: max-age as shown';
is $res->header('Access-Control-Allow-Credentials'), 'true',
    'nested: credentials as shown';

# The outer URL: the inner <Location> and the .htaccess do not apply.
($res, $d) = info('/logging/nested/x.txt');
is $d->{CorsAllowMethods}[0], 'GET, HEAD, POST', 'outer: default methods';
is $d->{CorsAllowMethods}[1], 'default', 'outer: methods default';
is $d->{CorsExposeHeaders}[0], '(none)', 'outer: no exposed headers';
is $d->{CorsExposeHeaders}[1], 'default', 'outer: expose default';
is $d->{CorsAllowHeaders}[1], 'set at ' . conf_at($dir, 'CorsAllowHeaders'),
    'outer: headers from the <Directory>';

# ---------------------------------------------------------------- no policy
($res, $d) = info('/logging-nopolicy/x.txt');
is $res->code, 200, 'no policy: 200';
is $d->{CorsAllowOrigin}[0], '(none: CORS is off here)',
    'no policy: says CORS is off';
is $d->{CorsAllowOrigin}[1], 'default', 'no policy: origins default';
is scalar(grep { $d->{$_}[1] ne 'default' } @directives), 0,
    'no policy: every directive default' or diag $res->content;

# ---------------------------------------------------------------- CorsEngine Off
($res, $d) = info('/logging/nested/off/x.txt');
is $d->{CorsEngine}[0], 'Off', 'CorsEngine Off: Off';
is $d->{CorsEngine}[1],
    'set at ' . conf_at('<Location /logging/nested/off>', 'CorsEngine'),
    'CorsEngine Off: where';
is $d->{CorsAllowOrigin}[1], 'set at ' . conf_at($outer, 'CorsAllowOrigin'),
    'CorsEngine Off: the inherited origins are still shown';
$res = req(GET => '/logging/nested/off/x.txt', Origin => 'https://app.example');
ok !defined $res->header('Access-Control-Allow-Origin'),
    'CorsEngine Off: and indeed no ACAO';

# ---------------------------------------------------------------- the query
# percent-encoded path
($res, $d) = info('/logging/nested/inner/x%2Etxt');
is $d->{CorsAllowMethods}[0], 'GET, PUT', 'percent-encoded query: decoded';

# no URL asked for
$res = req(GET => '/logging-info');
is $res->code, 200, 'no query: 200';
like $res->content, qr/^Ask for a URL path/, 'no query: says how to ask';
unlike $res->content, qr/^Cors/m, 'no query: no dump';
$res = req(GET => '/logging-info?logging/nested/x.txt');
like $res->content, qr/^Ask for a URL path/, 'relative path: says how to ask';
