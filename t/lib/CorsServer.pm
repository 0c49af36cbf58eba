package CorsServer;

# A second, throwaway httpd for the tests that need what the Apache::Test
# server cannot give in the same run, such as another LoadModule order
# (t/exempt.t). It runs as the user running the tests, on a free loopback
# port, from a temporary directory, and is stopped by its PID when the
# object goes away (or at exit).
#
#   my $srv = CorsServer->start(name => 'cors-first', body => $conf);
#   $srv->url('/x'); $srv->error_log; $srv->port;

use strict;
use warnings FATAL => 'all';

use File::Temp ();
use IO::Socket::INET ();
use Time::HiRes ();
use Apache::Test ();

my $mods = '/usr/lib/apache2/modules';

# A free port: bound once on 127.0.0.1, then released for httpd.
sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1)
        or die "CorsServer: no free port: $!\n";
    my $port = $s->sockport;
    close $s;
    return $port;
}

# start(name => NAME, modules => [so, ...], body => CONFIG TEXT): loads
# mpm_event, then the modules in the order given (a name ending in
# mod_cors.so is taken as a path), then BODY.
sub start {
    my ($class, %arg) = @_;
    my $dir = File::Temp::tempdir("cors-$arg{name}-XXXXXX", TMPDIR => 1,
                                  CLEANUP => 1);
    my $port = free_port();
    my $load = join '', map {
        my ($so, $id) = @$_;
        my $path = $so =~ m{/} ? $so : "$mods/$so";
        "LoadModule $id $path\n";
    } @{ $arg{modules} };
    my $file = "$dir/httpd.conf";
    open my $fh, '>', $file or die "CorsServer: $file: $!\n";
    print $fh <<"CONF";
ServerRoot "$dir"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
DefaultRuntimeDir "$dir"
PidFile "$dir/httpd.pid"
ErrorLog "$dir/error_log"
LogLevel warn
LoadModule mpm_event_module $mods/mod_mpm_event.so
StartServers 1
ServerLimit 1
ThreadsPerChild 10
MinSpareThreads 1
MaxSpareThreads 10
$load
$arg{body}
CONF
    close $fh;
    my $httpd = Apache::Test::vars('httpd');
    my $out = `'$httpd' -f '$file' -k start 2>&1`;
    die "CorsServer: $httpd -f $file -k start failed: $out\n" if $?;
    my $self = bless { dir => $dir, port => $port, file => $file }, $class;
    for (1 .. 100) {
        if (-s "$dir/httpd.pid"
            && IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port")) {
            open my $p, '<', "$dir/httpd.pid" or last;
            ($self->{pid}) = <$p> =~ /(\d+)/;
            return $self;
        }
        Time::HiRes::sleep(0.1);
    }
    die "CorsServer: $arg{name} did not start on port $port; see $dir/error_log\n";
}

sub port      { $_[0]{port} }
sub error_log { "$_[0]{dir}/error_log" }
sub url       { "http://127.0.0.1:$_[0]{port}$_[1]" }

sub stop {
    my $self = shift;
    my $pid = delete $self->{pid} or return;
    kill 'TERM', $pid;
    for (1 .. 100) {
        last unless kill 0, $pid;
        Time::HiRes::sleep(0.1);
    }
}

sub DESTROY { $_[0]->stop }

1;
