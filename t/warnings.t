# Start-up warnings (README, "Fixing CORS errors": CORS0201-CORS0208):
# `apache2 -t` on a temporary config prints each one for a configuration
# that is valid but probably wrong, naming the file:line (and section) of
# the directive and what to write instead, and still says "Syntax OK" and
# exits 0. Clean configurations print no CORS02 line at all. No server is
# started; the configs are written by CorsConfigTest::check_config, as in
# t/directives_config.t.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use FindBin;
use lib "$FindBin::Bin/lib";
use CorsConfigTest;

my $so = mod_cors_so();

# "FILE:LINE" of the first line of $file that is $text (trimmed), with
# " in <SECTION>" when it is inside one, as mod_cors names a scope.
sub at {
    my ($file, $text) = @_;
    open my $fh, '<', $file or die "$file: $!";
    my ($section, $line) = (undef, 0);
    while (my $l = <$fh>) {
        $line++;
        $l =~ s/^\s+|\s+$//g;
        if ($l =~ /^<(?!\/)/) { $section = $l; next }
        if ($l =~ m{^</})     { $section = undef; next }
        return "$file:$line" . (defined $section ? " in $section" : '')
            if $l eq $text;
    }
    die "at: '$text' not in $file\n";
}

# The CORS02 warnings in the output, each as [level, message from the id].
sub warnings_in {
    my $out = shift;
    return map { /\[cors:(\w+)\].*?(CORS02\d\d: .*)$/ ? [$1, $2] : [undef, $_] }
           grep { /CORS02/ } split /\n/, $out;
}

