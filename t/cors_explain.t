# The explain form of the cors-info page (README, "Explain a request"):
# GET /explain-info?url=...&origin=...&method=...&headers=...&credentials=
# include[&format=json] against the policies of t/conf/explain.conf.in.
# Each explanation is compared with what real requests with the same
# Origin, method and headers get from the same server: the preflight's
# status, every Access-Control-* field and Vary, and CORS_RESULT (through
# the X-Test-Id access log of extra.conf.in), for every CORS_RESULT value.
# Then the bad queries (400 naming the parameter), the bounds, hostile
# values, and the old "?/path" form.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;
use CorsLogTest;
use JSON::PP ();
use URI::Escape qw(uri_escape);

my $APP = 'https://app.example';
my $run = "$$-" . time;
my $n = 0;

# [ name, url, origin (undef: none), method, headers, credentials,
#   expected CORS_RESULT (undef: no policy), browser outcome ]
my @CASES = (
    ['not-cors',         '/ex/api/x.txt', undef, 'GET', '', 0,
        'not-cors', 'readable'],
    ['allowed',          '/ex/api/x.txt', $APP, 'GET', '', 0,
        'allowed', 'readable'],
    ['allowed, safelisted headers only', '/ex/api/x.txt', $APP, 'POST',
        'Accept,Content-Language', 0, 'allowed', 'readable'],
    ['allowed by pattern, credentials', '/ex/api/cred/x.txt',
        'https://a.app.example', 'GET', '', 1, 'allowed', 'readable'],
    ['allowed by regex', '/ex/api/x.txt', 'https://review-12.example.net',
        'GET', '', 0, 'allowed', 'readable'],
    ['allowed, no credentials in the policy', '/ex/api/x.txt', $APP, 'GET',
        '', 1, 'allowed', 'blocked'],
    ['preflight',        '/ex/api/cred/x.txt', $APP, 'PUT',
        'content-type,X-Token', 1, 'preflight', 'readable'],
    ['preflight for headers only', '/ex/api/x.txt', $APP, 'POST',
        'x-token', 0, 'preflight', 'readable'],
    ['refused-origin',   '/ex/api/x.txt', 'https://evil.example', 'GET', '',
        0, 'refused-origin', 'blocked'],
    ['refused-origin, preflight', '/ex/api/x.txt', 'http://app.example',
        'PUT', '', 0, 'refused-origin', 'blocked'],
    ['malformed',        '/ex/api/x.txt', "$APP/", 'GET', '', 0,
        'malformed', 'blocked'],
    ['refused-method',   '/ex/api/x.txt', $APP, 'DELETE', '', 0,
        'refused-method', 'blocked'],
    ['refused-header',   '/ex/api/x.txt', $APP, 'PUT', 'content-type,x-other',
        0, 'refused-header', 'blocked'],
    ['shared *',         '/ex/star/x.txt', 'https://any.example', 'GET',
        'x-anything', 0, 'preflight', 'readable'],
    ['shared *, no Origin', '/ex/star/x.txt', undef, 'GET', '', 0,
        'not-cors', 'readable'],
    ['* with credentials', '/ex/starcred/x.txt', 'https://any.example', 'GET',
        '', 1, 'allowed', 'blocked'],
    ['no policy',        '/ex/none/x.txt', $APP, 'GET', '', 0, undef,
        'blocked'],
    ['CorsEngine Off',   '/ex/off/x.txt', $APP, 'PUT', '', 0, undef,
        'blocked'],
    ['CorsBackendHeaders Keep', '/ex/keep/x.txt', $APP, 'GET', '', 0,
        'allowed', 'blocked'],
);

my %CONSOLE = (
    'allowed, no credentials in the policy' => "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.",
    'refused-origin' => "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    'refused-origin, preflight' => "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    'malformed' => "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    'refused-method' => "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    'refused-header' => "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    '* with credentials' => "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
    'no policy' => "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    'CorsEngine Off' => "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    'CorsBackendHeaders Keep' => "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
);

