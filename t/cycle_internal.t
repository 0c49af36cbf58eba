# Issue 3, group 7: subrequests and internal redirects
# (t/conf/cycle.conf.in, "cycle_internal.t").
#
# mod_include's subrequests, mod_dir's DirectoryIndex, ErrorDocument and a
# per-directory RewriteRule without [R] all run parts of the request cycle
# again for another URL. The CORS headers must appear once on the final
# response, computed from the client's Origin and the policy of the URL
# the client asked for: never the policy of the included part, index file,
# error document or rewrite target.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;

plan tests => 117, need_lwp;

my $A = 'https://a.example';    # allowed for the asked URLs
my $B = 'https://b.example';    # allowed for the parts and targets only

# check(PATH, ORIGIN, STATUS, BODY_RE, { field => value or undef }, label):
# every Access-Control-* field of the response must be listed in the hash
# with its value (and appear once); undef means "absent".
sub check {
    my ($path, $origin, $status, $body, $want, $what) = @_;
    my $res = req(GET => $path, Origin => $origin);
    is $res->code, $status, "$what: status $status";
    like $res->content, $body, "$what: body";
    my %want = map { lc($_) => $want->{$_} } keys %$want;
    for my $name (sort keys %want) {
        is_deeply [field_values($res, $name)],
            [ defined $want{$name} ? $want{$name} : () ],
            "$what: $name " . (defined $want{$name}
                               ? "'$want{$name}', once" : 'absent');
    }
    is_deeply [grep { !exists $want{$_} } acheaders($res)], [],
        "$what: no other Access-Control-* field";
    return $res;
}

my $NONE = {
    'Access-Control-Allow-Origin'      => undef,
    'Access-Control-Allow-Credentials' => undef,
    'Access-Control-Expose-Headers'    => undef,
};

my $res;

# ------------------------------------------------------------------
# mod_include: /cycle/ssi/ (a, expose X-Page) includes /cycle/inc/part.html
# (b, credentials, expose X-Part).

my $page = qr{page head.*included part.*page tail}s;
$res = check('/cycle/ssi/page.shtml', $A, 200, $page,
             { 'Access-Control-Allow-Origin'      => $A,
               'Access-Control-Allow-Credentials' => undef,
               'Access-Control-Expose-Headers'    => 'X-Page' },
             'SSI page, origin allowed for the page');
is field_count($res, 'Vary'), 1, 'SSI page: one Vary field';
is scalar(grep { $_ eq 'origin' } vary_tokens($res)), 1,
    'SSI page: Vary has Origin once';
check('/cycle/ssi/page.shtml', $B, 200, $page, $NONE,
      'SSI page, origin allowed only for the included part');
check('/cycle/inc/part.html', $B, 200, qr/included part/,
      { 'Access-Control-Allow-Origin'      => $B,
        'Access-Control-Allow-Credentials' => 'true',
        'Access-Control-Expose-Headers'    => 'X-Part' },
      'the part itself, its own origin');
check('/cycle/inc/part.html', $A, 200, qr/included part/, $NONE,
      "the part itself, the page's origin");

# ------------------------------------------------------------------
# DirectoryIndex: /cycle/dir/ (a) is served by /cycle/dir/index.html (b).

my $index = qr{index of /cycle/dir/};
$res = check('/cycle/dir/', $A, 200, $index,
             { 'Access-Control-Allow-Origin' => $A },
             'DirectoryIndex, origin allowed for the directory');
is scalar(grep { $_ eq 'origin' } vary_tokens($res)), 1,
    'DirectoryIndex: Vary has Origin once';
check('/cycle/dir/', $B, 200, $index, $NONE,
      'DirectoryIndex, origin allowed only for index.html');
check('/cycle/dir/index.html', $B, 200, $index,
      { 'Access-Control-Allow-Origin' => $B },
      'index.html asked directly, its own origin');
check('/cycle/dir/index.html', $A, 200, $index, $NONE,
      "index.html asked directly, the directory's origin");

# The reverse: no policy for the directory, one for its index file.
check('/cycle/nopol/', $B, 200, qr{index of /cycle/nopol/}, $NONE,
      'DirectoryIndex, no policy for the directory');
