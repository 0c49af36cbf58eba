# Issue 8, section 1: an allowed preflight skips authentication (a browser
# never sends credentials on one), so nothing but mod_cors's own 204 may
# answer it: no other handler, type checker or fixup runs for it, no backend
# is contacted, no request body is asked for or read.
# (t/conf/exempt.conf.in; the second server's config is below.)
#
# Every protected route is tried with an allowed preflight that carries a
# forged "X-Remote-User: admin" and a body, and each must get mod_cors's 204
# while the backend (whose access log records every request it gets) or the
# Lua script (which logs each run) sees nothing. Positive controls show the
# same routes do reach the backend and the script once authenticated, so a
# "saw nothing" cannot pass by accident. The Apache::Test server loads
# mod_proxy and mod_lua before mod_cors (t/TEST.PL); a second server started
# here loads mod_cors first.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use IO::Select ();
use Time::HiRes ();
use MIME::Base64 ();
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;
use CorsLogTest;
use CorsServer;
use CorsConfigTest qw(mod_cors_so);

plan tests => 2 * 37 + 19, need_lwp;

my $A    = 'https://a.example';
my $EVIL = 'https://evil.example';
my $AUTH = 'Basic ' . MIME::Base64::encode_base64('cycle:cyclepass', '');
my $logs = Apache::Test::vars('t_logs');
my $htdocs = Apache::Test::vars('documentroot');
my $backend_log = "$logs/exempt_backend_log";
my $backend_port = do {
    local $Apache::TestRequest::Module = 'exempt_backend';
    (Apache::TestRequest::hostport() =~ /:(\d+)$/)[0];
};
my $marker = 0;

# backend_saw(CODE): runs CODE, then asks the backend itself for a marker
# URL and waits until its log has that line: the lines logged before it
# (the marker's excluded) are what CODE made reach the backend.
sub backend_saw {
    my $code = shift;
    my $from = file_size($backend_log);
    my @ret = $code->();
    my $m = ++$marker;
    req(GET => "http://127.0.0.1:$backend_port/exempt/backend/file.txt"
               . "?marker=$m");
    wait_for_line($backend_log, $from, qr/\?marker=$m\b/)
        or die "exempt.t: the backend never logged marker $m\n";
    my @lines = grep { !/\?marker=/ } split /\n/,
                file_since($backend_log, $from);
    return (\@lines, @ret);
}

# lua_ran(LOG, CODE): runs CODE; (the Lua script's log lines meanwhile, ...)
sub lua_ran {
    my ($log, $code) = @_;
    my $from = file_size($log);
    my @ret = $code->();
    Time::HiRes::sleep(0.3);
    my @lines = grep { /exempt-lua ran/ } split /\n/, file_since($log, $from);
    return (\@lines, @ret);
}

my @pf  = (Origin => $A, 'Access-Control-Request-Method' => 'PUT');
my @bad = (Origin => $EVIL, 'Access-Control-Request-Method' => 'PUT');

