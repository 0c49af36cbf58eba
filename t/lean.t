# Issue 9: where every loaded module is one mod_cors knows never writes an
# Access-Control-* response field (cors_reviewed_modules in mod_cors.c), the
# CORS_HEADERS filter is added only where such a field can still appear:
# mod_headers' "Header" lines (its filter is in the chain), a credentialed
# "CorsExposeHeaders *", an error answer. This file starts such servers and
# checks that the guarantees hold without the filter on every response:
# exactly one Access-Control-Allow-Origin, ours; Vary keeps Origin whatever
# MultiViews, mod_deflate or a "Header" line does to it.
#
# Three servers (t/lib/CorsServer.pm): "lean" (Debian's default modules plus
# mod_headers), "early" (the same with a server-wide "Header early" field),
# and "asis" (with mod_asis, which sends a file's own header fields: not on
# the list, so the filter checks every response). The Apache::Test server
# loads modules that are not on the list (mod_proxy, mod_cgi, mod_lua), so
# the rest of t/ covers the filter on every response.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use File::Temp ();
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsTest;
use CorsServer;
use CorsConfigTest qw(mod_cors_so);

plan tests => 48, need_lwp;

my $A    = 'https://a.example';
my $EVIL = 'https://evil.example';

# --- the document tree the three servers share --------------------------
my $root = File::Temp::tempdir('cors-lean-XXXXXX', TMPDIR => 1,
                               CLEANUP => 1);
sub put_file {
    my ($path, $text) = @_;
    my $file = "$root/$path";
    (my $dir = $file) =~ s{/[^/]+$}{};
    mkdir $dir unless -d $dir;
    open my $fh, '>', $file or die "$file: $!";
    print $fh $text;
    close $fh;
}
for my $dir ('', 'hdr/', 'always/', 'expose/', 'gz/') {
    put_file("${dir}x.json", qq({"ok":true}\n));
}
put_file('dir/index.html', "<p>index</p>\n");
put_file('mv/report.html', "<p>report</p>\n");
put_file('mv/report.txt', "report\n");
put_file('gz/big.txt', "compress me " x 400);
put_file('asis/x.asis', "Status: 200 OK\nContent-Type: text/plain\n"
         . "Access-Control-Allow-Origin: *\n\nfrom the file\n");

my @reviewed = (
    [ 'mod_authz_core.so',  'authz_core_module' ],
    [ 'mod_authz_host.so',  'authz_host_module' ],
    [ 'mod_mime.so',        'mime_module' ],
    [ 'mod_dir.so',         'dir_module' ],
    [ 'mod_negotiation.so', 'negotiation_module' ],
    [ 'mod_filter.so',      'filter_module' ],
    [ 'mod_deflate.so',     'deflate_module' ],
    [ 'mod_setenvif.so',    'setenvif_module' ],
    [ 'mod_headers.so',     'headers_module' ],
    [ mod_cors_so(),        'cors_module' ],
);

my $body = <<"CONF";
LogLevel warn cors:debug
TypesConfig /etc/mime.types
DocumentRoot "$root"
<Directory "$root">
    Require all granted
    Options +MultiViews
    DirectoryIndex index.html
    CorsAllowOrigin $A
    CorsAllowMethods PUT
</Directory>
# the recipe's leftovers, and a handler-like Vary replacement
<Location /hdr/>
    Header set Access-Control-Allow-Origin "*"
    Header set Vary "Accept"
</Location>
<Location /always/>
    Header always set Access-Control-Allow-Origin "*"
</Location>
<Location /expose/>
    CorsAllowCredentials On
    CorsExposeHeaders *
</Location>
<Location /gz/>
    AddOutputFilterByType DEFLATE text/plain
</Location>
<Location /ed/>
    ErrorDocument 404 /dir/index.html
</Location>
<Location /asis/>
    AddHandler send-as-is asis
</Location>
CONF

sub get {
    my ($srv, $path, @headers) = @_;
    return req(GET => $srv->url($path), @headers);
}

sub startup_line {
    my $srv = shift;
    open my $fh, '<', $srv->error_log or return '';
    my ($line) = grep { /CORS0209/ } <$fh>;
    return $line // '';
}

# exactly one Access-Control-Allow-Origin, equal to $want
sub one_acao {
    my ($res, $want, $name) = @_;
    my @v = field_values($res, 'Access-Control-Allow-Origin');
    is "@v", $want, "$name: one Access-Control-Allow-Origin, $want";
}

# no Access-Control-Allow-Origin at all
sub no_acao {
    my ($res, $name) = @_;
    is field_count($res, 'Access-Control-Allow-Origin'), 0, $name;
}

sub has_vary {
    my ($res, @want) = @_;
    my %got = map { $_ => 1 } vary_tokens($res);
    return !grep { !$got{lc $_} } @want;
}

# --- lean: only reviewed modules ------------------------------------------
my $lean = CorsServer->start(name => 'lean', modules => \@reviewed,
                             body => $body);
like startup_line($lean), qr/CORS0209: no loaded module but mod_headers/,
    'lean: mod_cors says the filter runs only where needed';

my $res = get($lean, '/x.json', Origin => $A);
is $res->code, 200, 'lean: allowed GET: 200';
one_acao($res, $A, 'lean: allowed GET');
ok vary_ok($res, 'Origin'), 'lean: allowed GET: Vary: Origin';

$res = get($lean, '/x.json', Origin => $EVIL);
no_acao($res, 'lean: refused origin: no Access-Control-Allow-Origin');
ok vary_ok($res, 'Origin'), 'lean: refused origin: Vary: Origin';

