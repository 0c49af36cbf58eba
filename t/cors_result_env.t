# CORS_RESULT as other modules see it (README, "CORS_RESULT"). mod_cors
# decides in the header_parser hook (REALLY_FIRST), so what runs after that
# sees the variable: per-directory SetEnvIf and SetEnvIfExpr, mod_headers'
# Header with an expr= or env= condition (applied when the response is
# sent) and RequestHeader (a fixup), a per-directory RewriteCond
# %{ENV:CORS_RESULT} (a fixup), the handler (here mod_lua), and conditional
# CustomLog lines. <If> sections and server-context rules run before the
# per-directory configuration is known and do not see it. t/cors_result.t checks the values
# themselves through the access log. Config: <Location /logging/result> in
# t/conf/logging.conf.in.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;
use CorsLogTest;

plan tests => 33, need_lwp;

my $APP = 'https://app.example';
my $EVIL = 'https://evil.example';
my $run = "$$-" . time;

# ---------------------------------------------------------------- mod_headers
# [ name, CORS_RESULT, request ]
my @cases = (
    ['refused origin', 'refused-origin', GET => '/logging/result/x.txt',
        Origin => $EVIL],
    ['allowed', 'allowed', GET => '/logging/result/x.txt', Origin => $APP],
    ['no Origin', 'not-cors', GET => '/logging/result/x.txt'],
    ['refused preflight', 'refused-origin', OPTIONS => '/logging/result/x.txt',
        Origin => $EVIL, 'Access-Control-Request-Method' => 'GET'],
);
for my $c (@cases) {
    my ($name, $result, $method, $path, @headers) = @$c;
    my $res = req($method => $path, @headers);
    is $res->header('X-Logging-Value'), $result,
        "$name: Header ... %{CORS_RESULT}e env=CORS_RESULT sends $result";
    is $res->header('X-Logging-Expr'),
        $result eq 'refused-origin' ? 'yes' : undef,
        "$name: Header ... \"expr=reqenv('CORS_RESULT') == 'refused-origin'\""
      . ($result eq 'refused-origin' ? ' applies' : ' does not apply');
}

# ---------------------------------------------------------------- mod_setenvif
# per-directory SetEnvIf and SetEnvIfExpr run in header_parser after ours
for my $c (['refused origin', 'yes', undef, Origin => $EVIL],
           ['allowed', undef, 'yes', Origin => $APP],
           ['no Origin', undef, undef]) {
    my ($name, $setenvif, $expr, @headers) = @$c;
    my $res = req(GET => '/logging/result/x.txt', @headers);
    is $res->header('X-Logging-SetEnvIf'), $setenvif,
        "$name: SetEnvIf CORS_RESULT ^refused- "
      . ($setenvif ? 'matched' : 'did not match');
    is $res->header('X-Logging-SetEnvIfExpr'), $expr,
        "$name: SetEnvIfExpr reqenv('CORS_RESULT') == 'allowed' "
      . ($expr ? 'matched' : 'did not match');
}

# ---------------------------------------------------------------- mod_rewrite
# a per-directory RewriteCond sees it on actual requests (a refused
# preflight is answered by mod_cors in fixups, before mod_rewrite's fixup)
my $res = req(GET => '/logging/result/x.txt', Origin => $EVIL);
is $res->code, 200, 'rewrite, refused origin: 200';
is $res->header('X-Logging-Rewrite'), 'yes',
    'rewrite, refused origin: RewriteCond %{ENV:CORS_RESULT} =refused-origin matched';
$res = req(GET => '/logging/result/x.txt', Origin => $APP);
ok !defined $res->header('X-Logging-Rewrite'),
    'rewrite, allowed: RewriteCond did not match';
$res = req(GET => '/logging/result/x.txt');
ok !defined $res->header('X-Logging-Rewrite'),
    'rewrite, no Origin: RewriteCond did not match';

# ---------------------------------------------------------------- the handler
# the handler's environment (what a CGI script or mod_lua sees), and a
# request header set from it with RequestHeader (what a proxied backend sees)
for my $c (['refused origin', 'refused-origin', Origin => $EVIL],
           ['allowed', 'allowed', Origin => $APP],
           ['no Origin', 'not-cors']) {
    my ($name, $result, @headers) = @$c;
    $res = req(GET => '/logging/result/env.lua', @headers);
    is $res->code, 200, "handler, $name: 200";
    like $res->content, qr/^env=\Q$result\E$/m,
        "handler, $name: subprocess_env CORS_RESULT=$result";
    like $res->content, qr/^header=\Q$result\E$/m,
        "handler, $name: RequestHeader from %{CORS_RESULT}e: $result";
}

# ---------------------------------------------------------------- CustomLog
# CustomLog ... "expr=reqenv('CORS_RESULT') =~ /^refused-/" writes refused
# requests only.
my $log = Apache::Test::vars('t_logs') . '/logging_refused_log';
my $from = file_size($log);
req(GET => '/logging/result/x.txt', Origin => $EVIL, 'X-Test-Id' => "ref-$run");
req(OPTIONS => '/logging/result/x.txt', Origin => $APP,
    'Access-Control-Request-Method' => 'PATCH', 'X-Test-Id' => "meth-$run");
req(GET => '/logging/result/x.txt', Origin => $APP, 'X-Test-Id' => "ok-$run");
req(GET => '/logging/result/x.txt', 'X-Test-Id' => "none-$run");
is wait_for_line($log, $from, qr/^ref-\Q$run\E /), "ref-$run refused-origin",
    'conditional CustomLog: the refused origin is logged';
is wait_for_line($log, $from, qr/^meth-\Q$run\E /), "meth-$run refused-method",
    'conditional CustomLog: the refused method is logged';
# once the other two are in cors_result_log (extra.conf.in logs every
# request there, in the same log_transaction call), their turn is over
is cors_result("ok-$run"), 'allowed', 'conditional CustomLog: the allowed request is done';
is cors_result("none-$run"), 'not-cors', 'conditional CustomLog: the request without Origin is done';
my $text = file_since($log, $from);
unlike $text, qr/^ok-\Q$run\E /m, 'conditional CustomLog: the allowed request is not logged';
unlike $text, qr/^none-\Q$run\E /m, 'conditional CustomLog: the request without Origin is not logged';
