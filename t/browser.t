# Issue 5, "Proof in a real browser": the demo page of `make demo`
# (demo/page/index.html, cors-demo.js) run in headless Chromium against the
# demo API (demo/api/, policy conf/demo-api.conf), all served by this test
# server on three origins (t/conf/browser.conf.in):
#
#   browser_page   http://127.0.0.1:PORT   the page origin (allowed by the API)
#   browser_api    http://127.0.0.1:PORT   the API, with mod_cors
#   browser_third  http://127.0.0.1:PORT   an origin the API does not allow
#
# The page runs one fetch() per case and writes the outcome into the DOM
# (<tr data-case data-outcome ...>); Chromium's --dump-dom hands it to us.
# One assertion per case, blocked ones included. Further checks: the API
# log shows the preflights and refusals behind those outcomes, and
# Chromium's console a CORS error for each blocked case (so "blocked" means
# refused by CORS, not a network error); a screenshot of the page is saved
# as t/logs/browser/demo.png.
#
# Chromium must run: when it is missing or fails, every assertion fails and
# the first one says why. Never a skip. CHROMIUM=/path/to/chromium picks
# another binary; the run's output (DOM, Chromium's stderr, screenshot) is
# in t/logs/browser/.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use File::Path qw(make_path);
use File::Spec ();
use File::Temp qw(tempdir);
use HTTP::Request ();
use JSON::PP ();
use LWP::UserAgent ();
use POSIX ();

# name => expected outcome, in the page's order.
my @CASES = (
    [ 'simple-get'             => 'allowed' ],
    [ 'post-json'              => 'allowed' ],
    [ 'put-custom-header'      => 'allowed' ],
    [ 'delete-custom-header'   => 'allowed' ],
    [ 'credentials-cookie'     => 'allowed' ],
    [ 'exposed-header'         => 'allowed' ],
    [ 'unexposed-header'       => 'allowed' ],
    [ 'not-found-readable'     => 'allowed' ],
    [ 'header-not-allowed'     => 'blocked' ],
    [ 'preflight-basic-auth'   => 'allowed' ],
    [ 'auth-required-readable' => 'allowed' ],
    [ 'refused-origin'         => 'blocked' ],
);

my @BLOCKED = map { $_->[0] } grep { $_->[1] eq 'blocked' } @CASES;

my $CHROMIUM_TIMEOUT = 120;     # seconds, per Chromium run
my $VIRTUAL_BUDGET   = 120000;  # ms of page time (fast-forwarded when idle)

my $vars       = Apache::Test::vars();
my $page_port  = $vars->{browser_page_port};
my $api_port   = $vars->{browser_api_port};
my $third_port = $vars->{browser_third_port};
my $page   = "http://127.0.0.1:$page_port";
my $api    = "http://127.0.0.1:$api_port";
my $third  = "http://127.0.0.1:$third_port";
my $url    = "$page/index.html?api=$api&third=$third";

# What the API's log (t/logs/browser_log) must show for the page's requests:
# [ description, regex on one line ].
my $o = qr/origin="\Q$page\E"/;
my @LOG_CHECKS = (
    [ 'post-json was preflighted (OPTIONS 204)',
      qr/^$api_port "OPTIONS \/echo\.cgi\?case=post-json HTTP\/1\.1" 204 $o cors=preflight$/m ],
    [ 'put-custom-header was preflighted (OPTIONS 204)',
      qr/^$api_port "OPTIONS \/echo\.cgi\?case=put-custom-header HTTP\/1\.1" 204 $o cors=preflight$/m ],
    [ 'delete-custom-header was preflighted (OPTIONS 204)',
      qr/^$api_port "OPTIONS \/echo\.cgi\?case=delete-custom-header HTTP\/1\.1" 204 $o cors=preflight$/m ],
    [ 'header-not-allowed: mod_cors refused the preflight (403 refused-header)',
      qr/^$api_port "OPTIONS \/echo\.cgi\?case=header-not-allowed HTTP\/1\.1" 403 $o cors=refused-header$/m ],
    [ 'preflight-basic-auth: the preflight passed without credentials (204)',
      qr/^$api_port "OPTIONS \/private\/echo\.cgi\?case=preflight-basic-auth HTTP\/1\.1" 204 $o cors=preflight$/m ],
    [ 'preflight-basic-auth: the PUT with credentials got 200',
      qr/^$api_port "PUT \/private\/echo\.cgi\?case=preflight-basic-auth HTTP\/1\.1" 200 $o cors=allowed$/m ],
    [ 'refused-origin: the request from the third origin was refused by mod_cors',
      qr/^$api_port "GET \/data\.json\?case=refused-origin HTTP\/1\.1" 200 origin="\Q$third\E" cors=refused-origin$/m ],
);

