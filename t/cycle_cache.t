# Issue 3, group 5: CORS behind mod_cache (mod_cache_disk)
# (t/conf/cycle.conf.in, "cycle_cache.t").
#
# A cached response must never carry the Access-Control-Allow-Origin
# computed for another origin: mod_cors's Vary: Origin makes the cache keep
# one variant per Origin (and one for no Origin); a CorsAllowOrigin *
# policy without credentials sends the same "*" to all, without Vary:
# Origin, and one copy serves every site. Each sequence is run
# with the cache as a quick handler (the default, main server: a hit skips
# every other hook) and as a normal handler (vhost cycle_cache_handler,
# CacheQuickHandler off: a hit runs the request's hooks).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use File::Path ();
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;

plan tests => 260, need_lwp;

my $A    = 'https://a.example';
my $B    = 'https://b.example';
my $EVIL = 'https://evil.example';

# mod_cache_disk does not create its CacheRoot (see cycle.conf.in).
my $root = Apache::Test::vars('t_logs') . '/cycle_cache';
File::Path::mkpath($root) unless -d $root;

# URLs unique to this run, so that nothing cached earlier can answer.
my $run = "run=$$-" . time;

# get(URL, ORIGIN or undef, expected X-Cache (HIT or MISS), expected
# Access-Control-Allow-Origin or undef, label[, shared]): a shared answer
# (CorsAllowOrigin * without credentials) has no Vary: Origin.
sub get {
    my ($url, $origin, $xcache, $acao, $what, $shared) = @_;
    my $res = req(GET => $url, (defined $origin ? (Origin => $origin) : ()));
    is $res->code, 200, "$what: 200";
    like $res->header('X-Cache') // '', qr/^\Q$xcache\E\b/,
        "$what: X-Cache $xcache";
    my @acao = field_values($res, 'Access-Control-Allow-Origin');
    if (defined $acao) {
        is_deeply \@acao, [$acao],
            "$what: Access-Control-Allow-Origin $acao, once";
    }
    else {
        is_deeply \@acao, [], "$what: no Access-Control-Allow-Origin";
    }
    # No credentials and no exposed headers are configured: none of the
    # backend's (proxied case) may be stored or replayed.
    is_deeply [grep { !/^access-control-allow-origin$/ } acheaders($res)],
        [], "$what: no other Access-Control-* field";
    if ($shared) {
        ok(!(grep { $_ eq 'origin' } vary_tokens($res)),
           "$what: no Vary: Origin (one copy for every site)");
    }
    else {
        ok((grep { $_ eq 'origin' } vary_tokens($res)),
           "$what: Vary has Origin");
    }
    return $res;
}

for my $mode ([ 'quick handler', undef ],
              [ 'normal handler', 'cycle_cache_handler' ]) {
    my ($name, $vhost) = @$mode;

    # CorsAllowOrigin https://a.example https://b.example, in front of a
    # static file and of a proxied backend that sends CORS headers of its
    # own ("*", credentials, X-Backend exposed).
    my ($u, $l, $res);
    for my $what ([ 'list' => '/cycle/cached/file.txt' ],
                  [ 'list, proxied' => '/cycle/cached/proxied/file.txt' ]) {
        $u = url("$what->[1]?$run", $vhost);
        $l = "$name, $what->[0]";
        get($u, $A,    'MISS', $A,    "$l: a, first");
        get($u, $A,    'HIT',  $A,    "$l: a, again");
        $res = get($u, $B, 'MISS', $B, "$l: b, after a");
        isnt $res->header('Access-Control-Allow-Origin') // '', $A,
            "$l: b never gets a's Access-Control-Allow-Origin";
        get($u, $B,    'HIT',  $B,    "$l: b, again");
        get($u, $EVIL, 'MISS', undef, "$l: refused origin");
        get($u, $EVIL, 'HIT',  undef, "$l: refused origin, again");
        get($u, undef, 'MISS', undef, "$l: no Origin");
        get($u, undef, 'HIT',  undef, "$l: no Origin, again");
        # Still a hit: the cache keeps one variant per Origin only if it
        # sees Origin in the response's Vary when it stores it.
        get($u, $A,    'HIT',  $A,    "$l: a, third time");
    }

    # A preflight to the cached URL is not answered from the cache.
    $u = url("/cycle/cached/file.txt?$run", $vhost);
    $l = "$name, list";
    $res = preflight($u, $A, 'POST');
    is $res->code, 204, "$l: preflight after the GETs: 204";
    is_deeply [field_values($res, 'Access-Control-Allow-Origin')], [$A],
        "$l: preflight: Access-Control-Allow-Origin once";
    ok !defined $res->header('X-Cache'), "$l: preflight: not from the cache";

    # CorsAllowOrigin *: the same answer for every Origin and for none,
    # so the first copy serves them all.
    $u = url("/cycle/cached/star/file.txt?$run", $vhost);
    $l = "$name, *";
    get($u, undef, 'MISS', '*', "$l: no Origin, first", 1);
    get($u, undef, 'HIT',  '*', "$l: no Origin, again", 1);
    get($u, $A,    'HIT',  '*', "$l: a", 1);
    get($u, $A,    'HIT',  '*', "$l: a, again", 1);
    get($u, $B,    'HIT',  '*', "$l: b", 1);
    get($u, $B,    'HIT',  '*', "$l: b, again", 1);
    get($u, undef, 'HIT',  '*', "$l: no Origin, third time", 1);
}