$res = get($lean, '/x.json');
is_deeply [ acheaders($res) ], [], 'lean: no Origin: no Access-Control-*';
ok vary_ok($res, 'Origin'), 'lean: no Origin: Vary: Origin';

$res = get($lean, '/nosuch.json', Origin => $A);
is $res->code, 404, 'lean: missing file: 404';
one_acao($res, $A, 'lean: 404');
ok has_vary($res, 'Origin'), 'lean: 404: Vary has Origin';

# an internal redirect after an error: the error's fields are in
# err_headers_out already when the ErrorDocument's are set
$res = get($lean, '/ed/nosuch.json', Origin => $A);
like $res->content, qr/index/, 'lean: ErrorDocument: the document';
one_acao($res, $A, 'lean: ErrorDocument');

$res = get($lean, '/dir/', Origin => $A);
like $res->content, qr/index/, 'lean: DirectoryIndex: the index';
one_acao($res, $A, 'lean: DirectoryIndex');

$res = get($lean, '/mv/report', Origin => $A, Accept => 'text/plain');
like $res->content, qr/^report$/m, 'lean: MultiViews: the text variant';
one_acao($res, $A, 'lean: MultiViews');
ok has_vary($res, qw(Origin negotiate accept)),
    'lean: MultiViews: Vary has Origin, negotiate and accept';

$res = get($lean, '/gz/big.txt', Origin => $A, 'Accept-Encoding' => 'gzip');
is $res->header('Content-Encoding'), 'gzip', 'lean: mod_deflate: gzip';
one_acao($res, $A, 'lean: mod_deflate');
ok has_vary($res, qw(Origin Accept-Encoding)),
    'lean: mod_deflate: Vary has Origin and Accept-Encoding';

$res = get($lean, '/hdr/x.json', Origin => $A);
one_acao($res, $A, 'lean: "Header set" of the recipe');
ok has_vary($res, qw(Origin Accept)),
    'lean: "Header set Vary" replaced ours: Origin is back';
$res = get($lean, '/hdr/x.json', Origin => $EVIL);
no_acao($res,
    'lean: "Header set" of the recipe, refused origin: no '
    . 'Access-Control-Allow-Origin');

$res = get($lean, '/always/x.json', Origin => $A);
one_acao($res, $A, 'lean: "Header always set"');
$res = get($lean, '/always/nosuch.json', Origin => $A);
is $res->code, 404, 'lean: "Header always set", missing file: 404';
one_acao($res, $A, 'lean: "Header always set", 404');
$res = get($lean, '/always/x.json', Origin => $EVIL);
no_acao($res, 'lean: "Header always set", refused origin: none');

# error answers to preflights: mod_headers' error filter is the only one
# that can add a field there, and none may stay
for my $path ('/always/x.json', '/hdr/x.json') {
    $res = req(OPTIONS => $lean->url($path), Origin => $EVIL,
               'Access-Control-Request-Method' => 'PUT');
    is $res->code, 403, "lean: refused preflight, $path: 403";
    is_deeply [ acheaders($res) ], [],
        "lean: refused preflight, $path: no Access-Control-* field";
}

$res = get($lean, '/expose/x.json', Origin => $A);
is $res->header('Access-Control-Allow-Credentials'), 'true',
    'lean: credentialed "CorsExposeHeaders *": credentials';
like $res->header('Access-Control-Expose-Headers') // '', qr/\bETag\b/i,
    'lean: credentialed "CorsExposeHeaders *": names the response\'s ETag';

$res = req(OPTIONS => $lean->url('/x.json'), Origin => $A,
           'Access-Control-Request-Method' => 'PUT');
is $res->code, 204, 'lean: preflight: 204';
one_acao($res, $A, 'lean: preflight');
like $res->header('Access-Control-Allow-Methods') // '', qr/\bPUT\b/,
    'lean: preflight: PUT allowed';
$lean->stop;

# --- early: a server-wide "Header early" field, set before mod_cors's ----
my $early = CorsServer->start(name => 'early', modules => \@reviewed,
    body => $body . qq(Header set Access-Control-Allow-Origin "*" early\n));
like startup_line($early), qr/CORS0209: no loaded module but mod_headers/,
    'early: only reviewed modules';
$res = get($early, '/x.json', Origin => $A);
one_acao($res, $A, 'early: allowed GET');
$res = get($early, '/x.json', Origin => $EVIL);
no_acao($res, 'early: refused origin: the early "*" is removed');
$res = get($early, '/x.json');
no_acao($res, 'early: no Origin: the early "*" is removed');
$early->stop;

# --- asis: mod_asis is not on the list -------------------------------------
my $asis = CorsServer->start(name => 'asis',
    modules => [ @reviewed, [ 'mod_asis.so', 'asis_module' ] ],
    body => $body);
like startup_line($asis), qr/CORS0209: mod_asis\.c is loaded/,
    'asis: mod_cors names the module that makes it check every response';
$res = get($asis, '/asis/x.asis', Origin => $A);
like $res->content, qr/from the file/, 'asis: the file was sent as is';
one_acao($res, $A, 'asis: allowed GET');
$res = get($asis, '/asis/x.asis', Origin => $EVIL);
no_acao($res, 'asis: refused origin: the file\'s "*" is removed');
$res = get($asis, '/asis/x.asis');
no_acao($res, 'asis: no Origin: the file\'s "*" is removed');
ok has_vary($res, 'Origin'), 'asis: no Origin: Vary has Origin';
$res = get($asis, '/x.json', Origin => $A);
one_acao($res, $A, 'asis: a static file');
$asis->stop;
