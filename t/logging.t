# Issue 4, "Tell the administrator why": at LogLevel cors:debug each refused
# request writes exactly one error-log line with its message id (README,
# "Fixing CORS errors"), the URL, the origin, the reason and where the
# policy was written; allowed requests are logged at trace1 only; nothing
# is logged at the default level. URLs under /logging/ run at
# "LogLevel warn cors:debug" (t/conf/logging.conf.in), /logging/trace at
# cors:trace1. Each request has a path of its own, so each line is known
# to belong to it.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;
use CorsLogTest;

plan tests => 159, need_lwp;

my $APP = 'https://app.example';
my $run = "$$-" . time;
my $n = 0;
sub uniq_path { my $loc = shift; return "/logging/$loc/$run-" . ++$n }

my $O_LIST = 'https://app.example https://api.example:8443 '
           . 'https://www.site.example http://plain.example';
my $O  = conf_at('<Location /logging/origin>', 'CorsAllowOrigin');
my $M  = conf_at('<Location /logging/methods>', 'CorsAllowMethods');
my $HO = conf_at('<Location /logging/headers>', 'CorsAllowOrigin');
my $H  = conf_at('<Location /logging/headers>', 'CorsAllowHeaders');
my $HS = conf_at('<Location /logging/hstar>', 'CorsAllowHeaders');
my $S  = conf_at('<Location /logging/star>', 'CorsAllowOrigin');
my $C  = conf_at('<Location /logging/star/cred>', 'CorsAllowCredentials');
my $T  = conf_at('<Location /logging/trace>', 'CorsAllowOrigin');
my $MANY = conf_at('<Location /logging/many>', 'CorsAllowOrigin');

# Sends one request to a fresh path under /logging/$loc/ and returns the
# response, the path and mod_cors's error-log lines written meanwhile.
sub logged {
    my ($method, $loc, @headers) = @_;
    my $path = uniq_path($loc);
    my $from = error_log_size();
    my $res = req($method => $path, @headers);
    return ($res, $path, cors_lines($from));
}