check('/cycle/nopol/index.html', $B, 200, qr{index of /cycle/nopol/},
      { 'Access-Control-Allow-Origin' => $B },
      'index.html (policy b) asked directly');

# Preflights are answered for the directory, before mod_dir acts.
$res = preflight('/cycle/dir/', $A, 'POST');
is $res->code, 204, 'DirectoryIndex: preflight from a: 204';
is_deeply [field_values($res, 'Access-Control-Allow-Origin')], [$A],
    'DirectoryIndex: preflight from a: Access-Control-Allow-Origin once';
$res = preflight('/cycle/dir/', $B, 'POST');
is $res->code, 403, "DirectoryIndex: preflight from b (index.html's): 403";
is_deeply [grep { /^access-control-allow-/ } acheaders($res)], [],
    'DirectoryIndex: preflight from b: no Access-Control-Allow-*';

# ------------------------------------------------------------------
# ErrorDocument: /cycle/ed/ (a, expose X-Asked) sends its 404 and 403
# pages from /cycle/edtarget/ (b, credentials, expose X-Target).

my $errdoc = qr{cycle error document \(edtarget\)};
my $asked = { 'Access-Control-Allow-Origin'      => $A,
              'Access-Control-Allow-Credentials' => undef,
              'Access-Control-Expose-Headers'    => 'X-Asked' };

$res = check('/cycle/ed/missing.txt', $A, 404, $errdoc, $asked,
             'ErrorDocument 404, origin allowed for the asked URL');
is scalar(grep { $_ eq 'origin' } vary_tokens($res)), 1,
    'ErrorDocument 404: Vary has Origin once';
check('/cycle/ed/missing.txt', $B, 404, $errdoc, $NONE,
      'ErrorDocument 404, origin allowed only for the error document');
check('/cycle/ed/denied/file.txt', $A, 403, $errdoc, $asked,
      'ErrorDocument 403 (Require all denied), origin allowed for the '
      . 'asked URL');
check('/cycle/ed/denied/file.txt', $B, 403, $errdoc, $NONE,
      'ErrorDocument 403, origin allowed only for the error document');
check('/cycle/edtarget/errdoc.html', $B, 200, $errdoc,
      { 'Access-Control-Allow-Origin'      => $B,
        'Access-Control-Allow-Credentials' => 'true',
        'Access-Control-Expose-Headers'    => 'X-Target' },
      'the error document asked directly, its own origin');
check('/cycle/nopol/missing.txt', $B, 404, $errdoc, $NONE,
      'ErrorDocument 404 from a URL without a policy');

# A refused preflight is a 403, whose ErrorDocument is under policy b:
# it must not turn into an allowed answer for b.
$res = preflight('/cycle/ed/missing.txt', $B, 'GET');
is $res->code, 403, 'refused preflight with an ErrorDocument 403: 403';
like $res->content, $errdoc, '... served with the ErrorDocument';
is_deeply [acheaders($res)], [],
    '... and no Access-Control-* field from the error document\'s policy';

$res = preflight('/cycle/ed/missing.txt', $A, 'PATCH');
is $res->code, 403, 'preflight for a refused method, ErrorDocument 403: 403';
is_deeply [grep { /^access-control-allow-/ } acheaders($res)], [],
    '... and no Access-Control-Allow-* field';

$res = preflight('/cycle/ed/missing.txt', $A, 'GET');
is $res->code, 204, 'allowed preflight to a missing URL: 204';
is_deeply [field_values($res, 'Access-Control-Allow-Origin')], [$A],
    '... with Access-Control-Allow-Origin once';

# ------------------------------------------------------------------
# RewriteRule without [R] in <Directory> (a): an internal redirect to
# /cycle/edtarget/page.txt (b).

check('/cycle/rwint/inner', $A, 200, qr/edtarget page/,
      { 'Access-Control-Allow-Origin'      => $A,
        'Access-Control-Allow-Credentials' => undef,
        'Access-Control-Expose-Headers'    => undef },
      'internal rewrite, origin allowed for the asked URL');
check('/cycle/rwint/inner', $B, 200, qr/edtarget page/, $NONE,
      'internal rewrite, origin allowed only for the target');
