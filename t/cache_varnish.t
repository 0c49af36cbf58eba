# Issue 12, part 2: CORS behind a real shared cache, Varnish
# (conf/varnish-cors.vcl, t/conf/varnish.conf.in).
#
# The test starts varnishd on a free loopback port, as the user running the
# suite (-j none: no privilege separation, which needs root), with its own
# working directory under t/logs/varnish, the repository's VCL and the test
# Apache as backend, and stops it by PID at the end, also when a test dies.
# Every request below goes through Varnish. The responses may be cached
# ("Cache-Control: public, max-age=60"); Varnish itself knows nothing about
# CORS and only honours Vary.
#
# Each response is checked for where it came from: X-Cache (set by the VCL
# from obj.hits), X-Varnish (one id on a miss, two on a hit) and
# X-Response-Id, mod_unique_id's id of the Apache response, set with
# mod_headers and stored with the object: a hit must carry the id of the
# miss that stored the copy meant for its own Origin.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use File::Path ();
use IO::Socket::INET ();
use POSIX ();
use Time::HiRes ();
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;
use CorsServer ();

plan tests => 460, need_lwp;

my $A    = 'https://a.example';
my $B    = 'https://b.example';
my $C    = 'https://c.example';
my $EVIL = 'https://evil.example';

# ------------------------------------------------------------ varnishd
my $dir     = Apache::Test::vars('t_logs') . '/varnish';
my $pidfile = "$dir/varnishd.pid";
my $started;    # a varnishd of ours may be running

# Stop our varnishd by the PID it wrote, and wait until it is gone.
sub stop_varnish {
    return unless $started;
    $started = 0;
    open my $fh, '<', $pidfile or return;
    my $pid = <$fh> // '';
    close $fh;
    chomp $pid;
    return unless $pid =~ /^\d+$/ && kill 0, $pid;
    kill TERM => $pid;
    for (1 .. 100) {
        return unless kill 0, $pid;
        Time::HiRes::sleep(0.1);
    }
    kill KILL => $pid;
}

END {
    local $?;    # keep the test's exit status
    stop_varnish();
}
$SIG{INT} = $SIG{TERM} = sub { exit 1 };    # so that END runs

sub find_varnishd {
    for my $d (split(/:/, $ENV{PATH} // ''), '/usr/sbin', '/usr/local/sbin') {
        return "$d/varnishd" if length $d && -x "$d/varnishd";
    }
    die "varnishd not found (Debian package varnish; make test installs it"
      . " when run as root)\n";
}

# conf/varnish-cors.vcl with the test Apache as backend.
sub write_vcl {
    my ($file) = @_;
    my $src = Apache::Test::vars('top_dir') . '/conf/varnish-cors.vcl';
    open my $in, '<', $src or die "$src: $!\n";
    my $vcl = do { local $/; <$in> };
    close $in;
    my $backend_port = Apache::Test::vars('port');
    my $n = 0;
    $n += $vcl =~ s/^(\s*\.host\s*=\s*)"[^"]*";/$1"127.0.0.1";/m;
    $n += $vcl =~ s/^(\s*\.port\s*=\s*)"[^"]*";/$1"$backend_port";/m;
    die "$src: no backend .host and .port to set\n" unless $n == 2;
    open my $out, '>', $file or die "$file: $!\n";
    print $out $vcl;
    close $out or die "$file: $!\n";
}

# Start varnishd (it daemonizes once its child runs the VCL) and return
# its port. Its messages go to t/logs/varnish/varnishd.log.
sub start_varnish {
    my $varnishd = find_varnishd();
    File::Path::rmtree($dir);
    File::Path::mkpath("$dir/work");
    write_vcl("$dir/cors.vcl");
    for my $attempt (1 .. 3) {
        # another process may take the port before varnishd: then retry
        my $port = CorsServer::free_port();
        my @cmd = ($varnishd,
                   '-j', 'none',                 # run as the current user
                   '-n', "$dir/work",
                   '-a', "127.0.0.1:$port",
                   '-T', 'none',                 # no management port
                   '-f', "$dir/cors.vcl",
                   '-P', $pidfile,
                   '-s', 'malloc,32m',
                   '-p', 'thread_pools=1',       # a small test instance
                   '-p', 'thread_pool_min=10');
        my $pid = open my $fh, '-|';
        die "fork: $!\n" unless defined $pid;
        if (!$pid) {
            open STDERR, '>&', \*STDOUT;
            { exec @cmd }
            print "exec $varnishd: $!\n";
            POSIX::_exit(127);    # no END blocks in the child
        }
        my $said = do { local $/; <$fh> } // '';
        close $fh;
        my $status = $?;
        $started = 1;    # even a failed start may have left a process
        open my $log, '>>', "$dir/varnishd.log";
        print $log "@cmd\n$said\n" if $log;
        if ($status == 0) {
            # varnishd opened its socket before it returned
            my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port")
                or die "varnishd started but 127.0.0.1:$port refuses: $!\n";
            close $s;
            return $port;
        }
        stop_varnish();
        next if $said =~ /in use/i && $attempt < 3;
        die "varnishd failed (exit status $status):\n$said";
    }
}

