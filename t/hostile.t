# Issue 8, section 2: the largest values a client or a backend can send
# get the right answer (their cost is measured by make bench, not here).
# - Access-Control-Request-Headers is refused as malformed past 64 names
#   (CORS_MAX_REQUEST_HEADERS), with one bounded CORS0105 line;
# - up to 64 names are checked and echoed exactly;
# - the refused names in the debug log are bounded (8, then "and N more"),
#   and so is a malformed name (64 bytes, then "...");
# - "CorsExposeHeaders *" with credentials names each of a script's 8,000
#   response headers once.
# (t/conf/hostile.conf.in)
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use LWP::Protocol::http ();
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;
use CorsLogTest;

plan tests => 32, need_lwp;

my $A = 'https://a.example';
my @letters = ('a' .. 'z');

# n one- or two-letter names, as a hostile client would send them
sub names { my $n = shift; return map { $letters[$_ % 26] x (1 + int($_ / 26) % 2) } 0 .. $n - 1 }

# The cors lines logged by a preflight with ACRH $acrh to $path.
sub pf_logged {
    my ($path, $acrh) = @_;
    my $from = error_log_size();
    my $res = preflight($path, $A, 'PUT', $acrh);
    return ($res, cors_lines($from));
}

# 4,000 one-letter names: 8 KB, under the default LimitRequestFieldSize.
my $hostile = join ',', map { $letters[$_ % 26] } 0 .. 3999;
for my $path ('/hostile/x.txt', '/hostile/star/x.txt') {
    my ($res, @l) = pf_logged($path, $hostile);
    is $res->code, 403, "4,000 names to $path: refused (403)";
    is_deeply [acheaders($res)], [], "4,000 names to $path: no "
        . "Access-Control-* field";
    is scalar(@l), 1, "4,000 names to $path: one mod_cors line";
    like $l[0][1] // '', qr/^CORS0105: .*Access-Control-Request-Headers lists more than 64 names/,
        "4,000 names to $path: CORS0105, more than 64 names";
    ok length($l[0][1] // '') < 600, "4,000 names to $path: the line is "
        . "short (" . length($l[0][1] // '') . " bytes)";
}

# At the cap: checked and echoed, lowercase, in order, with optional
# whitespace and empty elements dropped.
my @n64 = map { "X-N$_" } 1 .. 64;
my $res = preflight('/hostile/star/x.txt', $A, 'PUT',
                    join(' , ,', @n64));
is $res->code, 204, '64 names, "*" with credentials: allowed';
is $res->header('Access-Control-Allow-Headers'),
    join(', ', map { lc } @n64),
    '64 names: each echoed once, lowercase, in order';
$res = preflight('/hostile/star/x.txt', $A, 'PUT', join(',', @n64, 'X-N65'));
is $res->code, 403, '65 names: refused';
is $res->header('Access-Control-Allow-Headers'), undef,
    '65 names: no Access-Control-Allow-Headers';

# 60 names not allowed: the log names 8 and counts the rest.
my @refused = map { "x-r$_" } 1 .. 60;
my ($r2, @l) = pf_logged('/hostile/x.txt', join(',', 'X-Allowed', @refused));
is $r2->code, 403, '60 refused names: 403';
is scalar(@l), 1, '60 refused names: one mod_cors line';
like $l[0][1] // '',
    qr/^CORS0104: .*request header\(s\) not allowed: \Q@{[ join ', ', @refused[0 .. 7] ]} and 52 more;\E/,
    '60 refused names: the first 8 named, 52 counted';
unlike $l[0][1] // '', qr/x-allowed/, '60 refused names: the allowed one '
    . 'is not listed';

# A malformed name of 5,000 bytes: shown cut at 64 bytes.
my $long = 'X-' . ('y' x 4998);
($r2, @l) = pf_logged('/hostile/x.txt', "X-Allowed, $long\@");
is $r2->code, 403, "malformed 5,000-byte name: 403" or diag $r2->as_string;
like $l[0][1] // '', qr/^CORS0105: .*has 'X-y{62}\.\.\.', which is not a header name/,
    'malformed 5,000-byte name: cut at 64 bytes';
ok length($l[0][1] // '') < 600, 'malformed 5,000-byte name: the line is '
    . 'short';

# A malformed name after a refused one: the line shows the malformed name
# alone, not glued to the refused one before it.
($r2, @l) = pf_logged('/hostile/x.txt', 'X-Refused, Bad@Name, X-Allowed');
is $r2->code, 403, 'malformed after refused: 403';
like $l[0][1] // '', qr/^CORS0105: .*has 'Bad\@Name', which is not a header name/,
    'malformed after refused: the malformed name alone, as sent';

# Within the cap, every name refused but one: the answer is exact.
($r2, @l) = pf_logged('/hostile/x.txt', 'x-allowed');
is $r2->code, 204, 'the listed name alone: allowed';
is $r2->header('Access-Control-Allow-Headers'), 'X-Allowed',
    'the listed name alone: Access-Control-Allow-Headers as configured';

# A script with 8,000 response headers, "CorsExposeHeaders *" with
# credentials: every name once, in the order sent. (LWP reads at most 128
# header lines unless told otherwise.)
push @LWP::Protocol::http::EXTRA_SOCK_OPTS, MaxHeaderLines => 0,
    MaxLineLength => 0;
$res = req(GET => '/hostile/cgi/many.cgi', Origin => $A);
is $res->code, 200, '8,000 headers: 200';
my $exposed = $res->header('Access-Control-Expose-Headers') // '';
my @exposed = split /, /, $exposed;
is scalar(@exposed), 8000, '8,000 headers: 8,000 names exposed';
is $exposed[0], 'X-H1', '8,000 headers: first name';
is $exposed[-1], 'X-H8000', '8,000 headers: last name';
my %seen;
is scalar(grep { !$seen{lc $_}++ } @exposed), 8000,
    '8,000 headers: each name once';
is $res->header('Access-Control-Allow-Origin'), $A,
    '8,000 headers: Access-Control-Allow-Origin';
$res = req(GET => '/hostile/cgi/many.cgi');
is $res->header('Access-Control-Expose-Headers'), undef,
    '8,000 headers, no Origin: nothing exposed';
