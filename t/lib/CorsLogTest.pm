package CorsLogTest;

# Helpers for the tests of issue 4 (t/logging.t, t/cors_info.t,
# t/cors_result_env.t), next to CorsTest:
#   use FindBin; use lib "$FindBin::Bin/lib"; use CorsTest; use CorsLogTest;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use Time::HiRes ();
use Apache::Test ();
use CorsTest qw(error_log_since);

our @EXPORT = qw(conf_at cors_lines cors_lines_in file_size
                 file_since wait_for_line);

# Where mod_cors says a directive was set: "FILE:LINE in <SECTION>", for
# the first DIRECTIVE line (any case) inside the section whose opening line
# is exactly SECTION (e.g. '<Location /logging/origin>') in the generated
# t/conf/FILE (logging.conf unless given).
sub conf_at {
    my ($section, $directive, $name) = @_;
    my $file = Apache::Test::vars('t_conf') . '/' . ($name // 'logging.conf');
    open my $fh, '<', $file or die "conf_at: $file: $!\n";
    my ($inside, $n) = (0, 0);
    while (my $line = <$fh>) {
        $n++;
        $line =~ s/^\s+|\s+$//g;
        if ($line eq $section) {
            $inside = 1;
            next;
        }
        next unless $inside;
        last if $line =~ m{^</};
        return "$file:$n in $section" if $line =~ /^\Q$directive\E\s/i;
    }
    die "conf_at: no $directive in $section in $file\n";
}

# mod_cors's lines in t/logs/error_log since byte offset $from, each as
# [level, message], the message from its "CORSnnnn:" id on.
sub cors_lines { return cors_lines_in(error_log_since(shift)) }

# The same from error-log text.
sub cors_lines_in {
    my $text = shift;
    return map {
        /\[cors:(\w+)\].*?(CORS\d{4}: .*)$/ ? [$1, $2] : [undef, $_]
    } grep { /\[cors:/ } split /\n/, $text;
}

sub file_size { return -s $_[0] || 0 }

# Text of $file from byte offset $from on.
sub file_since {
    my ($file, $from) = @_;
    open my $fh, '<', $file or return '';
    seek $fh, $from, 0;
    local $/;
    my $text = <$fh>;
    return $text // '';
}

# Waits up to 5 seconds for a line of $file (from offset $from) matching
# $re (access logs are written after the response); returns it or undef.
sub wait_for_line {
    my ($file, $from, $re) = @_;
    for (1 .. 50) {
        my ($line) = grep { $_ =~ $re } split /\n/, file_since($file, $from);
        return $line if defined $line;
        Time::HiRes::sleep(0.1);
    }
    return undef;
}

1;