# Exactly one line, at $level, whose message is $want (a string: equal;
# a regex: matched). 3 tests.
sub one_line {
    my ($name, $lines, $level, $want) = @_;
    is scalar(@$lines), 1, "$name: exactly one mod_cors line"
        or diag explain $lines;
    my ($got_level, $msg) = @{ $lines->[0] // [] };
    is $got_level, $level, "$name: at $level";
    if (ref $want) {
        like $msg // '', $want, "$name: message";
    }
    else {
        is $msg, $want, "$name: message";
    }
    return $msg // '';
}

sub refused_origin_msg {
    my ($desc, $origin, $hint) = @_;
    return "CORS0102: refused $desc: origin $origin is not allowed: not in "
         . "CorsAllowOrigin ($O_LIST) nor matched by CorsAllowOriginMatch "
         . "(1 regex(es)) of the policy at $O"
         . (defined $hint ? "; closest configured entry: $hint" : '');
}

my ($res, $path, @l);

# ------------------------------------------------------------ CORS0102
# [ name, Origin, closest-entry hint or undef ]
my @not_listed = (
    ['unlisted origin, no near miss', "https://evil-$run.example", undef],
    ['differs by scheme (http vs https)', 'http://app.example',
        'https://app.example (differs by scheme)'],
    ['differs by scheme (https vs http)', 'https://plain.example',
        'http://plain.example (differs by scheme)'],
    ['differs by port (none vs :8443)', 'https://api.example',
        'https://api.example:8443 (differs by port)'],
    ['differs by port (:9443 vs :8443)', 'https://api.example:9443',
        'https://api.example:8443 (differs by port)'],
    ['differs by www. (origin has it)', 'https://www.app.example',
        'https://app.example (differs by "www.")'],
    ['differs by www. (entry has it)', 'https://site.example',
        'https://www.site.example (differs by "www.")'],
    ['null, not listed', 'null', undef],
);
for my $c (@not_listed) {
    my ($name, $origin, $hint) = @$c;
    ($res, $path, @l) = logged(GET => 'origin', Origin => $origin);
    one_line("CORS0102 $name", \@l, 'debug',
             refused_origin_msg("GET $path", $origin, $hint));
    ok !defined $res->header('Access-Control-Allow-Origin'),
        "CORS0102 $name: no Access-Control-Allow-Origin";
}

# the same on a preflight
($res, $path, @l) = logged(OPTIONS => 'origin', Origin => 'http://app.example',
                            'Access-Control-Request-Method' => 'GET');
is $res->code, 403, 'CORS0102 preflight: 403';
one_line('CORS0102 preflight', \@l, 'debug',
         refused_origin_msg("preflight OPTIONS $path", 'http://app.example',
                            'https://app.example (differs by scheme)'));

# a long list: eight entries and a count
($res, $path, @l) = logged(GET => 'many', Origin => 'https://o11.example');
one_line('CORS0102 long list', \@l, 'debug',
         "CORS0102: refused GET $path: origin https://o11.example is not "
       . 'allowed: not in CorsAllowOrigin (' . join(' ', map { "https://o$_.example" } 1 .. 8)
       . ' and 2 more) nor matched by CorsAllowOriginMatch (0 regex(es)) of '
       . "the policy at $MANY");

# An origin that differs from the entry by scheme AND "www." is not fixed
# by changing the scheme alone: the hint names both.
($res, $path, @l) = logged(GET => 'origin', Origin => 'https://www.plain.example');
my $prefix = refused_origin_msg("GET $path", 'https://www.plain.example');
my $msg = one_line('CORS0102 differs by scheme and www.', \@l, 'debug',
                   qr/^\Q$prefix\E/);
like $msg, qr/closest configured entry: http:\/\/plain\.example \(differs by scheme and "www\."\)$/,
    'CORS0102 differs by scheme and www.: the hint names both differences';

# ------------------------------------------------------------ CORS0101
sub malformed_msg {
    my ($desc, $shown, $why, $hint) = @_;
    return "CORS0101: refused $desc: Origin '$shown' is malformed: $why "
         . "(policy at $O)"
         . (defined $hint ? "; closest configured entry: $hint" : '');
}

($res, $path, @l) = logged(GET => 'origin', Origin => 'https://app.example/');
one_line('CORS0101 trailing slash', \@l, 'debug',
    malformed_msg("GET $path", 'https://app.example/',
        'it ends with a slash (an origin has no path: remove the trailing slash)',
        'https://app.example (the Origin has a trailing slash; browsers never send one)'));
ok !defined $res->header('Access-Control-Allow-Origin'),
    'CORS0101 trailing slash: no Access-Control-Allow-Origin';

($res, $path, @l) = logged(GET => 'origin', Origin => 'https://app.example/x');
one_line('CORS0101 path', \@l, 'debug',
    malformed_msg("GET $path", 'https://app.example/x',
        'it has a path, query or fragment (an origin is only scheme://host[:port])'));

($res, $path, @l) = logged(GET => 'origin', Origin => 'https://app.example:443');
one_line('CORS0101 default port written out', \@l, 'debug',
    malformed_msg("GET $path", 'https://app.example:443',
        'it is not in serialized form (uppercase letters, or a default port written out)',
        'https://app.example (differs by port)'));

# Uppercase: the hint says the letter case differs, nothing else.
($res, $path, @l) = logged(GET => 'origin', Origin => 'https://App.example');
$prefix = malformed_msg("GET $path", 'https://App.example',
    'it is not in serialized form (uppercase letters, or a default port written out)');
$msg = one_line('CORS0101 uppercase', \@l, 'debug', qr/^\Q$prefix\E/);
like $msg, qr/closest configured entry: https:\/\/app\.example \(differs by letter case \(browsers send lowercase\)\)$/,
    'CORS0101 uppercase: the hint names the letter case';

{
    my (undef, $raw) = raw_request_logged(
        "GET /logging/origin/$run-empty HTTP/1.1\r\nHost: localhost\r\n"
      . "Origin: \r\nConnection: close\r\n\r\n");
    @l = cors_lines_in($raw);
    one_line('CORS0101 empty', \@l, 'debug',
        malformed_msg("GET /logging/origin/$run-empty", '', 'it is empty'));
}

{
    my (undef, $raw) = raw_request_logged(
        "GET /logging/origin/$run-two HTTP/1.1\r\nHost: localhost\r\n"
      . "Origin: https://app.example\r\nOrigin: https://app.example\r\n"
      . "Connection: close\r\n\r\n");
    @l = cors_lines_in($raw);
    one_line('CORS0101 two Origin fields', \@l, 'debug',
        qr/^\QCORS0101: refused GET \/logging\/origin\/$run-two: Origin 'https:\/\/app.example, https:\/\/app.example' is malformed: \E/);
}

# Control bytes and non-ASCII bytes reach the module only where
# HttpProtocolOptions is Unsafe (the cors_unsafe vhost of extra.conf.in,
# which inherits the /logging/ <Location>s). They are escaped in the log as
# \xHH or \t, once: httpd escapes every error-log message itself, and
# mod_cors passes client bytes through as they are (a second escape would
# show "\\x1b").
for my $cc (["\x1b[31m", 'ESC', qr/\\x1b\[31m/],
            ["\x01",     'SOH', qr/\\x01/],
            ["\t",       'TAB', qr/\\t/],
            ["\xc3\xa9", 'UTF-8 e-acute', qr/\\xc3\\xa9/]) {
    my ($bytes, $name, $escaped) = @$cc;
    my $p = "/logging/origin/$run-" . ++$n;
    my ($status, $raw) = raw_request_logged(
        "GET $p HTTP/1.1\r\nHost: localhost\r\n"
      . "Origin: https://a${bytes}b.example\r\nConnection: close\r\n\r\n",
        'cors_unsafe');
    is $status, 404, "CORS0101 $name: the request is served (404, unsafe vhost)";
    @l = cors_lines_in($raw);
    my $m = one_line("CORS0101 $name", \@l, 'debug',
        qr/^CORS0101: refused GET \Q$p\E: Origin 'https:\/\/a${escaped}b\.example' is malformed: it contains a space, a control character or a non-ASCII byte \(policy at \Q$O\E\)$/);
    my $rawbytes = $bytes =~ s/\[31m//r;
    ok index($raw, $rawbytes) < 0, "CORS0101 $name: the raw bytes are not in the error log";
}

# ------------------------------------------------ CORS0103, CORS0104, CORS0105
# Refused preflights from $APP to a fresh path under /logging/LOC/:
# [ name, LOC, Access-Control-Request-Method, Access-Control-Request-Headers
#   or undef, status to check or undef, the expected line for the request's
#   path (a sub returning a string or a regex, as one_line takes) ]
my @refused_preflights = (
    ['CORS0103', methods => 'PATCH', undef, 403, sub {
        my ($path) = @_;
        "CORS0103: refused preflight OPTIONS $path from origin $APP: method PATCH "
      . "is not allowed: CorsAllowMethods is PUT, DELETE ($M); add PATCH there" }],
    # the default list; the README example says "(default)", the module
    # "(the default)": either passes
    ['CORS0103 default methods', origin => 'PUT', undef, undef, sub {
        my ($path) = @_;
        qr/^\QCORS0103: refused preflight OPTIONS $path from origin $APP: method PUT is not allowed: CorsAllowMethods is GET, HEAD, POST \E\((?:the )?default\)\Q; add PUT there\E$/ }],
    ['CORS0104', headers => 'GET', 'X-Ok, X-Bad-One, x-bad-two', 403, sub {
        my ($path) = @_;
        "CORS0104: refused preflight OPTIONS $path from origin $APP: request "
      . "header(s) not allowed: x-bad-one, x-bad-two; CorsAllowHeaders is X-Ok, "
      . "Content-Type ($H)" }],
    ['CORS0104 no CorsAllowHeaders', origin => 'GET', 'X-Foo', undef, sub {
        my ($path) = @_;
        "CORS0104: refused preflight OPTIONS $path from origin $APP: request "
      . "header(s) not allowed: x-foo; CorsAllowHeaders is not set (default)" }],
    ['CORS0104 * and Authorization', hstar => 'GET', 'x-any, Authorization',
     403, sub {
        my ($path) = @_;
        "CORS0104: refused preflight OPTIONS $path from origin $APP: request "
      . "header(s) not allowed: authorization; CorsAllowHeaders is * ($HS); "
      . "'*' never covers Authorization, list it by name" }],
    ['CORS0105 method', origin => 'PUT DELETE', undef, 403, sub {
        my ($path) = @_;
        "CORS0105: refused preflight OPTIONS $path from origin $APP: "
      . "Access-Control-Request-Method 'PUT DELETE' is not a method name "
      . "(policy at $O)" }],
    ['CORS0105 headers', headers => 'GET', 'x-ok, bad@name', 403, sub {
        my ($path) = @_;
        "CORS0105: refused preflight OPTIONS $path from origin $APP: "
      . "Access-Control-Request-Headers has 'bad\@name', which is not a header "
      . "name (policy at $HO)" }],
);
for my $c (@refused_preflights) {
    my ($name, $loc, $method, $headers, $status, $want) = @$c;
    my @acrh = defined $headers
             ? ('Access-Control-Request-Headers' => $headers) : ();
    ($res, $path, @l) = logged(OPTIONS => $loc, Origin => $APP,
                               'Access-Control-Request-Method' => $method,
                               @acrh);
    is $res->code, $status, "$name: $status" if defined $status;
    one_line($name, \@l, 'debug', $want->($path));
}

{
    my $p = "/logging/origin/$run-" . ++$n;
    my ($status, $raw) = raw_request_logged(
        "OPTIONS $p HTTP/1.1\r\nHost: localhost\r\nOrigin: $APP\r\n"
      . "Access-Control-Request-Method: PU\x01T\r\nConnection: close\r\n\r\n",
        'cors_unsafe');
    is $status, 403, 'CORS0105 control byte in the method: 403';
    @l = cors_lines_in($raw);
    one_line('CORS0105 control byte in the method', \@l, 'debug',
        qr/^\QCORS0105: refused preflight OPTIONS $p from origin $APP: Access-Control-Request-Method 'PU\E\\x01T' is not a method name \(policy at \Q$O\E\)$/);
    ok index($raw, "PU\x01T") < 0, 'CORS0105 control byte: not written raw';
}

# ------------------------------------------------------------ CORS0106
($res, $path, @l) = logged(GET => 'star/cred', Origin => $APP);
is $res->header('Access-Control-Allow-Origin'), '*', 'CORS0106: ACAO *';
ok !defined $res->header('Access-Control-Allow-Credentials'), 'CORS0106: no ACAC';
one_line('CORS0106', \@l, 'debug',
    "CORS0106: GET $path from origin $APP: credentials are on ($C) but the "
  . "origin is allowed only through '*' ($S); answering '*' without "
  . "credentials, so a browser blocks this request if it sends cookies or "
  . "HTTP auth: list the origin by name");

# without credentials, `*` is fine and nothing is said
($res, $path, @l) = logged(GET => 'star', Origin => $APP);
is $res->header('Access-Control-Allow-Origin'), '*', '`*` without credentials: ACAO *';
is scalar(@l), 0, '`*` without credentials: no mod_cors line' or diag explain \@l;

# ------------------------------------------------------------ CORS0107
($res, $path, @l) = logged(OPTIONS => 'origin', Origin => $APP,
                            'Access-Control-Request-Method' => 'GET',
                            'Access-Control-Request-Private-Network' => 'true');
is $res->code, 204, 'CORS0107: preflight answered';
ok !defined $res->header('Access-Control-Allow-Private-Network'), 'CORS0107: no ACAPN';
one_line('CORS0107', \@l, 'debug',
    "CORS0107: preflight OPTIONS $path from origin $APP asks for private "
  . "network access, which CorsAllowPrivateNetwork does not allow "
  . "(default): answered without Access-Control-Allow-Private-Network");

# ------------------------------------------------------------ CORS0110
# at cors:debug an allowed request is not logged
($res, $path, @l) = logged(GET => 'origin', Origin => $APP);
is $res->header('Access-Control-Allow-Origin'), $APP, 'allowed at debug: ACAO';
is scalar(@l), 0, 'allowed at debug: no mod_cors line' or diag explain \@l;
($res, $path, @l) = logged(OPTIONS => 'origin', Origin => $APP,
                            'Access-Control-Request-Method' => 'GET');
is $res->code, 204, 'allowed preflight at debug: 204';
is scalar(@l), 0, 'allowed preflight at debug: no mod_cors line' or diag explain \@l;
# nor is a request without Origin
($res, $path, @l) = logged(GET => 'origin');
is scalar(@l), 0, 'no Origin at debug: no mod_cors line' or diag explain \@l;

# at cors:trace1 it is
($res, $path, @l) = logged(GET => 'trace', Origin => $APP);
is $res->header('Access-Control-Allow-Origin'), $APP, 'CORS0110: ACAO';
one_line('CORS0110', \@l, 'trace1',
    "CORS0110: allowed GET $path from origin $APP by '$APP' (policy at $T)");
($res, $path, @l) = logged(OPTIONS => 'trace', Origin => $APP,
                            'Access-Control-Request-Method' => 'GET');
is $res->code, 204, 'CORS0110 preflight: 204';
one_line('CORS0110 preflight', \@l, 'trace1',
    "CORS0110: allowed preflight OPTIONS $path from origin $APP by '$APP' "
  . "(policy at $T)");

# ------------------------------------------------------------ default level
# Two vhosts with the same policy and their own ErrorLog: logging_quiet at
# "LogLevel warn", logging_debug at "LogLevel warn cors:debug".
my $logs = Apache::Test::vars('t_logs');
my %vlog = (logging_quiet => "$logs/logging_quiet_error_log",
            logging_debug => "$logs/logging_debug_error_log");
my %vfrom;
for my $vhost (qw(logging_quiet logging_debug)) {
    ok -f $vlog{$vhost}, "$vhost: its error log exists";
    $vfrom{$vhost} = file_size($vlog{$vhost});
    my $main_from = error_log_size();
    local $Apache::TestRequest::Module = $vhost;
    my $p = "/logging-vhost/$run-$vhost";
    $res = req(GET => "$p-allowed", Origin => $APP);
    is $res->header('Access-Control-Allow-Origin'), $APP,
        "$vhost: the policy applies (allowed)";
    $res = req(GET => "$p-refused", Origin => "https://evil-$run.example");
    ok !defined $res->header('Access-Control-Allow-Origin'), "$vhost: refused";
    $res = preflight("$p-preflight", $APP, 'PUT');
    is $res->code, 204, "$vhost: preflight allowed";
    $res = preflight("$p-badmethod", $APP, 'PATCH');
    is $res->code, 403, "$vhost: preflight refused";
    # an error-level line from mod_authz_core: the file is this vhost's log
    $res = req(GET => '/logging-vhost/denied/x.txt', Origin => $APP);
    is $res->code, 403, "$vhost: denied URL";
    ok defined wait_for_line($vlog{$vhost}, $vfrom{$vhost}, qr/AH01630/),
        "$vhost: its error log gets the AH01630 line";
    my @main = grep { /\Q$run-$vhost\E/ } split /\n/, error_log_since($main_from);
    is scalar(@main), 0, "$vhost: nothing about these requests in the main error log"
        or diag explain \@main;
}

{
    my @lines = grep { /\[cors:|CORS0\d/ } split /\n/,
                file_since($vlog{logging_quiet}, 0);
    is scalar(@lines), 0, 'logging_quiet (LogLevel warn): no mod_cors line at all'
        or diag explain \@lines;

    my @dbg = grep { /\[cors:/ } split /\n/,
              file_since($vlog{logging_debug}, $vfrom{logging_debug});
    is scalar(@dbg), 2, 'logging_debug (cors:debug): two mod_cors lines'
        or diag explain \@dbg;
    like $dbg[0] // '', qr/\[cors:debug\].*CORS0102: refused GET \/logging-vhost\/\Q$run\E-logging_debug-refused: /,
        'logging_debug: CORS0102 for the refused origin';
    like $dbg[1] // '', qr/\[cors:debug\].*CORS0103: refused preflight OPTIONS \/logging-vhost\/\Q$run\E-logging_debug-badmethod from origin \Q$APP\E: method PATCH /,
        'logging_debug: CORS0103 for the refused method';
}