my @BAD = (
    # [ query, what the 400 must say ]
    ['origin=https%3A%2F%2Fa.example', qr/^missing url/],
    ['url=api/x', qr/^url must be a URL path starting with \//],
    ['url=', qr/^url must be a URL path starting with \//],
    ['url=/x%0Ay', qr/^url has a space or a control character/],
    ['url=/x&origin=' . ('a' x 513),
        qr/^origin is longer than 512 bytes/],
    ['url=/x&headers=' . join(',', map { "x-h$_" } 1 .. 65),
        qr/^headers lists more than 64 names/],
    ['url=/x&headers=x-ok,x%20bad', qr/^headers: 'x bad' is not a header name/],
    ['url=/x&headers=x-ok,x:bad', qr/^headers: 'x:bad' is not a header name/],
    ['url=/x&method=P%20T', qr/^method is not a method name/],
    ['url=/x&credentials=yes',
        qr/^credentials must be include, same-origin or omit/],
    ['url=/x&format=xml', qr/^format must be json or text/],
    ['url=/x&bogus=1', qr/^unknown parameter 'bogus'/],
    ['bogus&url=/x', qr/^unknown parameter 'bogus'/],
    ['url=/x&url=/y', qr/^parameter url is given twice/],
    ['url=/x&origin', qr/^parameter origin has no value/],
    ['url=/x%00y', qr/^parameter url is not percent-encoded properly/],
    ['url=/x%zz', qr/^parameter url is not percent-encoded properly/],
);

plan tests => 11 * @CASES + 22 + 3 * @BAD + 2 + 7 + 3,
    need_lwp;

sub explain_query {
    my ($url, $origin, $method, $headers, $cred, @more) = @_;
    my @q = ('url=' . uri_escape($url));
    push @q, 'origin=' . uri_escape($origin) if defined $origin;
    push @q, 'method=' . uri_escape($method);
    push @q, 'headers=' . uri_escape($headers) if length $headers;
    push @q, 'credentials=include' if $cred;
    return join '&', @q, @more;
}

sub explain_json {
    my $res = req(GET => '/explain-info?' . explain_query(@_, 'format=json'));
    my $doc = eval { JSON::PP->new->decode($res->content) };
    return ($res, $doc);
}

# Access-Control-* fields of a response, and its Vary tokens, as a hash
# (Vary as a sorted lowercase list: httpd rewrites its commas).
sub response_fields {
    my $res = shift;
    my %f;
    for my $name ($res->headers->header_field_names) {
        next unless $name =~ /^access-control-/i;
        $f{lc $name} = join "\n", field_values($res, $name);
    }
    my @vary = sort(vary_tokens($res));
    $f{vary} = join ',', @vary if @vary;
    return \%f;
}

sub explained_fields {
    my $fields = shift // {};
    my %f;
    for my $name (keys %$fields) {
        if (lc $name eq 'vary') {
            $f{vary} = join ',', sort map { lc } split /\s*,\s*/,
                                                 $fields->{$name};
        }
        else {
            $f{lc $name} = $fields->{$name};
        }
    }
    return \%f;
}

# ---------------------------------------------------------------- cases
for my $c (@CASES) {
    my ($name, $url, $origin, $method, $headers, $cred, $result, $browser)
        = @$c;
    my ($res, $ex) = explain_json($url, $origin, $method, $headers, $cred);
    is $res->code, 200, "$name: 200";
    ok $ex, "$name: the JSON parses" or diag $res->content;
    $ex //= {};
    my $pf = $ex->{preflight} // {};

    # The browser's request(s), for real.
    my @unsafe = sort grep { !/^(accept|accept-language|content-language)$/ }
                 map { lc } grep { length } split /\s*,\s*/, $headers;
    my $needs_pf = defined $origin
        && ($method !~ /^(GET|HEAD|POST)$/ || @unsafe);
    is !!$pf->{needed}, !!$needs_pf,
        "$name: preflight " . ($needs_pf ? 'needed' : 'not needed');
    my ($real_pf, $pf_id);
    if ($needs_pf) {
        $pf_id = "explain-$run-" . ++$n;
        $real_pf = req(OPTIONS => $url, Origin => $origin,
                       'Access-Control-Request-Method' => $method,
                       (@unsafe ? ('Access-Control-Request-Headers'
                                   => join(',', @unsafe)) : ()),
                       'X-Test-Id' => $pf_id);
    }
    my $id = "explain-$run-" . ++$n;
    my $real = req($method => $url, (defined $origin ? (Origin => $origin) : ()),
                   'X-Test-Id' => $id);

    # The decision: CORS_RESULT of the first request the browser sends.
    my $first_id = $needs_pf ? $pf_id : $id;
    my $real_result = cors_result($first_id);
    is $ex->{cors_result}, $result,
        "$name: explained CORS_RESULT " . ($result // 'null');
    is $real_result, $result // '-',
        "$name: the real request's CORS_RESULT is the same";

    if ($needs_pf) {
        my $ans = $pf->{answer} // {};
        my $want_status = $ex->{policy} ? $real_pf->code : undef;
        is $ans->{status}, $want_status,
            "$name: preflight status as real (" . $real_pf->code . ')';
        is_deeply explained_fields($ans->{fields}), response_fields($real_pf),
            "$name: preflight fields as real";
    }
    else {
        ok !exists $pf->{answer}, "$name: no preflight answer shown";
        is $ex->{actual}{answer}{status}, undef,
            "$name: the actual status is the resource's";
    }
    my $act = $ex->{actual}{answer} // {};
    is_deeply explained_fields($act->{fields}), response_fields($real),
        "$name: actual request fields as real"
        or diag explain [$act->{fields}, response_fields($real)];
    is $act->{cors_result}, cors_result($id) eq '-' ? undef : cors_result($id),
        "$name: actual request CORS_RESULT as real";

    is $ex->{browser}{outcome}, $browser, "$name: the browser: $browser";
    my $console = $CONSOLE{$name};
    if (defined $console) {
        my $at = url($url);
        is $ex->{browser}{console},
            "Access to fetch at '$at' from origin '$origin' has been blocked "
            . "by CORS policy: $console", "$name: console message";
    }
    else {
        is $ex->{browser}{console}, undef, "$name: no console message";
    }
}

# ---------------------------------------------------------------- details
# The refusal reason, with the closest entry, and where each directive
# that took part was set.
my $api = '<Location /ex/api>';
my ($res, $ex) = explain_json('/ex/api/x.txt', 'http://app.example', 'GET',
                              '', 0);
like $ex->{actual}{answer}{reason},
    qr/^CORS0102: refused GET \/ex\/api\/x\.txt: origin http:\/\/app\.example is not allowed: .*; closest configured entry: https:\/\/app\.example \(differs by scheme\)$/,
    'refused: the reason is the log line, with the closest entry';
is $ex->{actual}{answer}{closest_entry},
    'https://app.example (differs by scheme)', 'refused: closest_entry';
($res, $ex) = explain_json('/ex/api/cred/x.txt', $APP, 'PUT', 'x-token', 1);
my %at = map { $_->{directive} => $_->{set_at} } @{ $ex->{directives} };
is_deeply [sort keys %at],
    [sort qw(CorsEngine CorsAllowOrigin CorsAllowCredentials CorsAllowMethods
             CorsAllowHeaders CorsMaxAge CorsExposeHeaders
             CorsBackendHeaders)],
    'directives: every one that took part in a preflight and its request';
is $at{CorsAllowOrigin}, conf_at($api, 'CorsAllowOrigin', 'explain.conf'),
    'directives: CorsAllowOrigin file:line';
is $at{CorsAllowMethods}, conf_at($api, 'CorsAllowMethods', 'explain.conf'),
    'directives: CorsAllowMethods file:line';
is $at{CorsAllowCredentials},
    conf_at('<Location /ex/api/cred>', 'CorsAllowCredentials', 'explain.conf'),
    'directives: CorsAllowCredentials file:line of the inner scope';
is $at{CorsEngine}, undef, 'directives: CorsEngine default (null)';
is $ex->{actual}{answer}{allowed_by}, $APP, 'allowed_by names the entry';

# Plain text says the same.
$res = req(GET => '/explain-info?'
           . explain_query('/ex/api/x.txt', $APP, 'PUT', 'x-other', 0));
my $text = $res->content;
like $res->header('Content-Type'), qr{^text/plain}, 'text: text/plain';
like $text, qr/^Decision: +refused-header$/m, 'text: the decision';
like $text, qr/^Browser: +blocked$/m, 'text: the verdict';
like $text, qr/^Preflight: +yes: PUT is not GET, HEAD or POST; x-other is not a CORS-safelisted request header$/m,
    'text: why there is a preflight';
like $text, qr/^  Answer: 403 Forbidden, from mod_cors/m, 'text: the 403';
like $text, qr/^  CorsAllowHeaders +\Q@{[conf_at($api, 'CorsAllowHeaders', 'explain.conf')]}\E$/m,
    'text: CorsAllowHeaders file:line';

# JSON by Accept
$res = req(GET => '/explain-info?' . explain_query('/ex/api/x.txt', $APP,
                                                   'GET', '', 0),
           Accept => 'application/json');
like $res->header('Content-Type'), qr{^application/json}, 'Accept: JSON';
ok eval { JSON::PP->new->decode($res->content) }, 'Accept: it parses';

# ReportOnly: the decision and what On would send, said to be not sent.
($res, $ex) = explain_json('/ex/ro/x.txt', $APP, 'GET', '', 0);
is $ex->{enforced}, JSON::PP::false, 'ReportOnly: enforced false';
like join(' ', @{ $ex->{notes} }), qr/^CorsEngine ReportOnly \(.*explain\.conf:\d+ in <Location \/ex\/ro>\): mod_cors decides and logs, but sends none/,
    'ReportOnly: says it sends none of the fields shown';
my $real = req(GET => '/ex/ro/x.txt', Origin => $APP);
is_deeply response_fields($real), {}, 'ReportOnly: and indeed none are sent';

# No request to the resource: the lookup subrequest is never run.
my $from = error_log_size();
$res = req(GET => '/explain-info?' . explain_query('/ex/api/marker.lua',
                                                   $APP, 'PUT', '', 0));
is $res->code, 200, 'explaining a Lua resource: 200';
unlike error_log_since($from), qr/explain-marker ran/,
    'explaining a Lua resource does not run it';
$from = error_log_size();
req(PUT => '/ex/api/marker.lua', Origin => $APP);
like error_log_since($from), qr/explain-marker ran: PUT/,
    '(a real request does run it)';

# ---------------------------------------------------------------- 400
for my $b (@BAD) {
    my ($query, $want) = @$b;
    my $short = length $query > 60 ? substr($query, 0, 57) . '...' : $query;
    $res = req(GET => "/explain-info?$query");
    is $res->code, 400, "400: $short";
    like $res->content, qr/^400 Bad Request: /, "400: $short: says so";
    my ($msg) = $res->content =~ /^400 Bad Request: (.*)$/m;
    like $msg // '', $want, "400: $short: names the parameter";
}
$res = req(GET => '/explain-info?url=x&format=json');
is $res->code, 400, '400 as JSON: 400';
is eval { JSON::PP->new->decode($res->content)->{error} },
    'url must be a URL path starting with /', '400 as JSON: {"error": ...}';

# ---------------------------------------------------------------- bounds
# As long as real requests may send: 512 bytes of Origin, 64 header names.
my $long = 'https://' . ('a' x 500) . '.example';
$long = substr($long, 0, 512);
($res, $ex) = explain_json('/ex/api/x.txt', $long, 'GET', '', 0);
is $res->code, 200, 'a 512-byte origin: 200';
req(GET => '/ex/api/x.txt', Origin => $long, 'X-Test-Id' => "explain-$run-long");
is $ex->{cors_result}, cors_result("explain-$run-long"),
    'a 512-byte origin: decided as a real request with it';
my $many = join ',', map { "x-h$_" } 1 .. 64;
($res, $ex) = explain_json('/ex/star/x.txt', $APP, 'GET', $many, 0);
is $res->code, 200, '64 header names: 200';
is $ex->{cors_result}, 'preflight', '64 header names: allowed by *';
# Hostile bytes are shown, escaped, never sent as fields.
my $evil = "https://a.example\r\nX-Injected: 1\x01\xff";
($res, $ex) = explain_json('/ex/api/x.txt', $evil, 'GET', '', 0);
ok !defined $res->header('X-Injected'), 'hostile origin: no field injected';
is $ex->{origin}, $evil,
    'hostile origin: JSON-escaped, every byte kept';
$res = req(GET => '/explain-info?' . explain_query('/ex/api/x.txt', $evil,
                                                   'GET', '', 0));
like $res->content, qr/^Origin: +https:\/\/a\.example\\x0d\\x0aX-Injected: 1\\x01\\xff$/m,
    'hostile origin: escaped in text';

# ---------------------------------------------------------------- old form
$res = req(GET => '/explain-info?/ex/api/x.txt');
like $res->content, qr/^CorsAllowMethods +GET, POST, PUT$/m,
    'the ?/path form still shows the policy';
$res = req(GET => '/explain-info');
like $res->content, qr/^Ask for a URL path/, 'no query: says how to ask';
$res = req(GET => '/explain-info?ex/api/x.txt');
like $res->content, qr/^Ask for a URL path/, 'no = and no /: says how to ask';

