# Issue 9: the answers decided in advance. Where the log does not want each
# decision explained (here "LogLevel warn"), a request with an Origin the
# policy lists exactly, or one a subdomain pattern allows, takes a decision
# made when the configuration was read and shared by every request; for a
# pattern it is copied with the request's own Origin. These tests try to
# make that shared decision answer for the wrong origin: one origin after
# another on one connection, from a short list, a long one (found by hash)
# and patterns, near misses of each pattern (the parent
# domain, another scheme or port, a look-alike suffix, a form that is not
# serialized), and credentials. The decision must be the one made for each
# request anew, which make test-asan checks with the whole suite at
# trace8. (make test runs the rest of t/ at LogLevel debug, which takes
# these answers too; here the level is the default, and the near misses
# are aimed at the shortcut.)
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;

plan tests => 94, need_lwp;

my $SUB  = '/shortcut/sub/x.json';
my $CRED = '/shortcut/cred/x.json';
my $LONG = '/shortcut/long/x.json';

# allowed(PATH, ORIGIN, NAME): a GET from ORIGIN is answered for ORIGIN
sub allowed {
    my ($path, $origin, $name) = @_;
    my $res = req(GET => $path, Origin => $origin);
    is $res->code, 200, "$name: 200";
    is_deeply [ field_values($res, 'Access-Control-Allow-Origin') ],
        [ $origin ], "$name: Access-Control-Allow-Origin is this origin";
    ok vary_ok($res, 'Origin'), "$name: Vary: Origin";
    return $res;
}

# refused(PATH, ORIGIN, NAME): a GET from ORIGIN gets no CORS field
sub refused {
    my ($path, $origin, $name) = @_;
    my $res = req(GET => $path, Origin => $origin);
    is $res->code, 200, "$name: 200";
    is field_count($res, 'Access-Control-Allow-Origin'), 0,
        "$name: no Access-Control-Allow-Origin";
    ok vary_ok($res, 'Origin'), "$name: Vary: Origin";
    return $res;
}

# one origin after another on the same keep-alive connection: each answer
# is for its own request
my @in_turn = ('https://a.sub.example', 'https://b.sub.example',
               'https://app.example', 'https://admin.example',
               'https://deep.er.sub.example',
               'https://a.sub.example', 'http://x.plain.example',
               'https://a.ports.example:8443',
               'https://a.anyport.example:9000');
for my $origin (@in_turn) {
    allowed($SUB, $origin, "in turn, $origin");
}

# each origin of a list found by hash, in turn, and one it lacks
for my $n (4, 1, 6, 2, 5, 3) {
    allowed($LONG, "https://o$n.example", "by hash, https://o$n.example");
}
refused($LONG, 'https://o7.example', 'by hash, an origin not listed');

# what no pattern allows, though it looks close
for my $case (['https://sub.example',          'the parent domain itself'],
              ['https://a.evilsub.example',    'a look-alike suffix'],
              ['https://a.sub.example.evil',   'the pattern as a prefix'],
              ['http://a.sub.example',         'http for an https pattern'],
              ['https://x.plain.example',      'https for an http pattern'],
              ['https://a.sub.example:8443',   'a port the pattern lacks'],
              ['https://a.ports.example',      'no port where one is listed'],
              ['https://a.ports.example:9443', 'another port'],
              ['https://A.sub.example',        'uppercase (not serialized)'],
              ['https://a.sub.example:443',    'the default port written out'])
{
    refused($SUB, @$case);
}

# the refusals above are told apart in CORS_RESULT as per request
for my $case (['https://a.evilsub.example', 'refused-origin'],
              ['https://A.sub.example', 'malformed'],
              ['https://c.sub.example', 'allowed']) {
    my ($origin, $want) = @$case;
    my $id = "shortcut-" . join '', map { sprintf '%02x', ord } split //,
             substr($origin, 8, 6);
    req(GET => $SUB, Origin => $origin, 'X-Test-Id' => $id);
    is cors_result($id), $want, "CORS_RESULT for $origin: $want";
}

# the policy's other fields come with the shared decision
my $res = allowed($SUB, 'https://e.sub.example', 'exposed headers');
like $res->header('Access-Control-Expose-Headers') // '', qr/x-request-id/i,
    'exposed headers: Access-Control-Expose-Headers';
is $res->header('Access-Control-Allow-Credentials'), undef,
    'exposed headers: no credentials';

# with credentials: the origin, never "*", and the credentials field
for my $origin ('https://a.sub.example', 'https://b.sub.example') {
    my $res = allowed($CRED, $origin, "credentials, $origin");
    is $res->header('Access-Control-Allow-Credentials'), 'true',
        "credentials, $origin: Access-Control-Allow-Credentials: true";
}
