# Issue 3, group 6: CORS over HTTP/2
# (t/conf/cycle.conf.in, "cycle_h2.t").
#
# mod_http2 runs each stream through the same request cycle as HTTP/1.1,
# with its own output filters. The same requests, sent with curl over
# HTTP/1.1 and over h2c (HTTP/2 cleartext, prior knowledge) to the vhost
# cycle_h2 (Protocols h2c http/1.1), must get the same status and the same
# Access-Control-* headers, once each; and the h2c answers must really be
# HTTP/2. curl is a test dependency (Debian package curl).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();

plan tests => 112;

my $curl = (grep { -x "$_/curl" } split /:/, $ENV{PATH} || '/usr/bin')[0];
$curl = defined $curl ? "$curl/curl" : 'curl';

my $A    = 'https://a.example';
my $EVIL = 'https://evil.example';
my $CRED = 'cycle:cyclepass';

my $base = do {
    local $Apache::TestRequest::Module = 'cycle_h2';
    my $hp = Apache::TestRequest::hostport();
    $hp =~ s/^localhost:/127.0.0.1:/;
    "http://$hp";
};

# curl_head(PROTOCOL_OPTION, METHOD, PATH, [user:pass], HEADER...):
# (status line, [ [name, value], ... ]) of the response, names lowercased.
sub curl_head {
    my ($proto, $method, $path, $user, @headers) = @_;
    my @cmd = ($curl, '-sS', $proto, '-o', '/dev/null', '-D', '-',
               '--max-time', '20', '-X', $method,
               (defined $user ? ('-u', $user) : ()),
               (map { ('-H', $_) } @headers), "$base$path");
    open my $fh, '-|', @cmd or die "cannot run $curl: $!";
    local $/;
    my $out = <$fh> // '';
    close $fh;
    my ($status_line, @lines) = split /\r?\n/, $out;
    my @fields;
    for my $line (@lines) {
        last if $line eq '';
        my ($k, $v) = $line =~ /^([^:]+):\s*(.*?)\s*$/ or next;
        push @fields, [ lc $k, $v ];
    }
    return ($status_line // '', \@fields);
}

sub status_of { my ($line) = @_; $line =~ m{^HTTP/\S+ (\d{3})} ? $1 : '' }

# All "name: value" lines of the Access-Control-* fields, sorted.
sub cors_fields {
    my $fields = shift;
    return [ sort map { "$_->[0]: $_->[1]" }
             grep { $_->[0] =~ /^access-control-/ } @$fields ];
}

sub vary_tokens {
    my $fields = shift;
    return [ sort map { lc } grep { length }
             map { split /\s*,\s*/, $_->[1] }
             grep { $_->[0] eq 'vary' } @$fields ];
}

sub values_of {
    my ($fields, $name) = @_;
    return [ map { $_->[1] } grep { $_->[0] eq $name } @$fields ];
}

# [ label, method, path, user, [ headers ], status, ACAO or undef ]
my @cases = (
    [ 'allowed preflight behind auth', OPTIONS => '/cycle/authcred/file.txt',
      undef, [ "Origin: $A", 'Access-Control-Request-Method: DELETE' ],
      204, $A ],
    [ 'preflight from a refused origin behind auth',
      OPTIONS => '/cycle/authcred/file.txt', undef,
      [ "Origin: $EVIL", 'Access-Control-Request-Method: PUT' ], 401, undef ],
    [ 'preflight to a URL mod_dir redirects', OPTIONS => '/cycle/redir/sub',
      undef, [ "Origin: $A", 'Access-Control-Request-Method: PUT' ],
      204, $A ],
    [ 'preflight refused (origin)', OPTIONS => '/cycle/redir/sub', undef,
      [ "Origin: $EVIL", 'Access-Control-Request-Method: PUT' ], 403, undef ],
    [ 'preflight refused (method)', OPTIONS => '/cycle/redir/sub', undef,
      [ "Origin: $A", 'Access-Control-Request-Method: PATCH' ], 403, undef ],
    [ 'preflight to a proxied URL', OPTIONS => '/cycle/proxied/file.txt',
      undef, [ "Origin: $A", 'Access-Control-Request-Method: PUT' ],
      204, $A ],
    [ 'GET without credentials (401)', GET => '/cycle/authcred/file.txt',
      undef, [ "Origin: $A" ], 401, $A ],
    [ 'GET with credentials', GET => '/cycle/authcred/file.txt', $CRED,
      [ "Origin: $A" ], 200, $A ],
    [ 'GET of a missing file (404)', GET => '/cycle/err/missing.txt', undef,
      [ "Origin: $A" ], 404, $A ],
    [ 'GET redirected by mod_dir (301)', GET => '/cycle/redir/sub', undef,
      [ "Origin: $A" ], 301, $A ],
    [ 'GET of a proxied URL', GET => '/cycle/proxied/file.txt', undef,
      [ "Origin: $A" ], 200, $A ],
    [ 'GET of a CGI 503 with its own CORS headers',
      GET => '/cycle/err/cgi/own503.cgi', undef, [ "Origin: $A" ], 503, $A ],
    [ 'GET of an SSI page', GET => '/cycle/ssi/page.shtml', undef,
      [ "Origin: $A" ], 200, $A ],
    [ 'GET from a refused origin', GET => '/cycle/err/file.txt', undef,
      [ "Origin: $EVIL" ], 200, undef ],
);

for my $c (@cases) {
    my ($label, $method, $path, $user, $headers, $status, $acao) = @$c;

    my ($l1, $f1) = curl_head('--http1.1', $method, $path, $user, @$headers);
    my ($l2, $f2) = curl_head('--http2-prior-knowledge', $method, $path,
                              $user, @$headers);

    like $l1, qr{^HTTP/1\.1 }, "$label: HTTP/1.1 answer";
    like $l2, qr{^HTTP/2 }, "$label: HTTP/2 answer";
    is status_of($l1), $status, "$label: HTTP/1.1 status $status";
    is status_of($l2), $status, "$label: HTTP/2 status $status";
    is_deeply cors_fields($f2), cors_fields($f1),
        "$label: same Access-Control-* fields over HTTP/2 as over HTTP/1.1";
    is_deeply values_of($f2, 'access-control-allow-origin'),
        [ defined $acao ? $acao : () ],
        "$label: HTTP/2 Access-Control-Allow-Origin "
        . (defined $acao ? "$acao, once" : 'absent');
    is_deeply vary_tokens($f2), vary_tokens($f1),
        "$label: same Vary tokens over HTTP/2";
    ok((grep { $_ eq 'origin' } @{ vary_tokens($f2) }),
       "$label: HTTP/2 Vary has Origin");
}
