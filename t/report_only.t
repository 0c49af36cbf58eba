# "CorsEngine ReportOnly" (README, "Migrating safely"): mod_cors decides
# every request as On would and sets CORS_RESULT, logs each request On
# would refuse (one line at warn, shown at the default LogLevel), and
# leaves the response alone. t/conf/report_only.conf.in:
#
#   /ro/recipe/    the README's mod_headers + mod_rewrite recipe, no policy
#   /ro/p/report/  the same recipe under a ReportOnly policy (<Location /ro/p>)
#   /ro/p/on/      that policy switched On (nested), without the recipe
#   /ro/auth/      ReportOnly behind Require valid-user; /ro/auth/on/ On
#
# Every URL under /ro/ runs at "LogLevel warn". Each request goes to a path
# of its own, so a log line names the request it belongs to.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;
use CorsLogTest;

my $APP  = 'https://app.example';
my $EVIL = 'https://evil.example';
my $run  = "$$-" . time;

# [ name, method, request headers, CORS_RESULT, log id (undef: no line) ]
my @MIX = (
    ['allowed',         GET => [Origin => $APP], 'allowed', undef],
    ['no-origin',       GET => [], 'not-cors', undef],
    ['refused-origin',  GET => [Origin => $EVIL], 'refused-origin', 'CORS0102'],
    ['malformed',       GET => [Origin => "$APP/"], 'malformed', 'CORS0101'],
    ['preflight-ok',    OPTIONS => [Origin => $APP,
                                    'Access-Control-Request-Method' => 'PUT',
                                    'Access-Control-Request-Headers' => 'content-type'],
                        'preflight', undef],
    ['preflight-origin', OPTIONS => [Origin => $EVIL,
                                     'Access-Control-Request-Method' => 'PUT'],
                        'refused-origin', 'CORS0102'],
    ['refused-method',  OPTIONS => [Origin => $APP,
                                    'Access-Control-Request-Method' => 'DELETE'],
                        'refused-method', 'CORS0103'],
    ['refused-header',  OPTIONS => [Origin => $APP,
                                    'Access-Control-Request-Method' => 'PUT',
                                    'Access-Control-Request-Headers' => 'x-token'],
                        'refused-header', 'CORS0104'],
);
my @REFUSED = grep { defined $_->[4] } @MIX;

plan tests => 4 * @MIX + 3 * @REFUSED + 2 + 4 * @MIX + 1 + 2 * @MIX + 8 + 1,
    need_lwp;

# Access-Control-* and Vary fields, each field as sent, in order: what must
# be byte-for-byte the same with and without the ReportOnly policy.
sub cors_fields {
    my $res = shift;
    my @names = grep { /^(access-control-|vary$)/i }
                $res->headers->header_field_names;
    return join "\n", map {
        my $name = $_;
        map { "$name: $_" } field_values($res, $name);
    } sort { lc $a cmp lc $b } @names;
}

my $n = 0;
sub send_case {
    my ($dir, $case) = @_;
    my ($name, $method, $headers) = @$case;
    my $path = "/ro/$dir/$name-$run.txt";
    my $id = "ro-$dir-$name-$run-" . ++$n;
    my $res = req($method => $path, @$headers, 'X-Test-Id' => $id);
    return ($res, $path, $id);
}

# ---------------------------------------------------------------- ReportOnly
my $from = error_log_size();
my (%path, %id);
for my $case (@MIX) {
    my $name = $case->[0];
    my ($twin) = send_case('recipe', $case);
    my ($res, $path, $id) = send_case('p/report', $case);
    ($path{$name}, $id{$name}) = ($path, $id);
    is $res->code, $twin->code,
        "$name: the recipe's status with the ReportOnly policy ("
        . $twin->code . ')';
    is cors_fields($res), cors_fields($twin),
        "$name: the recipe's Access-Control-* and Vary fields, byte for byte"
        or diag "report:\n" . cors_fields($res) . "\nrecipe:\n"
              . cors_fields($twin);
    ok defined $res->header('Access-Control-Allow-Origin'),
        "$name: (the recipe does send Access-Control-Allow-Origin)";
    is cors_result($id), $case->[3],
        "$name: CORS_RESULT is $case->[3], as On decides";
}

