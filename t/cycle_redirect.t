# Issue 3, group 3: no redirect during a preflight
# (t/conf/cycle.conf.in, "cycle_redirect.t").
#
# A browser treats a redirected preflight as a network error, so
# per-directory redirects must not answer one: the preflight gets its 204.
# The actual request to the same URL is still redirected, and the 3xx
# carries the CORS headers (the browser follows it only if it may read it).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;

plan tests => 77, need_lwp;

my $A    = 'https://a.example';
my $EVIL = 'https://evil.example';

# [ label, URL, redirect status, Location path ]
my @cases = (
    [ 'mod_dir trailing slash', '/cycle/redir/sub', 301, '/cycle/redir/sub/' ],
    [ 'RewriteRule [R=301] in <Directory>', '/cycle/rw/old', 301,
      '/cycle/rw/target.txt' ],
    [ 'Redirect URL-path URL in <Location>', '/cycle/redir/old.txt', 301,
      '/cycle/redir/target.txt' ],
    [ 'Redirect URL in <Directory>', '/cycle/redir/dirmoved/file.txt', 302,
      '/cycle/redir/target.txt' ],
    [ 'Redirect URL in <Location> under <If> (documented workaround)',
      '/cycle/redir/moved-if', 302, '/cycle/redir/target.txt' ],
);

for my $c (@cases) {
    my ($label, $path, $status, $location) = @$c;

    my $res = preflight($path, $A, 'PUT');
    my $what = "$label: preflight";
    is $res->code, 204, "$what answered 204, not redirected";
    ok !defined $res->header('Location'), "$what: no Location";
    is_deeply [field_values($res, 'Access-Control-Allow-Origin')], [$A],
        "$what: Access-Control-Allow-Origin once";
    is_deeply [field_values($res, 'Access-Control-Allow-Methods')], ['PUT'],
        "$what: Access-Control-Allow-Methods";
    is_deeply [sort(vary_tokens($res))],
        [sort map { lc } qw(Origin Access-Control-Request-Method
                            Access-Control-Request-Headers)],
        "$what: Vary";
    is $res->content, '', "$what: empty body";

    $res = preflight($path, $EVIL, 'PUT');
    $what = "$label: preflight from a refused origin";
    is $res->code, 403, "$what is 403";
    ok !defined $res->header('Location'), "$what: no Location";
    is_deeply [grep { /^access-control-allow-/ } acheaders($res)], [],
        "$what: no Access-Control-Allow-*";

    $res = req(GET => $path, Origin => $A);
    $what = "$label: GET";
    is $res->code, $status, "$what still redirects ($status)";
    like $res->header('Location') // '', qr{^https?://[^/]+\Q$location\E$},
        "$what: Location";
    is_deeply [field_values($res, 'Access-Control-Allow-Origin')], [$A],
        "$what: the ${status} has Access-Control-Allow-Origin once";
    ok((grep { $_ eq 'origin' } vary_tokens($res)), "$what: Vary has Origin");

    $res = req(GET => $path, Origin => $EVIL);
    $what = "$label: GET from a refused origin";
    is $res->code, $status, "$what still redirects";
    is_deeply [acheaders($res)], [], "$what: no Access-Control-* header";
}

# Documented limitation: the one-URL Redirect inside <Location> runs at URL
# translation, before any per-directory hook, so it redirects preflights as
# server-context redirects do (README, "No redirect during preflight").
# This pins the documented behaviour; a fix must update the README.
{
    my $res = preflight('/cycle/redir/moved', $A, 'PUT');
    is $res->code, 302,
        'one-URL Redirect in <Location>: preflight redirected (documented)';
    is_deeply [grep { /^access-control-allow-/ } acheaders($res)], [],
        'one-URL Redirect in <Location>: no Access-Control-Allow-* on it';
}