my $varnish = 'http://127.0.0.1:' . start_varnish();
note("varnish at $varnish");

# ------------------------------------------------------------ requests
# Query strings unique to each sequence keep their cached copies apart.
my $run = "run=$$";
my $seq = 0;
sub path { my $p = shift; $seq++; return "$p?$run-$seq" }

my %label_of;    # X-Response-Id of every miss so far => its label

# through(PATH, ORIGIN or undef, LABEL, want => ...): one GET through
# Varnish, and 8 checks. want:
#   hit  => the earlier response (a miss) whose stored copy must answer;
#           without it, the answer must come from Apache (a miss)
#   acao => the Access-Control-Allow-Origin expected, or undef for none
#   cred => Access-Control-Allow-Credentials: true expected
#   vary => whether Vary must name Origin
#   headers => more request headers
sub through {
    my ($path, $origin, $what, %want) = @_;
    my $res = req(GET => "$varnish$path",
                  (defined $origin ? (Origin => $origin) : ()),
                  @{ $want{headers} || [] });
    is $res->code, 200, "$what: 200";

    my @xid = split ' ', $res->header('X-Varnish') // '';
    my $id = $res->header('X-Response-Id') // '';
    if ($want{hit}) {
        is $res->header('X-Cache') // '', 'HIT', "$what: X-Cache HIT";
        is scalar @xid, 2, "$what: X-Varnish has two ids (a hit)";
        my $stored = $want{hit}->header('X-Response-Id') // '';
        is $id, $stored,
            "$what: the copy stored for " . ($label_of{$stored} // '?');
    }
    else {
        is $res->header('X-Cache') // '', 'MISS', "$what: X-Cache MISS";
        is scalar @xid, 1, "$what: X-Varnish has one id (from Apache)";
        ok length $id && !exists $label_of{$id},
            "$what: a new Apache response";
        $label_of{$id} = $what;
    }

    is_deeply [field_values($res, 'Access-Control-Allow-Origin')],
        [defined $want{acao} ? $want{acao} : ()],
        "$what: Access-Control-Allow-Origin "
        . (defined $want{acao} ? "$want{acao}, once" : 'absent');
    is_deeply [field_values($res, 'Access-Control-Allow-Credentials')],
        [$want{cred} ? 'true' : ()],
        "$what: Access-Control-Allow-Credentials "
        . ($want{cred} ? 'true' : 'absent');
    is_deeply [grep { !/^access-control-allow-(origin|credentials)$/ }
               acheaders($res)], [], "$what: no other Access-Control-*";
    my $varies = grep { $_ eq 'origin' } vary_tokens($res);
    if ($want{vary}) {
        ok $varies, "$what: Vary names Origin";
    }
    else {
        ok !$varies, "$what: no Vary: Origin";
    }
    return $res;
}

my ($u, $l, %r);

# 1. A listed policy: two allowed origins, a refused one, no Origin, each
# twice. Each gets its own copy, with its own answer.
$u = path('/varnish/list/file.txt');
$l = 'list';
%r = ();
$r{a} = through($u, $A, "$l: a", acao => $A, vary => 1);
through($u, $A, "$l: a, again", hit => $r{a}, acao => $A, vary => 1);
$r{b} = through($u, $B, "$l: b", acao => $B, vary => 1);
through($u, $B, "$l: b, again", hit => $r{b}, acao => $B, vary => 1);
$r{evil} = through($u, $EVIL, "$l: refused origin", vary => 1);
through($u, $EVIL, "$l: refused origin, again", hit => $r{evil}, vary => 1);
$r{none} = through($u, undef, "$l: no Origin", vary => 1);
through($u, undef, "$l: no Origin, again", hit => $r{none}, vary => 1);
through($u, $A, "$l: a, third time", hit => $r{a}, acao => $A, vary => 1);
through($u, $B, "$l: b, third time", hit => $r{b}, acao => $B, vary => 1);

# 2. Trying to poison the cache, refused answers first: none of them may
# answer an allowed origin.
$u = path('/varnish/list/file.txt');
$l = 'list, refused first';
%r = ();
$r{evil} = through($u, $EVIL, "$l: refused origin", vary => 1);
$r{none} = through($u, undef, "$l: no Origin", vary => 1);
# "null" is not listed; https://A.example is malformed (uppercase).
$r{null} = through($u, 'null', "$l: null origin", vary => 1);
$r{upper} = through($u, 'https://A.example', "$l: uppercase a", vary => 1);
$r{a} = through($u, $A, "$l: a after them", acao => $A, vary => 1);
$r{b} = through($u, $B, "$l: b after them", acao => $B, vary => 1);
through($u, $A, "$l: a, again", hit => $r{a}, acao => $A, vary => 1);
through($u, $EVIL, "$l: refused origin, again", hit => $r{evil}, vary => 1);
through($u, undef, "$l: no Origin, again", hit => $r{none}, vary => 1);

# 3. Allowed answers first: none of them may reach a refused origin, a
# near miss of an allowed one, or a request without Origin.
$u = path('/varnish/list/file.txt');
$l = 'list, allowed first';
%r = ();
$r{a} = through($u, $A, "$l: a", acao => $A, vary => 1);
$r{b} = through($u, $B, "$l: b", acao => $B, vary => 1);
$r{evil} = through($u, $EVIL, "$l: refused origin after them", vary => 1);
$r{none} = through($u, undef, "$l: no Origin after them", vary => 1);
through($u, 'null', "$l: null origin after them", vary => 1);
through($u, 'https://A.example', "$l: uppercase a after them", vary => 1);
through($u, 'https://a.example:443', "$l: a with :443 after them",
        vary => 1);
through($u, "$A.evil.example", "$l: a.example.evil.example after them",
        vary => 1);
through($u, $EVIL, "$l: refused origin, again", hit => $r{evil}, vary => 1);
through($u, undef, "$l: no Origin, again", hit => $r{none}, vary => 1);
through($u, $B, "$l: b, again", hit => $r{b}, acao => $B, vary => 1);

# 4. No Origin first, then an allowed one.
$u = path('/varnish/list/file.txt');
$l = 'list, no Origin first';
%r = ();
$r{none} = through($u, undef, "$l: no Origin", vary => 1);
$r{a} = through($u, $A, "$l: a after it", acao => $A, vary => 1);
through($u, undef, "$l: no Origin, again", hit => $r{none}, vary => 1);
through($u, $A, "$l: a, again", hit => $r{a}, acao => $A, vary => 1);

# 5. Preflights are never answered from the cache (Varnish passes
# OPTIONS), and do not disturb the cached GETs.
$u = path('/varnish/list/file.txt');
$l = 'list, preflight';
$r{a} = through($u, $A, "$l: a, GET first", acao => $A, vary => 1);
for my $n (1, 2) {
    my $res = req(OPTIONS => "$varnish$u", Origin => $A,
                  'Access-Control-Request-Method' => 'POST');
    is $res->code, 204, "$l $n: 204";
    is_deeply [field_values($res, 'Access-Control-Allow-Origin')], [$A],
        "$l $n: Access-Control-Allow-Origin a, once";
    is $res->header('X-Cache') // '', 'MISS', "$l $n: not from the cache";
    my @xid = split ' ', $res->header('X-Varnish') // '';
    is scalar @xid, 1, "$l $n: X-Varnish has one id";
    $res = req(OPTIONS => "$varnish$u", Origin => $EVIL,
               'Access-Control-Request-Method' => 'POST');
    is $res->code, 403, "$l $n, refused origin: 403";
    is_deeply [acheaders($res)], [],
        "$l $n, refused origin: no Access-Control-*";
}
through($u, $A, "$l: a, GET after them", hit => $r{a}, acao => $A,
        vary => 1);

# 6. A listed policy with credentials: copies stay per origin. A request
# that carries a cookie is never answered from the cache (Varnish's
# built-in VCL passes it), so a credentialed copy is only stored from a
# credentialed request that carried no credentials.
$u = path('/varnish/cred/file.txt');
$l = 'credentials';
%r = ();
$r{a} = through($u, $A, "$l: a", acao => $A, cred => 1, vary => 1);
$r{b} = through($u, $B, "$l: b", acao => $B, cred => 1, vary => 1);
through($u, $A, "$l: a, again", hit => $r{a}, acao => $A, cred => 1,
        vary => 1);
through($u, $B, "$l: b, again", hit => $r{b}, acao => $B, cred => 1,
        vary => 1);
$r{evil} = through($u, $EVIL, "$l: refused origin", vary => 1);
$r{none} = through($u, undef, "$l: no Origin", vary => 1);
through($u, $EVIL, "$l: refused origin, again", hit => $r{evil}, vary => 1);
through($u, undef, "$l: no Origin, again", hit => $r{none}, vary => 1);
through($u, $A, "$l: a with a cookie", acao => $A, cred => 1, vary => 1,
        headers => [Cookie => 'session=1']);

# 7. CorsAllowOrigin * without credentials: every response of the scope
# carries Access-Control-Allow-Origin: * and no Vary: Origin, so Varnish
# keeps one copy, stored by whichever request came first, for every site
# and for requests without Origin.
$u = path('/varnish/star/file.txt');
$l = '*, an origin first';
%r = ();
$r{a} = through($u, $A, "$l: a", acao => '*');
through($u, $A, "$l: a, again", hit => $r{a}, acao => '*');
through($u, $B, "$l: b", hit => $r{a}, acao => '*');
through($u, $C, "$l: c", hit => $r{a}, acao => '*');
through($u, $EVIL, "$l: evil.example", hit => $r{a}, acao => '*');
through($u, 'null', "$l: null origin", hit => $r{a}, acao => '*');
through($u, undef, "$l: no Origin", hit => $r{a}, acao => '*');

$u = path('/varnish/star/file.txt');
$l = '*, no Origin first';
%r = ();
$r{none} = through($u, undef, "$l: no Origin", acao => '*');
through($u, $A, "$l: a", hit => $r{none}, acao => '*');
through($u, $B, "$l: b", hit => $r{none}, acao => '*');
through($u, undef, "$l: no Origin, again", hit => $r{none}, acao => '*');
