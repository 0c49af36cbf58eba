# .htaccess files (AllowOverride FileInfo): they can set and replace the
# policy, and a bad value gives 500 with the reason in the error log.
# Config: t/conf/extra.conf.in, section "htaccess.t"; the .htaccess files
# are under t/htdocs/ht/.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;

# [ directory, directive that must be named, bad value that must be quoted ]
my @bad = (
    ['bad-path',      'CorsAllowOrigin',      'https://a.example/x'],
    ['bad-userinfo',  'CorsAllowOrigin',      'https://u@a.example'],
    ['bad-scheme',    'CorsAllowOrigin',      'ftp://a.example'],
    ['bad-maxage',    'CorsMaxAge',           'abc'],
    ['bad-maxage-neg', 'CorsMaxAge',          '-1'],
    ['bad-method',    'CorsAllowMethods',     'GE(T'],
    ['bad-header',    'CorsAllowHeaders',     'X-Foo:'],
    ['bad-regex',     'CorsAllowOriginMatch', '(unclosed'],
    ['bad-backend',   'CorsBackendHeaders',   'Maybe'],
    ['bad-starcred',  'CorsAllow(?:Origin|Credentials)', undef],
    # a wildcard above a public suffix: the list loaded at start-up is
    # there for .htaccess files too
    ['bad-suffix',    'CorsAllowOrigin',
        "https://*.github.io' is not a valid origin: the wildcard stands "
      . "directly above the public suffix 'github.io'"],
);

plan tests => 22 + 4 * @bad, need_lwp;

my $H   = 'https://h.example';
my $OUT = 'https://outer.example';
my $res;

# --- .htaccess sets a policy where the server config has none -------------
$res = req(GET => '/ht/set/x.txt', Origin => $H);
is $res->code, 200, 'set: 200';
is $res->header('Access-Control-Allow-Origin'), $H, 'set: ACAO from .htaccess';
ok vary_ok($res, 'Origin'), 'set: Vary: Origin';
$res = preflight('/ht/set/x.txt', $H, 'PUT');
is $res->code, 204, 'set: preflight PUT allowed by .htaccess CorsAllowMethods';
is $res->header('Access-Control-Allow-Methods'), 'PUT', 'set: ACAM';
is preflight('/ht/set/x.txt', $H, 'DELETE')->code, 403, 'set: DELETE refused';
$res = req(GET => '/ht/set/x.txt', Origin => $OUT);
is_deeply [acheaders($res)], [], 'set: other origin refused';

# --- .htaccess replaces a <Directory> policy -------------------------------
$res = req(GET => '/ht/replace/x.txt', Origin => $H);
is $res->header('Access-Control-Allow-Origin'), $H, 'replace: .htaccess origin';
$res = req(GET => '/ht/replace/x.txt', Origin => $OUT);
is $res->code, 200, 'replace: 200 for the <Directory> origin';
is_deeply [acheaders($res)], [], 'replace: <Directory> origin refused';
ok vary_ok($res, 'Origin'), 'replace: Vary: Origin';
is preflight('/ht/replace/x.txt', $OUT, 'GET')->code, 403,
    'replace: preflight from the <Directory> origin refused';
is preflight('/ht/replace/x.txt', $H, 'GET')->code, 204,
    'replace: preflight from the .htaccess origin allowed';

# --- .htaccess changes one setting, inherits the origin policy --------------
$res = req(GET => '/ht/inherit/x.txt', Origin => $OUT);
is $res->header('Access-Control-Allow-Origin'), $OUT, 'inherit: <Directory> origin';
is $res->header('Access-Control-Expose-Headers'), 'X-Ht',
    'inherit: ACEH from .htaccess';
$res = req(GET => '/ht/inherit/x.txt', Origin => $H);
is_deeply [acheaders($res)], [], 'inherit: unlisted origin refused';

# --- .htaccess CorsEngine Off ---------------------------------------------
$res = req(GET => '/ht/off/x.txt', Origin => $OUT);
is_deeply [acheaders($res)], [], 'off: no Access-Control-*';
$res = preflight('/ht/off/x.txt', $OUT, 'GET');
is $res->code, 200, 'off: preflight served by httpd as OPTIONS';
ok !grep({ $_ eq 'origin' } vary_tokens($res)), 'off: no Vary: Origin';

# --- .htaccess allows the subdomains of one registered site ---------------
$res = req(GET => '/ht/suffix/x.txt', Origin => 'https://a.example.co.uk');
is $res->code, 200, 'suffix: 200';
is $res->header('Access-Control-Allow-Origin'), 'https://a.example.co.uk',
    'suffix: *.example.co.uk allows a.example.co.uk';
$res = req(GET => '/ht/suffix/x.txt', Origin => 'https://b.co.uk');
is_deeply [acheaders($res)], [], 'suffix: b.co.uk refused';

# --- a bad value in .htaccess: 500, reason in the error log ----------------
for my $c (@bad) {
    my ($dir, $directive, $value) = @$c;
    my $from = error_log_size();
    $res = req(GET => "/ht/$dir/x.txt", Origin => $H);
    is $res->code, 500, "$dir: 500";
    is_deeply [acheaders($res)], [], "$dir: no Access-Control-*";
    my $log = error_log_since($from);
    my ($line) = grep { m{/ht/\Q$dir\E/\.htaccess} } split /\n/, $log;
    ok defined $line, "$dir: error log names the .htaccess file"
        or diag $log;
    $line //= '';
    if (defined $value) {
        like $line, qr/\Q$directive\E.*\Q$value\E/,
            "$dir: error log names $directive and quotes '$value'";
    }
    else {
        like $line, qr/$directive/, "$dir: error log names the directive";
    }
}
