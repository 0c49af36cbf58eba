package CorsConfigTest;

# `apache2 -t` on minimal configurations, for the tests that start no
# server (t/directives_config.t, t/warnings.t):
#   use FindBin; use lib "$FindBin::Bin/lib"; use CorsConfigTest;
# Kept apart from CorsTest, which needs LWP.

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use File::Basename ();
use File::Temp ();
use Apache::Test ();

our @EXPORT = qw(mod_cors_so check_config);

my $mods = '/usr/lib/apache2/modules';

# The module under test: .libs/mod_cors.so, or CORS_TEST_SO (t/TEST.PL).
sub mod_cors_so {
    return Apache::Test::vars('cors_so');
}

my ($tmp, $n);

# check_config(BODY): writes a config that loads mod_cors followed by BODY
# to a directory of its own (under a temporary directory removed at exit)
# and runs `httpd -t` on it: (exit code, output, config file).
sub check_config {
    my $body = shift;
    $tmp //= File::Temp::tempdir(
        'cors-' . File::Basename::basename($0, '.t') . '-XXXXXX',
        TMPDIR => 1, CLEANUP => 1);
    my $dir = "$tmp/" . ++$n;
    mkdir $dir or die "mkdir $dir: $!";
    my $port = 20000 + $n;
    my $so = mod_cors_so();
    my $file = "$dir/httpd.conf";
    open my $fh, '>', $file or die "$file: $!";
    print $fh <<"CONF";
ServerRoot "$dir"
ServerName localhost
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule cors_module $so
DefaultRuntimeDir "$dir"
PidFile "$dir/httpd.pid"
ErrorLog "$dir/error_log"
Listen 127.0.0.1:$port
$body
CONF
    close $fh;
    my $httpd = Apache::Test::vars('httpd');
    my $out = `'$httpd' -t -f '$file' 2>&1`;
    return ($? >> 8, $out, $file);
}

1;