# The routes of one server. 37 tests.
sub check_server {
    my ($label, $url, $error_log) = @_;

    for my $route ('proxy', 'rw') {
        my $u = $url->("/exempt/$route/file.txt");
        my $what = "$label, $route";
        {
            my ($saw, $res) = backend_saw(sub {
                req_body(OPTIONS => $u, 'hello', @pf,
                         'X-Remote-User' => 'admin')
            });
            is $res->code, 204, "$what: preflight with a body: 204";
            is $res->header('Access-Control-Allow-Origin'), $A,
                "$what: preflight with a body: mod_cors's answer";
            is $res->content, '', "$what: preflight with a body: no body";
            is_deeply $saw, [], "$what: preflight with a body: the backend "
                . "saw nothing";

            ($saw, $res) = backend_saw(sub {
                req(OPTIONS => $u, @pf, 'X-Remote-User' => 'admin')
            });
            is $res->code, 204, "$what: preflight: 204";
            is_deeply $saw, [], "$what: preflight: the backend saw nothing";

            # controls
            ($saw, $res) = backend_saw(sub { req(GET => $u, Origin => $A) });
            is $res->code, 401, "$what: GET without credentials: 401";
            is_deeply $saw, [], "$what: GET without credentials: the "
                . "backend saw nothing";
            ($saw, $res) = backend_saw(sub { req(OPTIONS => $u, @bad) });
            ok $res->code >= 400, "$what: refused-origin preflight: "
                . "not 2xx (" . $res->code . ")";
            is_deeply $saw, [], "$what: refused-origin preflight: the "
                . "backend saw nothing";
            ($saw, $res) = backend_saw(sub {
                req(GET => $u, Origin => $A, Authorization => $AUTH,
                    'X-Remote-User' => 'admin')
            });
            is_deeply $saw, ['GET /exempt/backend/file.txt user=cycle '
                             . 'length=-'],
                "$what: authenticated GET reaches the backend, as the "
                . "authenticated user (the log works)";
        }
    }

    my $u = $url->('/exempt/proxy/file.txt');
    my $res = req(OPTIONS => $u, Origin => $A);
    is $res->code, 401, "$label: OPTIONS without "
        . "Access-Control-Request-Method: 401";

    # mod_lua's LuaMapHandler runs before every handler of priority FIRST
    $u = $url->('/exempt/lua/x');
    my ($ran, $r2) = lua_ran($error_log, sub {
        req_body(OPTIONS => $u, 'hello', @pf)
    });
    is $r2->code, 204, "$label, lua: preflight: 204";
    unlike $r2->content, qr/lua-secret/, "$label, lua: preflight: no "
        . "protected content";
    is_deeply $ran, [], "$label, lua: preflight: the script did not run";
    ($ran, $r2) = lua_ran($error_log, sub { req(GET => $u, Origin => $A) });
    is $r2->code, 401, "$label, lua: GET without credentials: 401";
    is_deeply $ran, [], "$label, lua: GET without credentials: the script "
        . "did not run";
    ($ran, $r2) = lua_ran($error_log, sub {
        req(GET => $u, Origin => $A, Authorization => $AUTH)
    });
    like $r2->content, qr/lua-secret/, "$label, lua: authenticated GET: "
        . "the script's content";
    is scalar(@$ran), 1, "$label, lua: authenticated GET: the script ran "
        . "(its log works)";
    ($ran, $r2) = lua_ran($error_log, sub { req(OPTIONS => $u, @bad) });
    ok $r2->code >= 400, "$label, lua: refused-origin preflight: not 2xx";
    is_deeply $ran, [], "$label, lua: refused-origin preflight: the script "
        . "did not run";
    ($ran, $r2) = lua_ran($error_log, sub {
        req(OPTIONS => $u, Origin => $A)
    });
    is $r2->code, 401, "$label, lua: OPTIONS without "
        . "Access-Control-Request-Method: 401";
    is_deeply $ran, [], "$label, lua: OPTIONS without "
        . "Access-Control-Request-Method: the script did not run";

    # the headers the answer is made of, once each
    $res = req(OPTIONS => $url->('/exempt/proxy/file.txt'), @pf,
               'Access-Control-Request-Headers' => 'content-type');
    is $res->header('Access-Control-Allow-Methods'), 'PUT',
        "$label: Access-Control-Allow-Methods";
    is $res->header('Access-Control-Allow-Headers'), 'Content-Type',
        "$label: Access-Control-Allow-Headers";
}

# ------------------------------------------------------------------
# The Apache::Test server: mod_proxy and mod_lua loaded before mod_cors.
my $main_log = "$logs/error_log";
check_server('proxy loaded first', sub { url($_[0]) }, $main_log);

# ------------------------------------------------------------------
# A second server with mod_cors loaded before mod_proxy and mod_lua.
my $policy = <<"CONF";
    CorsAllowOrigin https://a.example
    CorsAllowMethods PUT
    CorsAllowHeaders Content-Type
    AuthType Basic
    AuthName "exempt"
    AuthUserFile "$htdocs/cycle/private/htpasswd"
    Require valid-user
    RequestHeader set X-Remote-User "expr=%{REMOTE_USER}"
CONF
my $second = CorsServer->start(
    name    => 'cors-first',
    modules => [ [ 'mod_authn_core.so', 'authn_core_module' ],
                 [ 'mod_authn_file.so', 'authn_file_module' ],
                 [ 'mod_authz_core.so', 'authz_core_module' ],
                 [ 'mod_authz_user.so', 'authz_user_module' ],
                 [ 'mod_authz_host.so', 'authz_host_module' ],
                 [ 'mod_auth_basic.so', 'auth_basic_module' ],
                 [ 'mod_headers.so',    'headers_module' ],
                 [ 'mod_rewrite.so',    'rewrite_module' ],
                 [ mod_cors_so(),       'cors_module' ],
                 [ 'mod_proxy.so',      'proxy_module' ],
                 [ 'mod_proxy_http.so', 'proxy_http_module' ],
                 [ 'mod_lua.so',        'lua_module' ] ],
    body    => <<"CONF");
DocumentRoot "$htdocs"
<LocationMatch "^/exempt/(proxy|rw|lua)/">
$policy</LocationMatch>
<Location /exempt/proxy/>
    ProxyPass http://127.0.0.1:$backend_port/exempt/backend/
</Location>
RewriteEngine On
RewriteRule ^/exempt/rw/(.*)\$ http://127.0.0.1:$backend_port/exempt/backend/\$1 [P]
<Location /exempt/lua/>
    LuaMapHandler ^/exempt/lua/ "$htdocs/exempt/lua/secret.lua"
</Location>
CONF
check_server('mod_cors loaded first', sub { $second->url($_[0]) },
             $second->error_log);
$second->stop;