# The log names each request the policy would refuse, and no other.
my @lines = grep { ($_->[1] // '') =~ /\Q$run\E/ } cors_lines($from);
my $engine_at = conf_at('<Location /ro/p>', 'CorsEngine', 'report_only.conf');
for my $case (@REFUSED) {
    my ($name, $method, undef, undef, $msgid) = @$case;
    my $desc = $method eq 'OPTIONS' ? "preflight OPTIONS $path{$name}"
                                    : "GET $path{$name}";
    my @mine = grep { $_->[1] =~ /\Q$path{$name}\E(?:[:\s]|$)/ } @lines;
    is scalar(@mine), 1, "$name: one line names $path{$name}"
        or diag explain \@lines;
    is $mine[0][0], 'warn', "$name: logged at warn (shown at LogLevel warn)";
    like $mine[0][1] // '',
        qr/^\Q$msgid: refused $desc\E.*\Q; not enforced: CorsEngine ReportOnly ($engine_at)\E$/,
        "$name: $msgid, as the debug log says it, marked not enforced";
}
is scalar(@lines), scalar(@REFUSED),
    'no line for the requests the policy allows (or that are not CORS)'
    or diag explain \@lines;
ok !grep({ $_->[1] =~ m{/ro/recipe/} } @lines),
    'no line for the recipe alone (no policy)';

# ---------------------------------------------------------------- On
# The same requests with the policy switched On: the policy's answers.
$from = error_log_size();
my %on = (
    'allowed'          => [404, "Access-Control-Allow-Origin: $APP\nVary: Origin"],
    'no-origin'        => [404, 'Vary: Origin'],
    'refused-origin'   => [404, 'Vary: Origin'],
    'malformed'        => [404, 'Vary: Origin'],
    'preflight-ok'     => [204, join("\n",
        'Access-Control-Allow-Headers: Content-Type',
        'Access-Control-Allow-Methods: GET, POST, PUT',
        "Access-Control-Allow-Origin: $APP",
        'Vary: Origin,Access-Control-Request-Method,Access-Control-Request-Headers')],
    'preflight-origin' => [403, 'Vary: Origin,Access-Control-Request-Method,Access-Control-Request-Headers'],
    'refused-method'   => [403, 'Vary: Origin,Access-Control-Request-Method,Access-Control-Request-Headers'],
    'refused-header'   => [403, 'Vary: Origin,Access-Control-Request-Method,Access-Control-Request-Headers'],
);
for my $case (@MIX) {
    my $name = $case->[0];
    my ($res, $path, $id) = send_case('p/on', $case);
    is $res->code, $on{$name}[0], "On: $name: status $on{$name}[0]";
    is cors_fields($res), $on{$name}[1], "On: $name: the policy's fields";
    is cors_result($id), $case->[3], "On: $name: CORS_RESULT $case->[3]";
    is cors_result($id), cors_result($id{$name}),
        "On: $name: the same decision as ReportOnly";
}
@lines = grep { ($_->[1] // '') =~ /\Q$run\E/ } cors_lines($from);
is scalar(@lines), 0,
    'On: nothing at LogLevel warn (refusals are debug lines there)'
    or diag explain \@lines;

# On with the recipe's "Header always set" lines left in the same scope:
# the policy's answers, not the recipe's (its fields are removed).
for my $case (@MIX) {
    my $name = $case->[0];
    my ($res) = send_case('p/onrecipe', $case);
    is $res->code, $on{$name}[0], "On + recipe: $name: status $on{$name}[0]";
    is cors_fields($res), $on{$name}[1],
        "On + recipe: $name: the policy's fields only"
        or diag cors_fields($res);
}

# ---------------------------------------------------------------- auth
# ReportOnly answers no preflight, so exempts none from authentication.
my @pf = (Origin => $APP, 'Access-Control-Request-Method' => 'PUT');
my $res = req(OPTIONS => '/ro/auth/x.txt', @pf, 'X-Test-Id' => "ro-auth-$run");
is $res->code, 401, 'ReportOnly behind Require valid-user: preflight gets 401';
ok !defined $res->header('Access-Control-Allow-Origin'),
    'ReportOnly behind Require valid-user: no Access-Control-Allow-Origin';
is cors_result("ro-auth-$run"), 'preflight',
    'ReportOnly behind Require valid-user: CORS_RESULT says On would allow it';
$res = req(OPTIONS => '/ro/auth/on/x.txt', @pf);
is $res->code, 204, 'switched On: the same preflight gets 204';
is $res->header('Access-Control-Allow-Origin'), $APP,
    'switched On: Access-Control-Allow-Origin';
$res = req(GET => '/ro/auth/x.txt', Origin => $APP);
is $res->code, 401, 'ReportOnly: the actual request still needs a user';
ok !defined $res->header('Access-Control-Allow-Origin'),
    'ReportOnly: no Access-Control-Allow-Origin on the 401';
$res = req(GET => '/ro/auth/on/x.txt', Origin => $APP);
is $res->header('Access-Control-Allow-Origin'), $APP,
    'On: the 401 carries Access-Control-Allow-Origin';

# ---------------------------------------------------------------- cors-info
$res = req(GET => '/logging-info?/ro/p/report/x.txt');
like $res->content, qr/^CorsEngine +ReportOnly\n +set at \Q$engine_at\E$/m,
    'cors-info shows CorsEngine ReportOnly and where' or diag $res->content;