# [ name, config body, directive line the warning points at,
#   expected message after "CORSnnnn: FILE:LINE[ in <...>]: " (string or
#   regex), warning id ]
my @warn = (
    ['null in the server config', "CorsAllowOrigin null https://a.example",
        'CorsAllowOrigin null https://a.example', 'CORS0201',
        'CorsAllowOrigin null allows every sandboxed iframe and local file, '
      . 'whatever its site: list the real origins instead'],
    ['null in a <Location>',
        "<Location /x>\nCorsAllowOrigin https://a.example null\n</Location>",
        'CorsAllowOrigin https://a.example null', 'CORS0201',
        'CorsAllowOrigin null allows every sandboxed iframe and local file, '
      . 'whatever its site: list the real origins instead'],
    ['regex with an unescaped dot',
        "<Location /x>\nCorsAllowOriginMatch https://app.example.com\n</Location>",
        'CorsAllowOriginMatch https://app.example.com', 'CORS0202',
        qr/^\QCorsAllowOriginMatch 'https:\/\/app.example.com' may match more hosts than meant: an unescaped '.' matches any character ('app.example' also matches 'appxexample'): write '\E/],
    ['regex with .* right before a name',
        "<Location /x>\nCorsAllowOriginMatch https://.*example\\.com\n</Location>",
        'CorsAllowOriginMatch https://.*example\\.com', 'CORS0202',
        qr/^CorsAllowOriginMatch 'https:\/\/\.\*example\\\\?\.com' may match more hosts than meant: \Q'.*' or '.+' right before a name also matches longer host names ('.*example' matches 'evilexample'): write '\E/],
    ['regex with .+ right before a name',
        "<Directory /srv>\nCorsAllowOriginMatch ^https://.+example\\.org\$\n</Directory>",
        'CorsAllowOriginMatch ^https://.+example\\.org$', 'CORS0202',
        qr/^CorsAllowOriginMatch '\^https:\/\/\.\+example\\\\?\.org\$' may match more hosts than meant: \Q'.*' or '.+' right before a name\E/],
    ['http:// origin with credentials',
        "<Location /x>\nCorsAllowOrigin https://a.example http://b.example\nCorsAllowCredentials On\n</Location>",
        'CorsAllowOrigin https://a.example http://b.example', 'CORS0203',
        "http:// origins are allowed with CorsAllowCredentials On; anyone on "
      . "the network path can run script in an http:// page and use the "
      . "user's credentials: allow only https:// origins"],
    ['CorsMaxAge 86400',
        "<Location /x>\nCorsAllowOrigin https://a.example\nCorsMaxAge 86400\n</Location>",
        'CorsMaxAge 86400', 'CORS0204',
        'CorsMaxAge 86400 is more than browsers honour (Chromium caps it at '
      . '7200 seconds): write CorsMaxAge 7200'],
    ['CorsMaxAge 7201 in a virtual host',
        "<VirtualHost 127.0.0.1:*>\nCorsAllowOrigin https://a.example\nCorsMaxAge 7201\n</VirtualHost>",
        'CorsMaxAge 7201', 'CORS0204',
        'CorsMaxAge 7201 is more than browsers honour (Chromium caps it at '
      . '7200 seconds): write CorsMaxAge 7200'],
    ['CorsAllowHeaders * with credentials, without Authorization',
        "<Location /x>\nCorsAllowOrigin https://a.example\nCorsAllowCredentials On\nCorsAllowHeaders * X-Foo\n</Location>",
        'CorsAllowHeaders * X-Foo', 'CORS0205',
        'CorsAllowHeaders * never covers Authorization, which credentialed '
      . 'clients often send: write CorsAllowHeaders * Authorization'],
    ['forbidden methods, one line',
        "<Location /x>\nCorsAllowOrigin https://a.example\nCorsAllowMethods GET TRACE PUT,CONNECT track\n</Location>",
        'CorsAllowMethods GET TRACE PUT,CONNECT track', 'CORS0206',
        'CorsAllowMethods lists TRACE, CONNECT, track, which browsers never '
      . 'send from a script (forbidden methods, Fetch standard): remove them'],
    ['forbidden request headers, with Cookie',
        "CorsAllowOrigin https://a.example\nCorsAllowHeaders Content-Type Cookie Host Sec-Fetch-Mode Proxy-Authorization X-Token",
        'CorsAllowHeaders Content-Type Cookie Host Sec-Fetch-Mode Proxy-Authorization X-Token',
        'CORS0207',
        'CorsAllowHeaders lists Cookie, Host, Sec-Fetch-Mode, '
      . 'Proxy-Authorization, which only the browser sets and a script never '
      . 'can (forbidden request-header names, Fetch standard; cookies are '
      . 'sent with CorsAllowCredentials On): remove them'],
    ['one forbidden request header in a <Directory>',
        "<Directory /srv>\nCorsAllowHeaders X-Token dnt\n</Directory>",
        'CorsAllowHeaders X-Token dnt', 'CORS0207',
        'CorsAllowHeaders lists dnt, which only the browser sets and a script '
      . 'never can (forbidden request-header names, Fetch standard): remove it'],
    ['Set-Cookie exposed',
        "<Location /x>\nCorsAllowOrigin https://a.example\nCorsExposeHeaders X-Id Set-Cookie\n</Location>",
        'CorsExposeHeaders X-Id Set-Cookie', 'CORS0208',
        'CorsExposeHeaders lists Set-Cookie, which browsers never expose to a '
      . 'script (forbidden response-header names, Fetch standard): remove it'],
);

# Configurations with nothing to warn about, each next to a warning above.
my @clean = (
    ['every directive, https:// with credentials', <<'CONF'],
CorsAllowOrigin https://a.example https://*.example.com http://localhost:*
CorsAllowOriginMatch ^https://review-[0-9]+\.example\.net$
CorsAllowOriginMatch https://(x|y)\.c\.example
<Location /x>
    CorsAllowOrigin https://a.example https://*.example.org:8443
    CorsAllowMethods GET PUT DELETE
    CorsAllowHeaders * Authorization
    CorsExposeHeaders X-Request-Id
    CorsAllowCredentials On
    CorsMaxAge 7200
    CorsAllowPrivateNetwork On
    CorsBackendHeaders Keep
</Location>
CONF
    ['the rewrites the warnings suggest', <<'CONF'],
CorsAllowOriginMatch https://([a-z0-9-]+\.)*example\.com
CorsAllowOriginMatch https://app\.example\.com
CorsMaxAge 7200
CONF
    ['http:// origins and `*` headers without credentials', <<'CONF'],
<Location /x>
    CorsAllowOrigin http://a.example http://localhost:8080
    CorsAllowHeaders *
    CorsMaxAge 0
</Location>
CONF
    ['regexes with escaped dots, classes and quantifiers', <<'CONF'],
CorsAllowOriginMatch ^https://[a-z]+\.example\.com$ https://a\.b\.example(:[0-9]+)?
CorsAllowOriginMatch https://(.*\.)?example\.net https://x[.]example
CONF
    ['names close to the forbidden ones', <<'CONF'],
CorsAllowOrigin https://a.example
CorsAllowMethods GET PUT PATCH DELETE OPTIONS CONNECTX TRACED
CorsAllowHeaders Content-Type Accept Authorization X-Sec-Token Proxy Secret
CorsAllowHeaders X-Cookie Hostname Origin-Trial Via-Proxy DNT-Policy TEX
CorsExposeHeaders X-Set-Cookie Set-Cookie-Policy Cookie ETag Content-Length
CONF
);

# Every forbidden name of the Fetch standard, as the README lists them.
my @forbidden_methods = qw(CONNECT TRACE TRACK);
my @forbidden_request = qw(Accept-Charset Accept-Encoding
    Access-Control-Request-Headers Access-Control-Request-Method Connection
    Content-Length Cookie Cookie2 Date DNT Expect Host Keep-Alive Origin
    Referer Set-Cookie TE Trailer Transfer-Encoding Upgrade Via
    Proxy-Authorization Proxy-Connection Sec-Fetch-Site Sec-CH-UA);
my @forbidden_response = qw(Set-Cookie Set-Cookie2);

plan tests => 1 + 7 * @warn + 2 + 3 * @clean + 6 + 3 + 3 + 4;

ok -f $so, "module built: $so";

for my $w (@warn) {
    my ($name, $body, $directive, $id, $want) = @$w;
    my ($rc, $out, $file) = check_config($body);
    is $rc, 0, "$name: apache2 -t exits 0" or diag $out;
    like $out, qr/^Syntax OK$/m, "$name: Syntax OK" or diag $out;
    my @w = warnings_in($out);
    is scalar(@w), 1, "$name: exactly one CORS02 warning" or diag $out;
    my ($level, $msg) = @{ $w[0] // [] };
    is $level, 'warn', "$name: at level warn";
    my $where = at($file, $directive);
    $msg //= '';
    like $msg, qr/^\Q$id: $where: \E/, "$name: $id names $where"
        or diag $out;
    (my $text = $msg) =~ s/^\Q$id: $where: \E//;
    if (ref $want) {
        like $text, $want, "$name: message";
    }
    else {
        is $text, $want, "$name: message";
    }
    like $text, qr/(?:write|list|allow only|remove) \S.*$/, "$name: says what to write instead";
}

# The regex advice as printed must be a regex that works. httpd escapes
# every backslash of an error-log message (ap_escape_errorlog_item), so the
# advice spells a literal dot "[.]", which survives the log as written.
{
    my ($rc, $out) = check_config("CorsAllowOriginMatch https://app.example.com");
    my ($w) = warnings_in($out);
    my $msg = $w ? $w->[1] : '';
    like $msg, qr/: write '\[\.\]' for a literal dot$/,
        "CORS0202 unescaped dot: the advice reads write '[.]'"
        or diag $out;
    ($rc, $out) = check_config("CorsAllowOriginMatch https://.*example\\.com");
    ($w) = warnings_in($out);
    $msg = $w ? $w->[1] : '';
    like $msg, qr/: write '\(\[a-z0-9-\]\+\[\.\]\)\*example'$/,
        "CORS0202 .* before a name: the advice reads write '([a-z0-9-]+[.])*example'"
        or diag $out;
}

for my $c (@clean) {
    my ($name, $body) = @$c;
    my ($rc, $out) = check_config($body);
    is $rc, 0, "clean, $name: exits 0" or diag $out;
    like $out, qr/^Syntax OK$/m, "clean, $name: Syntax OK" or diag $out;
    unlike $out, qr/CORS02/, "clean, $name: no CORS02 warning" or diag $out;
}

# Everything at once: each warning once, in one run, each naming its own
# line (the checks look at each scope on its own).
{
    my ($rc, $out, $file) = check_config(join "\n", map { $_->[1] } @warn);
    is $rc, 0, 'all at once: exits 0' or diag $out;
    my @w = warnings_in($out);
    is scalar(@w), scalar(@warn), 'all at once: one warning per case'
        or diag $out;
    my %ids;
    $ids{ ($_->[1] =~ /^(CORS02\d\d)/)[0] // '' }++ for @w;
    is_deeply \%ids, { CORS0201 => 2, CORS0202 => 3, CORS0203 => 1,
                       CORS0204 => 2, CORS0205 => 1, CORS0206 => 1,
                       CORS0207 => 2, CORS0208 => 1 },
        'all at once: ids' or diag $out;
    my %lines = map { (($_->[1] =~ /^CORS02\d\d: \Q$file\E:(\d+)/)[0] // 0) => 1 } @w;
    is scalar(keys %lines), scalar(@warn), 'all at once: each names its own line'
        or diag $out;
    ok !grep({ !defined $_->[0] || $_->[0] ne 'warn' } @w), 'all at once: all at warn';
    like $out, qr/^Syntax OK$/m, 'all at once: Syntax OK';
}

# A policy written over several lines: each warning points at the line
# that holds what it warns about, not at the policy's first line.
{
    my @body = ('<Location /several>',
                '    CorsAllowOrigin https://a.example',
                '    CorsAllowOrigin null',
                '    CorsAllowOriginMatch https://x.example',
                '    CorsAllowOrigin http://h.example',
                '    CorsAllowCredentials On',
                '</Location>');
    my ($rc, $out, $file) = check_config(join "\n", @body);
    # check_config writes 8 lines before the body
    my %line = map { $body[$_] =~ /(null|Match|http:)/ ? ($1 => 9 + $_) : () }
               0 .. $#body;
    my %where = map { /^(CORS02\d\d): \Q$file\E:(\d+) in <Location \/several>:/
                      ? ($1 => $2) : () }
                map { $_->[1] } warnings_in($out);
    is $where{CORS0201}, $line{null}, 'several lines: CORS0201 points at the null line'
        or diag $out;
    is $where{CORS0202}, $line{Match}, 'several lines: CORS0202 points at the regex line'
        or diag $out;
    is $where{CORS0203}, $line{'http:'}, 'several lines: CORS0203 points at the http:// line'
        or diag $out;
}


# Each forbidden name is caught, whatever its case, and one warning per
# line names all of a line's names, in the order written.
{
    my @body = ('<Location /forbidden>',
                '    CorsAllowOrigin https://a.example',
                '    CorsAllowMethods GET ' . join(' ', map { lc } @forbidden_methods),
                '    CorsAllowHeaders X-Ok ' . join(' ', @forbidden_request),
                '    CorsExposeHeaders X-Id ' . join(',', map { uc } @forbidden_response),
                '</Location>');
    my ($rc, $out, $file) = check_config(join "\n", @body);
    my %msg = map { $_->[1] =~ /^(CORS020[678]): (.*)$/ ? ($1 => $2) : () }
              warnings_in($out);
    # check_config writes 8 lines before the body
    my $at = "$file:%d in <Location /forbidden>: ";
    is $msg{CORS0206}, sprintf($at, 11) . 'CorsAllowMethods lists '
        . join(', ', map { lc } @forbidden_methods) . ', which browsers never '
        . 'send from a script (forbidden methods, Fetch standard): remove them',
        'every forbidden method, one warning' or diag $out;
    like $msg{CORS0207} // '', qr/^\Q${\sprintf($at, 12)}CorsAllowHeaders lists \E\Q${\join(', ', @forbidden_request)}\E, which only the browser sets/,
        'every forbidden request-header name, one warning' or diag $out;
    is $msg{CORS0208}, sprintf($at, 13) . 'CorsExposeHeaders lists '
        . join(', ', map { uc } @forbidden_response) . ', which browsers never '
        . 'expose to a script (forbidden response-header names, Fetch '
        . 'standard): remove them',
        'Set-Cookie and Set-Cookie2 exposed, one warning' or diag $out;
}

# Several lines of one scope: one warning for each line, at that line; a
# name repeated on a line is named once.
{
    my @body = ('CorsAllowOrigin https://a.example',
                'CorsAllowHeaders Content-Type Host',
                'CorsAllowHeaders X-Token',
                'CorsAllowHeaders Sec-Foo,sec-foo Origin',
                'CorsExposeHeaders Set-Cookie');
    my ($rc, $out, $file) = check_config(join "\n", @body);
    is $rc, 0, 'several lines: exits 0' or diag $out;
    my @w = map { $_->[1] } warnings_in($out);
    is scalar(@w), 3, 'several lines: three warnings' or diag $out;
    like $w[0] // '', qr/^CORS0207: \Q$file\E:10: CorsAllowHeaders lists Host, which/,
        'several lines: the first names Host at line 10' or diag $out;
    like $w[1] // '', qr/^CORS0207: \Q$file\E:12: CorsAllowHeaders lists Sec-Foo, Origin, which/,
        'several lines: the second names Sec-Foo once and Origin, at line 12'
        or diag $out;
}
