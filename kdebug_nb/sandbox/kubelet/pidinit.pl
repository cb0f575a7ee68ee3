# PID 1 of a sandbox container's own PID namespace: pidinit.py in Perl, used
# when perl is installed because it starts in ~2 ms where Python takes ~15.
# usage: perl pidinit.pl [PROGRAM ARGV0 [ARGS...]]; no arguments: the pause.
#
# Unlike pidinit.py (which tells outside signals from inside ones with
# sigwaitinfo, not available in core Perl without the slow POSIX module),
# the command runs in a process group of its own and init forwards every
# TERM/INT/HUP/QUIT/USR1/USR2/WINCH it gets to that group, so the command
# sees each signal once whether the kubelet signalled the container's group
# or someone ran `kill 1` inside. Exit code: the command's, 128+n for signal n.
use strict;
use warnings;

my @forwarded = qw(TERM INT HUP QUIT USR1 USR2 WINCH);
my $child = 0;
# A signal that arrives before the command's pid is known (between the fork
# and the assignment below) is remembered and forwarded once it is: the
# kubelet may TERM the container as soon as it reports it Running.
my @pending;
$SIG{$_} = sub { $child ? kill("-$_[0]", $child) : push(@pending, $_[0]) } for @forwarded;

# What ps shows (like proctitle.py): rewrite our argument area through
# /proc/self/mem, as Perl's own $0 stops at the first NUL. Best effort.
sub title {
    my @words = @_;
    open(my $stat, '<', '/proc/self/stat') or return;
    my $line = <$stat>;
    close($stat);
    $line =~ s/.*\)//s;
    my @fields = split(' ', $line);
    my ($start, $end) = @fields[45, 46];
    return unless $end && $end > $start;
    my $text = substr(join("\0", @words), 0, $end - $start - 1);
    if (open(my $mem, '+<:raw', '/proc/self/mem')) {
        sysseek($mem, $start, 0) and syswrite($mem, $text . ("\0" x ($end - $start - length($text))));
        close($mem);
    }
    if (open(my $comm, '>', '/proc/self/comm')) {
        (my $name = $words[0]) =~ s{.*/}{};
        print $comm substr($name, 0, 15);
        close($comm);
    }
}

if (@ARGV >= 2) {
    my ($program, @argv) = @ARGV;
    title('/init', '--', @argv);
    my $pid = fork();
    die "init: fork: $!\n" unless defined $pid;
    if ($pid == 0) {
        setpgrp(0, 0);
        $SIG{$_} = 'DEFAULT' for @forwarded;
        { no warnings 'exec'; exec { $program } @argv; }
        print STDERR "$argv[0]: $!\n";
        exit 127;
    }
    setpgrp($pid, $pid);    # both sides, so a signal right after fork finds the group
    $child = $pid;
    kill("-$_", $child) for splice(@pending);
} else {
    title('/pause');
    $SIG{CHLD} = sub { };    # wakes the sleep below: an orphan to reap
}

while (1) {
    my $pid = waitpid(-1, 0);
    if ($pid == -1) {
        exit 0 if $child;    # cannot happen: the command is ours until reaped
        sleep 3600;          # the pause, nothing to reap yet
        next;
    }
    if ($child && $pid == $child) {
        exit(($? & 127) ? 128 + ($? & 127) : $? >> 8);
    }
}
