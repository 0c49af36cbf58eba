# Issue 3, group 2: CORS headers on error responses
# (t/conf/cycle.conf.in, "cycle_errors.t").
#
# Every error response to an allowed origin, whichever phase raised it,
# carries Access-Control-Allow-Origin, -Allow-Credentials and
# -Expose-Headers exactly once each (a browser rejects a doubled
# Access-Control-Allow-Origin), and one Vary with Origin in it. A refused
# origin, or no Origin, gets no Access-Control-* header.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;

plan tests => 148, need_lwp;

my $A    = 'https://a.example';
my $EVIL = 'https://evil.example';

my $big = 'x' x 100;    # LimitRequestBody is 10 there

# [ label, method, URL, body, status, extra checks ]
my @cases = (
    [ '404 missing file', GET => url('/cycle/err/missing.txt'), undef, 404 ],
    [ '401 Require valid-user', GET => url('/cycle/err/auth/file.txt'),
      undef, 401,
      sub { ok defined $_[0]->header('WWW-Authenticate'), "$_[1]: challenge" } ],
    [ '403 Require all denied', GET => url('/cycle/err/denied/file.txt'),
      undef, 403 ],
    [ '405 from mod_allowmethods', PUT => url('/cycle/err/methods/file.txt'),
      'x', 405 ],
    [ '405 TRACE with TraceEnable off', TRACE
      => url('/cycle/trace.txt', 'cycle_notrace'), undef, 405 ],
    [ '413 LimitRequestBody', POST => url('/cycle/err/cgi/echo.cgi'), $big,
      413 ],
    [ '500 CGI printing garbage', GET => url('/cycle/err/cgi/garbage.cgi'),
      undef, 500 ],
    [ '500 CGI exiting non-zero', GET => url('/cycle/err/cgi/fail.cgi'),
      undef, 500 ],
    [ '503 from a CGI with CORS headers of its own',
      GET => url('/cycle/err/cgi/own503.cgi'), undef, 503,
      sub {
          my ($res, $what) = @_;
          is $res->content, "script says 503\n", "$what: the script's body";
          ok((grep { $_ eq 'accept-language' } vary_tokens($res)),
             "$what: the script's Vary token kept");
      } ],
    [ '404 with a local ErrorDocument',
      GET => url('/cycle/err/ed/missing.txt'), undef, 404,
      sub {
          my ($res, $what) = @_;
          like $res->content, qr/cycle error document/,
               "$what: the ErrorDocument body";
      } ],
);

for my $c (@cases) {
    my ($label, $method, $url, $body, $status, $extra) = @$c;

    # An allowed origin: each CORS field once, our values.
    my $res = req_body($method, $url, $body, Origin => $A);
    my $what = "$label, allowed origin";
    is $res->code, $status, "$what: status $status";
    for ([ 'Access-Control-Allow-Origin', $A ],
         [ 'Access-Control-Allow-Credentials', 'true' ],
         [ 'Access-Control-Expose-Headers', 'X-Cycle-Id' ]) {
        my ($name, $want) = @$_;
        my @v = field_values($res, $name);
        is scalar(@v), 1, "$what: $name exactly once";
        is $v[0], $want, "$what: $name value";
    }
    is field_count($res, 'Vary'), 1, "$what: one Vary field";
    is scalar(grep { $_ eq 'origin' } vary_tokens($res)), 1,
        "$what: Vary has Origin once";
    $extra->($res, $what) if $extra;

    # A refused origin: same status, no CORS header, still Vary: Origin.
    $res = req_body($method, $url, $body, Origin => $EVIL);
    $what = "$label, refused origin";
    is $res->code, $status, "$what: status $status";
    is_deeply [acheaders($res)], [], "$what: no Access-Control-* header";
    ok((grep { $_ eq 'origin' } vary_tokens($res)), "$what: Vary has Origin");

    # No Origin at all.
    $res = req_body($method, $url, $body);
    $what = "$label, no Origin";
    is $res->code, $status, "$what: status $status";
    is_deeply [acheaders($res)], [], "$what: no Access-Control-* header";
}

# The 413 is LimitRequestBody's doing: a small body is echoed.
my $res = req_body(POST => url('/cycle/err/cgi/echo.cgi'), 'small',
                   Origin => $A);
is $res->code, 200, 'echo.cgi with a body under the limit: 200';
is $res->content, 'small', 'echo.cgi echoes the body';
is field_count($res, 'Access-Control-Allow-Origin'), 1,
    'echo.cgi 200: Access-Control-Allow-Origin once';

# The 405 is mod_allowmethods' doing: GET is allowed there.
$res = req(GET => url('/cycle/err/methods/file.txt'), Origin => $A);
is $res->code, 200, 'AllowMethods location: GET is 200';