# ------------------------------------------------------------------
# Content negotiation (type_checker): a 406 would list the variants of a
# protected resource, and 406 or 204 would tell whether a name exists.
for my $name ('report', 'nosuch') {
    my $res = req(OPTIONS => "/exempt/mv/$name", @pf, Accept => 'x/y');
    is $res->code, 204, "MultiViews, $name: preflight with Accept: x/y: 204";
    unlike $res->content, qr/report\.(html|txt)/,
        "MultiViews, $name: no list of variants";
}
my $res = req(GET => '/exempt/mv/report', Accept => 'x/y',
              Authorization => $AUTH);
is $res->code, 406, 'MultiViews control: authenticated GET with Accept: '
    . 'x/y gets 406 (negotiation is on)';

# ------------------------------------------------------------------
# "Expect: 100-continue" with a 100 MB body announced: no 100 Continue, no
# body read; the answer comes at once and the connection is closed.
sub expect_continue {
    my $path = shift;
    my $sock = Apache::TestRequest::vhost_socket('default')
        or die "cannot connect: $!";
    print $sock "OPTIONS $path HTTP/1.1\r\nHost: localhost\r\n"
        . "Origin: $A\r\nAccess-Control-Request-Method: PUT\r\n"
        . "Expect: 100-continue\r\nContent-Length: 104857600\r\n\r\n";
    my ($resp, $closed) = ('', 0);
    my $sel = IO::Select->new($sock);
    # 15 s only bounds a server that waits for the body; no timing is
    # asserted
    while ($sel->can_read(15)) {
        my $n = sysread $sock, my $buf, 65536;
        if (!$n) {
            $closed = 1;
            last;
        }
        $resp .= $buf;
    }
    close $sock;
    return ($resp, $closed);
}

for my $route ('auth', 'proxy') {
    my ($saw, $resp, $closed) = backend_saw(sub {
        expect_continue("/exempt/$route/file.txt")
    });
    like $resp, qr{\AHTTP/1\.1 204 }, "100-continue, $route: the first "
        . "answer is the 204";
    unlike $resp, qr{ 100 Continue}i, "100-continue, $route: no 100 "
        . "Continue";
    like $resp, qr{^Connection: close\r$}mi, "100-continue, $route: "
        . "Connection: close";
    ok $closed, "100-continue, $route: the server closed the connection";
    is_deeply $saw, [], "100-continue, $route: the backend saw nothing";
}

# ------------------------------------------------------------------
# The same over h2c.
my $curl = (grep { -x "$_/curl" } split /:/, $ENV{PATH} || '/usr/bin')[0];
$curl = defined $curl ? "$curl/curl" : 'curl';
my $h2 = do {
    local $Apache::TestRequest::Module = 'exempt_h2';
    my $hp = Apache::TestRequest::hostport();
    $hp =~ s/^localhost:/127.0.0.1:/;
    "http://$hp";
};

# h2c(PATH, curl args...): (status line, whole output). mod_http2 ends a
# stream whose body it did not read with RST_STREAM (NO_ERROR, RFC 9113
# 8.1) right after the answer, and curl 7.88 sometimes takes that for an
# error (exit 92) before printing the answer; a plain OPTIONS with a body
# and no mod_cors does the same. Such an attempt is repeated, up to 5
# times; every attempt counts for "the backend saw nothing".
sub h2c {
    my ($path, @args) = @_;
    my ($status, $out);
    for my $attempt (1 .. 5) {
        open my $fh, '-|', $curl, '-sS', '--http2-prior-knowledge', '-D',
            '-', '--max-time', '20', @args, "$h2$path"
            or die "cannot run $curl: $!";
        local $/;
        $out = <$fh> // '';
        close $fh;
        my $exit = $? >> 8;
        ($status) = $out =~ m{^(HTTP/\S+ \d{3})};
        last if defined $status || $exit != 92;
        diag "h2c $path: curl exit 92 (stream reset), attempt $attempt";
    }
    return ($status // '', $out);
}

my @h2pf = ('-X', 'OPTIONS', '-H', "Origin: $A",
            '-H', 'Access-Control-Request-Method: PUT',
            '-H', 'X-Remote-User: admin', '--data', 'hello');
my ($saw, $status, $out) = backend_saw(sub {
    h2c('/exempt/proxy/file.txt', @h2pf)
});
is $status, 'HTTP/2 204', 'h2c, proxy: preflight with a body: 204';
is_deeply $saw, [], 'h2c, proxy: the backend saw nothing';
my ($ran);
($ran, $status, $out) = lua_ran($main_log, sub {
    h2c('/exempt/lua/x', @h2pf)
});
is $status, 'HTTP/2 204', 'h2c, lua: preflight with a body: 204';
is_deeply $ran, [], 'h2c, lua: the script did not run';
($saw, $status) = backend_saw(sub {
    h2c('/exempt/proxy/file.txt', '-u', 'cycle:cyclepass')
});
is_deeply $saw, ['GET /exempt/backend/file.txt user=cycle length=-'],
    'h2c control: an authenticated GET reaches the backend';

# ------------------------------------------------------------------
# A client-address rule still refuses an allowed preflight.
$res = req(OPTIONS => '/exempt/ip/file.txt', @pf);
is $res->code, 403, 'Require ip: an allowed preflight still gets 403';
