# One debug line per refusal (the test server runs at LogLevel debug or
# trace8, so cors:debug lines are written): it names the URL, the origin,
# the reason and the file:line of the policy. Client bytes are escaped in
# the log.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;

plan tests => 22, need_lwp;

my $A = 'https://a.example';
my $id = "id$$" . time;

# The cors:debug lines written since $from that contain $needle.
sub cors_lines {
    my ($from, $needle) = @_;
    return grep { /\[cors:debug\]/ && index($_, $needle) >= 0 }
           split /\n/, error_log_since($from);
}

my ($from, @l, $o);

# refused origin
$o = "https://evil-$id.example";
$from = error_log_size();
req(GET => '/exact/x.txt', Origin => $o);
@l = cors_lines($from, $o);
is scalar(@l), 1, 'refused origin: one cors:debug line naming the origin'
    or diag explain \@l;
like $l[0] // '', qr{/exact/x\.txt}, 'refused origin: names the URL';
like $l[0] // '', qr{refus}i, 'refused origin: says refused';
like $l[0] // '', qr{extra\.conf:\d+}, 'refused origin: file:line of the policy';

# refused origin on a preflight
$o = "https://evil2-$id.example";
$from = error_log_size();
preflight('/pf/x.txt', $o, 'GET');
@l = cors_lines($from, $o);
is scalar(@l), 1, 'preflight, refused origin: one line' or diag explain \@l;
like $l[0] // '', qr{/pf/x\.txt}, 'preflight, refused origin: names the URL';
like $l[0] // '', qr{extra\.conf:\d+}, 'preflight, refused origin: file:line';

# refused method
my $m = "METH$id";
$from = error_log_size();
preflight('/pf/methods/x.txt', $A, $m);
@l = cors_lines($from, $m);
is scalar(@l), 1, 'refused method: one line naming the method' or diag explain \@l;
like $l[0] // '', qr{/pf/methods/x\.txt}, 'refused method: names the URL';
like $l[0] // '', qr{\Q$A\E}, 'refused method: names the origin';
like $l[0] // '', qr{method}i, 'refused method: says why';
like $l[0] // '', qr{extra\.conf:\d+}, 'refused method: file:line';

# refused header
my $h = "x-bad-$id";
$from = error_log_size();
preflight('/pf/headers/x.txt', $A, 'GET', "x-foo, $h");
@l = cors_lines($from, $h);
is scalar(@l), 1, 'refused header: one line naming the header' or diag explain \@l;
like $l[0] // '', qr{/pf/headers/x\.txt}, 'refused header: names the URL';
like $l[0] // '', qr{\Q$A\E}, 'refused header: names the origin';
like $l[0] // '', qr{header}i, 'refused header: says why';

# malformed origin
$o = "https://a.example/$id";
$from = error_log_size();
req(GET => '/exact/x.txt', Origin => $o);
@l = cors_lines($from, $o);
is scalar(@l), 1, 'malformed origin: one line naming it' or diag explain \@l;
like $l[0] // '', qr{/exact/x\.txt}, 'malformed origin: names the URL';

# control characters are escaped, not written raw (log injection)
my ($status, $log) = raw_request_logged(
    "GET /exact/x.txt HTTP/1.1\r\nHost: localhost\r\n"
  . "Origin: https://esc$id\x1b[31m.example\r\nConnection: close\r\n\r\n",
    'cors_unsafe');
is $status, 200, 'ESC in Origin (unsafe vhost): 200';
@l = grep { /\[cors:debug\]/ && /esc\Q$id\E/ } split /\n/, $log;
is scalar(@l), 1, 'ESC in Origin: one cors:debug line' or diag explain \@l;
unlike $l[0] // "\x1b", qr/\x1b/, 'ESC in Origin: the byte is escaped in the log';

# no line for an allowed request
$o = $A;
$from = error_log_size();
req(GET => "/exact/x.txt", Origin => $o, 'X-Test-Id' => "ok-$id");
@l = grep { /\[cors:debug\]/ && /refus/i } split /\n/, error_log_since($from);
is scalar(@l), 0, 'allowed request: no refusal line' or diag explain \@l;
