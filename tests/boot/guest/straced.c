/* System calls whose strace lines are known: tests/boot/test_strace.py runs this under
 * `--kopt strace` and, built for the host, under the host's strace(1), and compares the lines
 * between the two marker calls. Every argument shown is the same on both: relative paths in the
 * directory given as argv[1], no addresses but the ones strace shows as NULL, and the *at calls
 * (x86-64 has older forms that glibc would use there). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    faccessat(AT_FDCWD, "strace-begin", F_OK, 0);
    open("no/such/file", O_RDONLY | O_CLOEXEC);
    int fd = open("out", O_WRONLY | O_CREAT | O_TRUNC, 0640);
    write(fd, "hello\n\tworld \"quoted\" \\ and a long tail of text", 48);
    write(fd, "\0\1\x7f\x80\xff" "7", 6);
    close(fd);
    struct stat st;
    stat("out", &st);
    fd = openat(AT_FDCWD, "out", O_RDONLY | O_NONBLOCK);
    char buf[64];
    read(fd, buf, 5);
    lseek(fd, 2, SEEK_CUR);
    pread(fd, buf, 3, 6);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    close(fd);
    close(fd);
    mkdirat(AT_FDCWD, "dir", 0755);
    unlinkat(AT_FDCWD, "dir", AT_REMOVEDIR);
    unlinkat(AT_FDCWD, "out", 0);

    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(0), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    bind(s, (struct sockaddr *)&in, sizeof(in));
    int u = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un un = { .sun_family = AF_UNIX, .sun_path = "no-such-socket" };
    connect(u, (struct sockaddr *)&un, sizeof(un.sun_family) + strlen(un.sun_path) + 1);
    int p[2];
    pipe2(p, O_CLOEXEC);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLET, .data.u64 = 7 };
    epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev);
    struct epoll_event got[4];
    epoll_pwait(ep, got, 4, 0, NULL);
    struct timespec ts = { 0, 1000 };
    nanosleep(&ts, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    mprotect(NULL, 0, PROT_READ | PROT_WRITE);
    faccessat(AT_FDCWD, "strace-end", R_OK | W_OK, 0);
    return 3;
}