plan tests => 3 + @CASES + 1 + @LOG_CHECKS + @BLOCKED + 2 * @CASES
    + @BLOCKED + 1;

my $outdir = File::Spec->catdir($vars->{t_logs}, 'browser');
make_path($outdir);
my $chromium_log = "$outdir/chromium.log";
# As root, make test runs the suite in a copy and copies t/logs back: name
# the output files as they will be found.
my $shown_log    = 't/logs/browser/chromium.log';
my $dom_file     = "$outdir/dom.html";
my $png          = "$outdir/demo.png";
unlink $chromium_log, $dom_file, $png;
my $api_log      = File::Spec->catfile($vars->{t_logs}, 'browser_log');
my $api_log_from = -s $api_log || 0;

# --------------------------------------------------------------- Chromium

sub find_chromium {
    return $ENV{CHROMIUM} if $ENV{CHROMIUM};
    for my $dir (File::Spec->path, '/usr/bin') {
        for my $name (qw(chromium chromium-browser)) {
            my $f = File::Spec->catfile($dir, $name);
            return $f if -f $f && -x _;
        }
    }
    return undef;
}

# run_chromium(NAME, OUTFILE, FLAG...): run Chromium headless with a fresh
# profile, stdout to OUTFILE, stderr appended to chromium.log. Returns undef
# on success, else why it failed.
sub run_chromium {
    my ($chromium, $name, $outfile, @flags) = @_;
    my $home = tempdir("mod_cors-chromium.XXXXXX", TMPDIR => 1, CLEANUP => 1);
    my @cmd = ('timeout', '-k', '10', $CHROMIUM_TIMEOUT, $chromium,
               '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
               '--no-first-run', '--disable-background-networking',
               '--disable-component-update', '--disable-sync',
               '--disable-dev-shm-usage', '--no-proxy-server',
               '--no-default-browser-check', '--hide-scrollbars',
               # the page's console (CORS errors included) to chromium.log
               '--enable-logging=stderr', '--v=0',
               "--user-data-dir=$home/profile",
               "--virtual-time-budget=$VIRTUAL_BUDGET",
               @flags, $url);
    open my $log, '>>', $chromium_log or return "$chromium_log: $!";
    print $log "==== $name: @cmd\n";
    close $log;

    my $pid = fork;
    return "fork: $!" unless defined $pid;
    if (!$pid) {
        # Chromium as nobody needs a writable HOME; keep it off any proxy.
        $ENV{HOME} = $home;
        $ENV{XDG_CONFIG_HOME} = "$home/config";
        $ENV{XDG_CACHE_HOME}  = "$home/cache";
        delete @ENV{qw(http_proxy https_proxy all_proxy
                       HTTP_PROXY HTTPS_PROXY ALL_PROXY)};
        open STDIN,  '<',  '/dev/null';
        open STDOUT, '>',  $outfile       or POSIX::_exit(126);
        open STDERR, '>>', $chromium_log  or POSIX::_exit(126);
        exec @cmd or POSIX::_exit(127);
    }
    waitpid $pid, 0;
    my $st = $?;
    return undef if $st == 0;
    my $code = $st >> 8;
    return "timed out after $CHROMIUM_TIMEOUT s (see $shown_log)"
        if $code == 124 || $code == 137;
    if ($code == 126 || $code == 127) {
        my ($last) = reverse grep { /\S/ } split /\n/, slurp($chromium_log) // '';
        return "could not be started: " . ($last // "exit $code");
    }
    return ($st & 127 ? "killed by signal " . ($st & 127) : "exited $code")
        . " (see $shown_log)";
}

sub slurp {
    my $file = shift;
    open my $fh, '<:raw', $file or return undef;
    local $/;
    return scalar <$fh>;
}

sub unescape {
    my $s = shift;
    $s =~ s/&quot;/"/g;
    $s =~ s/&lt;/</g;
    $s =~ s/&gt;/>/g;
    $s =~ s/&nbsp;/ /g;
    $s =~ s/&#(\d+);/chr $1/ge;
    $s =~ s/&amp;/&/g;
    return $s;
}

sub attrs {
    my $tag = shift;
    my %a;
    $a{lc $1} = unescape($2) while $tag =~ /([\w-]+)="([^"]*)"/g;
    return \%a;
}

my $chromium = find_chromium();
my ($why, $dom);
if (!$chromium) {
    $why = 'chromium not found in PATH (Debian package chromium; '
         . 'make test installs it when run as root)';
}
else {
    # One retry, for a Chromium that crashed or did not get the page to the
    # end; the outcomes come from one complete run either way.
    for my $try (1, 2) {
        $why = run_chromium($chromium, "dump-dom, try $try", $dom_file,
                            '--dump-dom');
        $dom = slurp($dom_file);
        if (!$why && !($dom && $dom =~ /<div\b[^>]*\bid="done"/)) {
            $why = $dom && $dom =~ /data-case=/
                 ? 'the page did not finish (no <div id=done>); see '
                   . 't/logs/browser/dom.html'
                 : 'Chromium printed no page with results; see '
                   . "t/logs/browser/dom.html and $shown_log";
        }
        last unless $why;
        diag "chromium, try $try: $why";
    }
}

