# Perl with sockets, fork and pipes (run by tests/boot/test_interpreters.py, also on Linux):
# only the parent prints, so the output does not depend on which process runs first.
use strict; use IO::Socket::INET;
my $srv = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 5, ReuseAddr => 1)
    or die "listen: $!";
my $pid = fork // die "fork: $!";
if ($pid == 0) {
    my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $srv->sockport) or die "connect: $!";
    print $c "hello from the child\n";
    exit(<$c> eq "ok\n" ? 7 : 1);
}
my $conn = $srv->accept;
print "parent got: ", scalar <$conn>;
print $conn "ok\n";
close $conn;
waitpid($pid, 0);
print "child exit: ", $? >> 8, "\n";
pipe(my $r, my $w);
if (!fork) { close $r; print $w "via a pipe\n"; exit 0 }
close $w;
print "pipe: ", scalar <$r>;
wait;
printf "%.3f %s\n", 3.14159, join(",", map { $_ * 2 } 1..5);
