package CorsTest;

# Shared helpers for the mod_cors Apache::Test suite. Each test file says
#   use FindBin; use lib "$FindBin::Bin/lib"; use CorsTest;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use HTTP::Request ();
use IO::Socket::INET ();
use Time::HiRes ();
use Apache::Test ();
use Apache::TestRequest ();

our @EXPORT = qw(url req req_body preflight acheaders field_count
                 field_values vary_tokens vary_ok raw_request
                 raw_request_logged error_log_since error_log_size
                 cors_result);

my $ua;

sub ua {
    $ua ||= Apache::TestRequest::user_agent(reset => 1,
                                            requests_redirectable => 0);
    return $ua;
}

# url(PATH[, VHOST]): an absolute URL on the main server or a named vhost.
sub url {
    my ($path, $vhost) = @_;
    local $Apache::TestRequest::Module = $vhost || 'default';
    return Apache::TestRequest::resolve_url($path);
}

# The HTTP::Request that req() sends.
sub build_request {
    my ($method, $path, @headers) = @_;
    my $r = HTTP::Request->new($method => Apache::TestRequest::resolve_url($path));
    while (my ($k, $v) = splice @headers, 0, 2) {
        $r->push_header($k => $_) for ref $v ? @$v : ($v);
    }
    return $r;
}

# req(METHOD, PATH, Name => value, ...): one request, headers sent in the
# order given. A value may be an array ref: one header field per element.
# PATH may also be an absolute URL (see url()).
sub req {
    return ua()->request(build_request(@_));
}

# req_body(METHOD, PATH, BODY, Name => value, ...): as req, with BODY sent
# as text/plain (and no body when BODY is undef).
sub req_body {
    my ($method, $path, $body, @headers) = @_;
    my $r = build_request($method, $path, @headers);
    if (defined $body) {
        $r->content($body);
        $r->header('Content-Length' => length $body);
        $r->header('Content-Type' => 'text/plain');
    }
    return ua()->request($r);
}

# preflight(PATH, ORIGIN, METHOD, [REQUEST-HEADERS], extra headers...)
sub preflight {
    my ($path, $origin, $method, $hdrs, @extra) = @_;
    return req(OPTIONS => $path,
               Origin => $origin,
               'Access-Control-Request-Method' => $method,
               (defined $hdrs ? ('Access-Control-Request-Headers' => $hdrs) : ()),
               @extra);
}

# Names of all Access-Control-* response header fields, lowercased, sorted.
sub acheaders {
    my $res = shift;
    return sort grep { /^access-control-/ }
           map { lc } $res->headers->header_field_names;
}

# Each field of a header, as sent (LWP keeps repeated fields apart).
sub field_values {
    my ($res, $name) = @_;
    my @v = $res->headers->header($name);
    return @v;
}

sub field_count { return scalar field_values(@_) }

# All Vary tokens from all Vary fields, lowercased, in order.
sub vary_tokens {
    my $res = shift;
    return map { lc } grep { length }
           map { split /\s*,\s*/ } map { s/^\s+|\s+$//gr }
           field_values($res, 'Vary');
}

# True when the response has exactly one Vary field whose tokens are
# exactly @want (case-insensitive, any order, each once).
sub vary_ok {
    my ($res, @want) = @_;
    return 0 unless field_count($res, 'Vary') == 1;
    my @got = sort(vary_tokens($res));
    my @exp = sort map { lc } @want;
    return "@got" eq "@exp";
}

# Send bytes as-is over a new connection; returns (status, header text,
# body). Used for requests LWP would tidy up.
sub raw_request {
    my ($bytes, $module) = @_;
    my $sock = Apache::TestRequest::vhost_socket($module)
        or die "cannot connect: $!";
    print $sock $bytes;
    local $/;
    my $resp = <$sock>;
    close $sock;
    return (undef, '', '') unless defined $resp && length $resp;
    my ($head, $body) = split /\r\n\r\n/, $resp, 2;
    my ($status) = $head =~ m{^HTTP/1\.\d (\d{3})};
    return ($status, $head, $body // '');
}

# raw_request(BYTES[, MODULE]), and what it made the server log:
# (status, error-log text written meanwhile).
sub raw_request_logged {
    my ($bytes, $module) = @_;
    my $from = error_log_size();
    my ($status) = raw_request($bytes, $module);
    return ($status, error_log_since($from));
}

sub error_log_path {
    return Apache::Test::vars('t_logs') . '/error_log';
}

sub error_log_size { return -s error_log_path() || 0 }

# Error log text written since byte offset $from.
sub error_log_since {
    my $from = shift;
    # give the server a moment to flush
    Time::HiRes::sleep(0.2);
    open my $fh, '<', error_log_path() or return '';
    seek $fh, $from, 0;
    local $/;
    my $text = <$fh>;
    return $text // '';
}

# CORS_RESULT logged for the request sent with "X-Test-Id: $id" (see the
# CustomLog in extra.conf.in). The log line is written after the response
# is sent, so poll for it.
sub cors_result {
    my $id = shift;
    my $file = Apache::Test::vars('t_logs') . '/cors_result_log';
    for (1 .. 50) {
        if (open my $fh, '<', $file) {
            while (my $line = <$fh>) {
                chomp $line;
                my ($k, $v) = split / /, $line, 2;
                return $v if defined $k && $k eq $id;
            }
        }
        Time::HiRes::sleep(0.1);
    }
    return undef;
}

1;