ok !$why, 'headless Chromium ran the demo page to the end'
    or diag "Chromium failed: $why\nURL: $url";

# ----------------------------------------------------------- the outcomes

my (%row, @order);
if ($dom) {
    while ($dom =~ /<tr\b([^>]*\bdata-case="[^"]*"[^>]*)>/g) {
        my $a = attrs($1);
        push @order, $a->{'data-case'};
        $row{ $a->{'data-case'} } = $a;
    }
}
is join(' ', @order), join(' ', map { $_->[0] } @CASES),
    'the page ran exactly the cases this test expects, in order';
# The page's own Expected column must agree with this test (its verdicts
# and summary then mean the same as the assertions below).
is join(' ', map { $_ . '=' . ($row{$_}{'data-expected'} // '?') } @order),
   join(' ', map { "$_->[0]=$_->[1]" } @CASES),
   "the page expects what this test expects of each case";

for my $c (@CASES) {
    my ($name, $expected) = @$c;
    my $r = $row{$name};
    my $got = $r ? $r->{'data-outcome'}
            : 'no result' . ($why ? ' (Chromium failed: see test 1)' : '');
    is $got, $expected, "$name: $expected"
        or $r and diag "$name: " . ($r->{'data-detail'} // '');
}

# ------------------------------------------------------ server-side checks

# The unexposed-header case means something only if the header is sent.
{
    my $ua = LWP::UserAgent->new(timeout => 10);
    my $res = $ua->request(HTTP::Request->new(GET => "$api/data.json",
                                              [ Origin => $page ]));
    is $res->header('X-Demo-Secret'), 'not exposed',
        'the API does send X-Demo-Secret (the page must not read it)';
}

# The API log of this run: each blocked outcome is mod_cors's refusal, and
# the preflighted cases were preflighted (and through Basic auth).
my $log = slurp($api_log) // '';
$log = substr $log, $api_log_from if length $log >= $api_log_from;
for my $check (@LOG_CHECKS) {
    my ($desc, $re) = @$check;
    ok $log =~ $re, "log: $desc"
        or diag "no line matching $re in t/logs/browser_log";
}

# Chromium's own word for each blocked case: its console's CORS error.
my $console = slurp($chromium_log) // '';
for my $name (@BLOCKED) {
    ok $console =~ /Access to fetch at '[^']*[?&]case=\Q$name\E' from origin '[^']+' has been blocked by CORS policy/,
        "console: Chromium blocked $name by CORS policy"
        or diag "no CORS error for case=$name in $shown_log";
}

# The explain view each row links to (mod_cors's cors-info page on the
# API): what it predicts is what the browser did, and for a blocked case
# the very console message Chromium printed.
my %chromium_said;
while ($console =~ /"(Access to fetch at '[^']*[?&]case=([\w-]+)' from origin '[^']+' has been blocked by CORS policy: [^"]*)"/g) {
    $chromium_said{$2} //= $1;
}
{
    my $ua = LWP::UserAgent->new(timeout => 10);
    for my $c (@CASES) {
        my ($name, $expected) = @$c;
        my $link = $row{$name} ? $row{$name}{'data-explain'} // '' : '';
        like $link, qr{^\Q$api\E/cors-info\?url=[^&]*case%3D\Q$name\E&origin=},
            "$name: the row links to the API's explain view";
        my $res = $ua->get("$link&format=json");
        my $ex = eval { JSON::PP->new->decode($res->content) } // {};
        is $ex->{browser}{outcome} // $res->status_line,
            $expected eq 'allowed' ? 'readable' : 'blocked',
            "$name: the explain view predicts it ($expected)"
            or diag $res->content;
        next unless $expected eq 'blocked';
        is $ex->{browser}{console}, $chromium_said{$name},
            "$name: the explain view's console message is Chromium's";
    }
}

# ------------------------------------------------------------- screenshot

my $shot_why = $chromium ? undef : $why;
$shot_why //= run_chromium($chromium, 'screenshot', '/dev/null',
                           "--screenshot=$png", '--window-size=1200,900');
my $head = slurp($png) // '';
ok !$shot_why && length($head) > 1000
        && substr($head, 0, 8) eq "\x89PNG\r\n\x1a\n",
    "screenshot of the page saved as a PNG in t/logs/browser/demo.png"
    or diag $shot_why ? "Chromium failed: $shot_why"
                      : "$png: " . length($head) . ' bytes, not a PNG';
