/* I/O conformance sweep: `ioconf DIR` works inside DIR (/tmp in the unikernel, a fresh tmpfs
 * directory for the oracle: this program under qemu-aarch64-static on the host's kernel) and
 * prints, section by section, what each call answered. Every wait is bounded (alarm backstop);
 * only pids it forked are signalled. Nothing that differs between two correct kernels is
 * printed (inode numbers, pids, times). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe_print.h"

static void revents(const char *what, int fd, short events)
{
    struct pollfd p = { fd, events, 0 };
    int n = poll(&p, 1, 0);
    say("   %s: poll %d revents %#x\n", what, n, p.revents);
}

static void dtype_of(const char *name)
{
    DIR *d = opendir(".");
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (!strcmp(e->d_name, name))
            say("   getdents %s: d_type %d\n", name, e->d_type);
    if (d)
        closedir(d);
}

/* A child that opens `path` with `flags` after a short sleep, writes `text` when it may write,
 * and exits; the parent's blocking open waits for it. */
static pid_t partner(const char *path, int flags, const char *text)
{
    pid_t pid = fork();
    if (pid == 0) {
        alarm(10);
        usleep(100 * 1000);
        int fd = open(path, flags);
        if (fd >= 0 && text && write(fd, text, strlen(text)) < 0)
            _exit(3);
        usleep(100 * 1000);
        _exit(fd >= 0 ? 0 : 2);
    }
    return pid;
}

static void reap(const char *what, pid_t pid)
{
    int st = 0;
    waitpid(pid, &st, 0);
    say("   %s: partner exit %d\n", what, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

static void section_fifo_nodes(void)
{
    say("1. FIFO nodes\n");
    r("mkfifo f", mkfifo("f", 0640));
    r("mkfifo f again", mkfifo("f", 0640));
    r("mknod g S_IFIFO", mknod("g", S_IFIFO | 0600, 0));
    r("mkfifo missing/x", mkfifo("missing/x", 0600));
    struct stat st;
    r("stat f", stat("f", &st));
    say("   mode %o nlink %lu size %lld rdev %u:%u\n", st.st_mode, (unsigned long)st.st_nlink, (long long)st.st_size,
        major(st.st_rdev), minor(st.st_rdev));
    dtype_of("f");
    int fd = open("f", O_RDONLY | O_NONBLOCK);
    r("open O_RDONLY|O_NONBLOCK", fd);
    struct stat fst;
    r("fstat", fstat(fd, &fst));
    say("   fstat same node %d mode %o\n", fst.st_ino == st.st_ino && fst.st_dev == st.st_dev, fst.st_mode);
    r("lseek", lseek(fd, 0, SEEK_SET));
    r("F_GETPIPE_SZ", fcntl(fd, F_GETPIPE_SZ));
    r("F_GETFL accmode", fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK));
    char c;
    r("read, no writer ever", read(fd, &c, 1));
    revents("no writer yet", fd, POLLIN);
    r("open O_PATH", open("f", O_PATH));
    char link[64], target[256] = "";
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t len = readlink(link, target, sizeof target - 1);
    say("   /proc/self/fd link ends in /f: %d\n", len > 2 && !strcmp(target + len - 2, "/f"));
    r("fsync", fsync(fd));
    r("ftruncate", ftruncate(fd, 0));
    r("fchmod 0600", fchmod(fd, 0600));
    r("stat after fchmod", stat("f", &st));
    say("   mode %o\n", st.st_mode);
    r("mmap", mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED ? -1 : 0);
    r("write on O_RDONLY", write(fd, "x", 1));
    r("unlink g", unlink("g"));
    close(fd);
}

static void section_fifo_open(void)
{
    say("2. FIFO opens\n");
    r("open O_WRONLY|O_NONBLOCK, no reader", open("f", O_WRONLY | O_NONBLOCK));
    int rw = open("f", O_RDWR);
    r("open O_RDWR", rw);
    r("write on O_RDWR", write(rw, "ab", 2));
    char buf[16];
    r("read on O_RDWR", read(rw, buf, sizeof buf));
    int w = open("f", O_WRONLY | O_NONBLOCK);
    r("open O_WRONLY|O_NONBLOCK, O_RDWR reads", w);
    close(w);
    close(rw);

    pid_t pid = partner("f", O_WRONLY, "hello");
    int fd = open("f", O_RDONLY);
    r("blocking O_RDONLY until a writer", fd >= 0 ? 0 : -1);
    ssize_t n = read(fd, buf, sizeof buf);
    say("   read %zd '%.*s'\n", n, n > 0 ? (int)n : 0, buf);
    r("read after the writer left (EOF)", read(fd, buf, sizeof buf));
    revents("writer gone", fd, POLLIN);
    reap("reader", pid);
    close(fd);

    pid = partner("f", O_RDONLY, NULL);
    fd = open("f", O_WRONLY);
    r("blocking O_WRONLY until a reader", fd >= 0 ? 0 : -1);
    reap("writer", pid);
    signal(SIGPIPE, SIG_IGN);
    r("write after the reader left", write(fd, "x", 1));
    revents("reader gone", fd, POLLOUT);
    close(fd);
    signal(SIGPIPE, SIG_DFL);
}

static void section_fifo_sharing(void)
{
    say("3. FIFO sharing\n");
    int r1 = open("f", O_RDONLY | O_NONBLOCK);
    int r2 = open("f", O_RDONLY | O_NONBLOCK);
    int w1 = open("f", O_WRONLY);
    int w2 = open("f", O_WRONLY | O_NONBLOCK);
    say("   opened %d %d %d %d\n", r1 >= 0, r2 >= 0, w1 >= 0, w2 >= 0);
    r("write w1", write(w1, "one", 3));
    r("write w2", write(w2, "two", 3));
    char buf[16];
    ssize_t n = read(r2, buf, 4);
    say("   read r2 4: %zd '%.*s'\n", n, n > 0 ? (int)n : 0, buf);
    n = read(r1, buf, sizeof buf);
    say("   read r1: %zd '%.*s'\n", n, n > 0 ? (int)n : 0, buf);
    int avail = -1;
    r("FIONREAD empty", ioctl(r1, FIONREAD, &avail));
    say("   FIONREAD %d\n", avail);
    r("F_SETPIPE_SZ 8192 on r1", fcntl(r1, F_SETPIPE_SZ, 8192));
    r("F_GETPIPE_SZ on w2", fcntl(w2, F_GETPIPE_SZ));
    close(w1);
    revents("one writer left", r1, POLLIN);
    r("read, one writer left", read(r1, buf, 1));
    close(w2);
    revents("both writers left", r1, POLLIN);
    r("read, both writers left", read(r1, buf, 1));
    int w3 = open("f", O_WRONLY | O_NONBLOCK);
    r("open O_WRONLY|O_NONBLOCK, readers open", w3);
    revents("a writer again", r1, POLLIN);
    r("write w3", write(w3, "zz", 2));
    close(w3);
    close(r1);
    close(r2);
    /* Every file closed: the next open gets a fresh pipe, its data and size gone. */
    int rw = open("f", O_RDWR | O_NONBLOCK);
    r("fresh pipe: read", read(rw, buf, sizeof buf));
    r("fresh pipe: F_GETPIPE_SZ", fcntl(rw, F_GETPIPE_SZ));
    revents("O_RDWR alone", rw, POLLIN | POLLOUT);
    /* Data written with a reader and writer open, the writer closing: the reader still reads it. */
    int rd = open("f", O_RDONLY | O_NONBLOCK);
    r("write, then close O_RDWR", write(rw, "kept", 4));
    close(rw);
    n = read(rd, buf, sizeof buf);
    say("   read left-over %zd '%.*s'\n", n, n > 0 ? (int)n : 0, buf);
    revents("after the last writer", rd, POLLIN);
    close(rd);
    r("unlink f", unlink("f"));
}

static void on_alarm(int sig) { (void)sig; }

static void section_fifo_signals(void)
{
    say("4. FIFO opens and signals\n");
    r("mkfifo s", mkfifo("s", 0600));
    struct sigaction sa = { 0 };
    sa.sa_handler = on_alarm;          /* no SA_RESTART: the waiting open is EINTR */
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 0 }, { 0, 200 * 1000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    r("blocking O_RDONLY, interrupted", open("s", O_RDONLY));
    setitimer(ITIMER_REAL, &it, NULL);
    r("blocking O_WRONLY, interrupted", open("s", O_WRONLY));
    signal(SIGALRM, SIG_DFL);
    /* The interrupted opens left nothing behind: a non-blocking writer still finds no reader. */
    r("O_WRONLY|O_NONBLOCK afterwards", open("s", O_WRONLY | O_NONBLOCK));
    /* SIGPIPE's default action on a writer whose reader left. */
    pid_t pid = fork();
    if (pid == 0) {
        alarm(10);
        int rd = open("s", O_RDONLY | O_NONBLOCK);
        int w = open("s", O_WRONLY);
        close(rd);
        (void)!write(w, "x", 1);
        _exit(0);
    }
    reap("writer after the reader left", pid);
    /* A FIFO is opened by a path through a symlink, and a FIFO's name can be renamed. */
    r("symlink", symlink("s", "sl"));
    int fd = open("sl", O_RDWR);
    r("open through a symlink", fd >= 0 ? 0 : -1);
    close(fd);
    r("rename", rename("s", "t"));
    r("O_RDWR after rename", (fd = open("t", O_RDWR)) >= 0 ? 0 : -1);
    r("unlink while open", unlink("t"));
    r("write on the unlinked FIFO", write(fd, "q", 1));
    char c = 0;
    r("read it back", read(fd, &c, 1));
    say("   got '%c'\n", c);
    close(fd);
    unlink("sl");
}

static void section_fifo_epoll(void)
{
    say("5. FIFOs with epoll\n");
    r("mkfifo e", mkfifo("e", 0600));
    int rd = open("e", O_RDONLY | O_NONBLOCK);
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 }, out[4];
    r("epoll_ctl ADD reader", epoll_ctl(ep, EPOLL_CTL_ADD, rd, &ev));
    int n = epoll_wait(ep, out, 4, 0);
    say("   no writer yet: %d events %#x\n", n, n > 0 ? out[0].events : 0);
    int w = open("e", O_WRONLY | O_NONBLOCK);
    r("write", write(w, "e", 1));
    n = epoll_wait(ep, out, 4, 0);
    say("   data: %d events %#x\n", n, n > 0 ? out[0].events : 0);
    close(w);
    n = epoll_wait(ep, out, 4, 0);
    say("   writer gone: %d events %#x\n", n, n > 0 ? out[0].events : 0);
    close(ep);
    close(rd);
    unlink("e");
}

static void section_eventfd(void)
{
    say("6. eventfd\n");
    int e = eventfd(0, EFD_NONBLOCK | EFD_SEMAPHORE);
    uint64_t v = 3;
    r("write 3", write(e, &v, 8));
    r("read (semaphore)", read(e, &v, 8));
    say("   value %llu\n", (unsigned long long)v);
    r("read of 4 bytes", read(e, &v, 4));
    v = UINT64_MAX;
    r("write 0xffffffffffffffff", write(e, &v, 8));
    v = UINT64_MAX - 1;
    r("write to the maximum", write(e, &v, 8));
    v = 1;
    r("write past it", write(e, &v, 8));
    revents("full", e, POLLIN | POLLOUT);
    r("write of 4 bytes", write(e, &v, 4));
    close(e);
    r("eventfd bad flags", eventfd(0, 0x10));
}

static void section_descriptors(void)
{
    say("7. dup, dup3, pipe2\n");
    int p[2];
    int bad = pipe2(p, 0x4);
    r("pipe2 bad flags", bad);
    if (!bad) {
        close(p[0]);
        close(p[1]);
    }
    r("pipe2 O_DIRECT", pipe2(p, O_DIRECT | O_NONBLOCK));
    r("write 3", write(p[1], "abc", 3));
    r("write 2", write(p[1], "de", 2));
    char buf[8];
    r("read 8 (one packet)", read(p[0], buf, 8));
    r("read 1 (packet rest dropped)", read(p[0], buf, 1));
    r("read again", read(p[0], buf, 8));
    r("dup3 same fd", dup3(p[0], p[0], 0));
    r("dup3 bad flags", dup3(p[0], 100, O_NONBLOCK));
    r("dup3 O_CLOEXEC", dup3(p[0], 100, O_CLOEXEC));
    r("FD_CLOEXEC", fcntl(100, F_GETFD));
    r("dup2 same fd is that fd", dup2(p[0], p[0]) == p[0] ? 0 : -1);
    r("dup2 bad oldfd", dup2(999, 101));
    close(100);
    close(p[0]);
    close(p[1]);
}

static void node(const char *name)
{
    struct stat st;
    if (lstat(name, &st)) {
        say("   %s: %s\n", name, strerrorname_np(errno));
        return;
    }
    say("   %s: mode %o rdev %u:%u size %lld\n", name, st.st_mode, major(st.st_rdev), minor(st.st_rdev),
        (long long)st.st_size);
    dtype_of(name);
}

static void section_device_nodes(void)
{
    say("8. device and socket nodes\n");
    struct statvfs vfs;
    statvfs(".", &vfs);
    say("   mount nodev: %d\n", !!(vfs.f_flag & ST_NODEV));   /* the test skips this section then */
    r("mknod null S_IFCHR 1:3", mknod("null", S_IFCHR | 0666, makedev(1, 3)));
    node("null");
    int fd = open("null", O_RDWR);
    r("open", fd >= 0 ? 0 : -1);
    r("write", write(fd, "abc", 3));
    char buf[8] = "zzzzzzz";
    r("read", read(fd, buf, sizeof buf));
    struct stat st, nst;
    fstat(fd, &st);
    stat("null", &nst);
    say("   fstat is the node: %d mode %o\n", st.st_ino == nst.st_ino && st.st_dev == nst.st_dev, st.st_mode);
    close(fd);
    r("mknod zero 1:5", mknod("zero", S_IFCHR | 0666, makedev(1, 5)));
    fd = open("zero", O_RDONLY);
    r("read zero", read(fd, buf, 4));
    say("   bytes %d %d %d %d\n", buf[0], buf[1], buf[2], buf[3]);
    close(fd);
    r("mknod full 1:7", mknod("full", S_IFCHR | 0666, makedev(1, 7)));
    fd = open("full", O_WRONLY);
    r("write full", write(fd, "x", 1));
    close(fd);
    r("mknod random 1:8", mknod("random", S_IFCHR | 0666, makedev(1, 8)));
    r("mknod urandom 1:9", mknod("urandom", S_IFCHR | 0666, makedev(1, 9)));
    fd = open("urandom", O_RDONLY);
    r("read urandom", read(fd, buf, 8));
    close(fd);
    fd = open("random", O_RDONLY);
    r("read random", read(fd, buf, 8));
    close(fd);
    r("mknod an unknown char 1000:7", mknod("nochr", S_IFCHR | 0600, makedev(1000, 7)));
    node("nochr");
    r("open it", open("nochr", O_RDONLY));
    r("open it O_PATH", (fd = open("nochr", O_PATH)) >= 0 ? 0 : -1);
    close(fd);
    r("mknod a block node 1000:300000", mknod("blk", S_IFBLK | 0600, makedev(1000, 300000)));
    node("blk");
    r("open it", open("blk", O_RDONLY));
    struct statx sx;
    r("statx blk", statx(AT_FDCWD, "blk", 0, STATX_BASIC_STATS, &sx));
    say("   stx_rdev %u:%u mode %o\n", sx.stx_rdev_major, sx.stx_rdev_minor, sx.stx_mode);
    r("mknod existing", mknod("blk", S_IFCHR | 0600, makedev(1, 3)));
    r("mknod S_IFSOCK", mknod("sock", S_IFSOCK | 0644, 0));
    node("sock");
    r("open it", open("sock", O_RDONLY));
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    strcpy(sun.sun_path, "sock");
    r("connect to it", connect(s, (struct sockaddr *)&sun, sizeof sun));
    r("bind to it", bind(s, (struct sockaddr *)&sun, sizeof sun));
    close(s);
    r("mknod S_IFIFO ignores dev", mknod("fifo", S_IFIFO | 0600, makedev(1, 3)));
    node("fifo");
    struct stat here;
    stat(".", &here);
    chmod(".", here.st_mode | 0111);   /* mkdtemp's 0700 would stop nobody before CAP_MKNOD does */
    mkdir("open", 0777);
    chmod("open", 01777);              /* writable by nobody: only CAP_MKNOD stands in the way */
    pid_t pid = fork();
    if (pid == 0) {
        alarm(10);
        if (setuid(65534))
            _exit(3);
        r("mknod S_IFCHR as nobody", mknod("open/chr", S_IFCHR | 0600, makedev(1, 3)));
        r("mknod S_IFIFO as nobody", mknod("open/fifo", S_IFIFO | 0600, 0));
        _exit(0);
    }
    reap("mknod as nobody", pid);
    unlink("open/fifo");
    rmdir("open");
    chmod(".", here.st_mode & 07777);
    const char *names[] = { "null", "zero", "full", "random", "urandom", "nochr", "blk", "sock", "fifo" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        unlink(names[i]);
}

static void section_poll(void)
{
    say("9. poll, ppoll\n");
    int p[2];
    pipe(p);
    struct pollfd fds[3] = { { -1, POLLIN, 0 }, { 999, POLLIN, 0 }, { p[0], POLLIN, 0 } };
    r("poll: -1, a bad fd, an empty pipe", poll(fds, 3, 0));
    say("   revents %#x %#x %#x\n", fds[0].revents, fds[1].revents, fds[2].revents);
    fds[1].events = 0;
    r("poll: a bad fd asking nothing", poll(&fds[1], 1, 0));
    say("   revents %#x\n", fds[1].revents);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    static struct pollfd many[2];
    r("poll nfds = RLIMIT_NOFILE + 1", poll(many, rl.rlim_cur + 1, 0));
    r("poll nothing, 10 ms", poll(NULL, 0, 10));
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    r("ppoll nothing, 20 ms (raw)", syscall(SYS_ppoll, NULL, 0, &ts, NULL, 8));
    say("   timeout left %ld %ld\n", (long)ts.tv_sec, ts.tv_nsec);
    ts.tv_sec = -1;
    r("ppoll negative timeout", syscall(SYS_ppoll, NULL, 0, &ts, NULL, 8));
    ts = (struct timespec){ 0, 1000 * 1000 * 1000 };
    r("ppoll tv_nsec 1e9", syscall(SYS_ppoll, NULL, 0, &ts, NULL, 8));
    ts = (struct timespec){ 0, 0 };
    r("ppoll sigsetsize 4", syscall(SYS_ppoll, NULL, 0, &ts, &(sigset_t){ 0 }, 4));
    short all = POLLIN | POLLPRI | POLLOUT | POLLRDHUP | POLLRDNORM | POLLWRNORM | POLLRDBAND | POLLWRBAND;
    revents("empty pipe, read end", p[0], all);
    revents("empty pipe, write end", p[1], all);
    write(p[1], "x", 1);
    revents("pipe with data, read end", p[0], all);
    close(p[1]);
    revents("writer closed, read end", p[0], all);
    close(p[0]);
    pipe(p);
    close(p[0]);
    revents("reader closed, write end", p[1], all);
    close(p[1]);
    int f = open("reg", O_RDWR | O_CREAT, 0600);
    revents("regular file", f, all);
    close(f);
    unlink("reg");
    f = open("/dev/null", O_RDWR);
    revents("/dev/null", f, all);
    close(f);
    int e = eventfd(0, 0);
    revents("eventfd 0", e, all);
    uint64_t one = 1;
    write(e, &one, 8);
    revents("eventfd 1", e, all);
    close(e);
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    revents("socketpair", sv[0], all);
    shutdown(sv[1], SHUT_WR);
    revents("peer shut down writing", sv[0], all);
    close(sv[1]);
    revents("peer closed", sv[0], all);
    close(sv[0]);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    revents("unconnected TCP socket", s, all);
    close(s);
}

/* Another thread closes the descriptor a select waits on, then makes the pipe readable. */
static int closing[2];
static void *close_then_write(void *arg)
{
    usleep(50 * 1000);
    close(closing[0]);
    usleep(50 * 1000);
    (void)!write(closing[1], "x", 1);
    return arg;
}

static void section_select(void)
{
    say("10. select, pselect6\n");
    r("select nfds -1", select(-1, NULL, NULL, NULL, &(struct timeval){ 0, 0 }));
    fd_set rd;
    FD_ZERO(&rd);
    int closed = dup(0);               /* the lowest free fd: inside any fd table (bits past its
                                        * size are ignored), and closed in qemu-user's too */
    close(closed);
    FD_SET(closed, &rd);
    r("select a closed fd", select(closed + 1, &rd, NULL, NULL, &(struct timeval){ 0, 0 }));
    struct timeval tv = { 0, 20000 };
    r("select nothing, 20 ms", select(0, NULL, NULL, NULL, &tv));
    say("   timeout left %ld %ld\n", (long)tv.tv_sec, (long)tv.tv_usec);
    tv = (struct timeval){ 0, -1 };
    r("select tv_usec -1", select(0, NULL, NULL, NULL, &tv));
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    r("pselect6 nothing, 20 ms (raw)", syscall(SYS_pselect6, 0, NULL, NULL, NULL, &ts, NULL));
    say("   timeout left %ld %ld\n", (long)ts.tv_sec, ts.tv_nsec);
    int p[2];
    pipe(p);
    write(p[1], "x", 1);
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    fd_set wr;
    FD_ZERO(&wr);
    FD_SET(p[0], &wr);
    FD_SET(p[1], &wr);
    tv = (struct timeval){ 5, 0 };
    r("select a readable pipe and its ends for writing", select(p[1] + 1, &rd, &wr, NULL, &tv));
    say("   read set %d write set %d %d\n", FD_ISSET(p[0], &rd), FD_ISSET(p[0], &wr), FD_ISSET(p[1], &wr));
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    r("select nfds FD_SETSIZE", select(FD_SETSIZE, &rd, NULL, NULL, &(struct timeval){ 0, 0 }));
    /* A handled signal ends select with EINTR, SA_RESTART or not (ERESTARTNOHAND), and an error
     * leaves the caller's sets as they came: CPython's select.select retries with the same sets
     * (asyncio's SelectSelector then waits on the wake-up socket its handler wrote). */
    for (int restart = 0; restart < 2; restart++) {
        struct sigaction sa = { 0 };
        sa.sa_handler = on_alarm;
        sa.sa_flags = restart ? SA_RESTART : 0;
        sigaction(SIGALRM, &sa, NULL);
        int q[2];                      /* p[0] holds a byte: wait on an empty pipe */
        pipe(q);
        FD_ZERO(&rd);
        FD_SET(q[0], &rd);
        FD_ZERO(&wr);
        FD_SET(p[1], &wr);
        struct itimerval it = { { 0, 0 }, { 0, 50 * 1000 } };
        setitimer(ITIMER_REAL, &it, NULL);
        tv = (struct timeval){ 5, 0 };
        r(restart ? "select interrupted, SA_RESTART handler" : "select interrupted",
          select(q[0] + 1, &rd, NULL, NULL, &tv));
        say("   read set kept %d\n", FD_ISSET(q[0], &rd));
        int gone = dup(0);             /* the lowest free fd, as above */
        close(gone);
        FD_SET(gone, &rd);
        int nfds = (q[0] > gone ? q[0] : gone) + 1;
        r("select with a closed fd in the set", select(nfds, &rd, &wr, NULL, &(struct timeval){ 0, 0 }));
        say("   sets kept %d %d %d\n", FD_ISSET(q[0], &rd), FD_ISSET(gone, &rd), FD_ISSET(p[1], &wr));
        close(q[0]);
        close(q[1]);
    }
    signal(SIGALRM, SIG_DFL);
    alarm(60);                         /* the backstop setitimer replaced */
    /* Linux's select holds the file it waits on; a descriptor closed meanwhile reads as ready
     * (DEFAULT_POLLMASK) at the next wake-up */
    pipe(closing);
    FD_ZERO(&rd);
    FD_SET(closing[0], &rd);
    pthread_t t;
    pthread_create(&t, NULL, close_then_write, NULL);
    tv = (struct timeval){ 0, 400 * 1000 };
    r("select on a descriptor another thread closes", select(closing[0] + 1, &rd, NULL, NULL, &tv));
    say("   read set %d\n", FD_ISSET(closing[0], &rd));
    pthread_join(t, NULL);
    close(closing[1]);
    close(p[0]);
    close(p[1]);
}

static int ep_wait(int ep, int timeout)
{
    struct epoll_event out[8];
    int n = epoll_wait(ep, out, 8, timeout);
    if (n < 0)
        return n;
    say("   %d events:", n);
    for (int i = 0; i < n; i++)
        say(" %llu/%#x", (unsigned long long)out[i].data.u64, out[i].events);
    say("\n");
    return n;
}

static void section_epoll(void)
{
    say("11. epoll\n");
    r("epoll_create 0", epoll_create(0));
    r("epoll_create1 bad flags", epoll_create1(1));
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int p[2];
    pipe(p);
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
    r("ADD", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    r("ADD again", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    r("MOD not added", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev));
    r("DEL not added", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], &ev));
    r("ADD a bad fd", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev));
    r("ADD itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
    r("bad op", epoll_ctl(ep, 9, p[0], &ev));
    int f = open("reg", O_RDWR | O_CREAT, 0600);
    r("ADD a regular file", epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev));
    r("epfd not epoll", epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev));
    close(f);
    unlink("reg");
    int ep2 = epoll_create1(0);
    r("ADD ep to ep2", epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &ev));
    r("ADD ep2 to ep (a loop)", epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev));
    struct epoll_event ex = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.u64 = 2 };
    r("ADD EPOLLEXCLUSIVE of an epoll fd", epoll_ctl(ep2, EPOLL_CTL_DEL, ep, NULL) ? -1 : epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &ex));
    r("MOD with EPOLLEXCLUSIVE", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ex));
    ex.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
    r("ADD EPOLLEXCLUSIVE|EPOLLONESHOT", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ex));
    ex.events = EPOLLOUT | EPOLLEXCLUSIVE;
    r("ADD EPOLLEXCLUSIVE write end", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ex));
    r("MOD an EPOLLEXCLUSIVE entry", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev));
    r("DEL it", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    close(ep2);
    struct epoll_event out[2];
    r("maxevents 0", epoll_wait(ep, out, 0, 0));
    int minus_one = -1;
    r("maxevents -1", syscall(SYS_epoll_pwait, ep, out, minus_one, 0, NULL, 8));
    r("epoll_wait on a pipe", epoll_wait(p[0], out, 1, 0));
    ep_wait(ep, 0);
    ev.events = EPOLLIN | EPOLLET;
    r("MOD to EPOLLET", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    write(p[1], "a", 1);
    ep_wait(ep, 0);
    ep_wait(ep, 0);
    write(p[1], "b", 1);
    ep_wait(ep, 0);
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u64 = 3;
    r("MOD to EPOLLONESHOT", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    ep_wait(ep, 0);
    ep_wait(ep, 0);
    r("MOD rearms", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    ep_wait(ep, 0);
    struct timespec ts = { 0, 0 };
    r("epoll_pwait2 0 s", syscall(SYS_epoll_pwait2, ep, out, 2, &ts, NULL, 8));
    ts.tv_nsec = -1;
    r("epoll_pwait2 bad timespec", syscall(SYS_epoll_pwait2, ep, out, 2, &ts, NULL, 8));
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u64 = 4;
    r("ADD a socket with EPOLLRDHUP", epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev));
    ep_wait(ep, 0);
    shutdown(sv[1], SHUT_WR);
    ep_wait(ep, 0);
    close(sv[0]);
    close(sv[1]);
    int q[2];
    pipe(q);
    write(q[1], "c", 1);
    ev.events = EPOLLIN;
    ev.data.u64 = 5;
    r("ADD another pipe", epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev));
    ep_wait(ep, 0);
    close(q[0]);
    ep_wait(ep, 0);
    close(q[1]);
    close(p[0]);
    close(p[1]);
    close(ep);
}

static void section_timerfd(void)
{
    say("12. timerfd\n");
    r("create CLOCK_PROCESS_CPUTIME_ID", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
    r("create bad flags", timerfd_create(CLOCK_MONOTONIC, 1));
    int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    uint64_t n = 0;
    r("read disarmed", read(t, &n, 8));
    struct itimerspec its = { { 0, 0 }, { 0, 50 * 1000 * 1000 } }, old, cur;
    r("settime 50 ms", timerfd_settime(t, 0, &its, &old));
    say("   old %ld %ld\n", (long)old.it_value.tv_sec, old.it_value.tv_nsec);
    r("gettime", timerfd_gettime(t, &cur));
    say("   armed, at most 50 ms: %d\n", cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 50 * 1000 * 1000);
    r("read of 4 bytes", read(t, &n, 4));
    struct pollfd pf = { t, POLLIN, 0 };
    r("poll until it fires", poll(&pf, 1, 5000));
    r("read", read(t, &n, 8));
    say("   expirations %llu\n", (unsigned long long)n);
    r("read again", read(t, &n, 8));
    r("gettime after", timerfd_gettime(t, &cur));
    say("   value %ld %ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    its.it_value = now;
    its.it_value.tv_sec -= 1;
    r("TFD_TIMER_ABSTIME in the past", timerfd_settime(t, TFD_TIMER_ABSTIME, &its, NULL));
    r("read", read(t, &n, 8));
    say("   expirations %llu\n", (unsigned long long)n);
    r("settime bad flags", timerfd_settime(t, 4, &its, NULL));
    its.it_value.tv_nsec = 1000 * 1000 * 1000;
    r("settime tv_nsec 1e9", timerfd_settime(t, 0, &its, NULL));
    its = (struct itimerspec){ { 0, 5 * 1000 * 1000 }, { 0, 5 * 1000 * 1000 } };
    r("settime periodic 5 ms", timerfd_settime(t, 0, &its, NULL));
    usleep(30 * 1000);
    r("read", read(t, &n, 8));
    say("   expired at least twice: %d\n", n >= 2);
    its = (struct itimerspec){ { 0, 0 }, { 0, 0 } };
    r("disarm", timerfd_settime(t, 0, &its, &old));
    say("   old interval %ld %ld\n", (long)old.it_interval.tv_sec, old.it_interval.tv_nsec);
    close(t);
    t = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
    its.it_value.tv_sec = 1;
    r("TFD_TIMER_CANCEL_ON_SET without ABSTIME", timerfd_settime(t, TFD_TIMER_CANCEL_ON_SET, &its, NULL));
    clock_gettime(CLOCK_REALTIME, &now);
    its.it_value.tv_sec = now.tv_sec + 3600;
    r("ABSTIME|CANCEL_ON_SET", timerfd_settime(t, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL));
    r("read", read(t, &n, 8));
    close(t);
    r("settime on a pipe", timerfd_settime(0 + 999, 0, &its, NULL));
}

static void section_signalfd(void)
{
    say("13. signalfd\n");
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigprocmask(SIG_BLOCK, &m, NULL);
    r("bad flags", signalfd(-1, &m, 1));
    long bad = syscall(SYS_signalfd4, -1, &m, 4, 0);
    r("bad sizemask", bad);
    if (bad >= 0)
        close(bad);
    int s = signalfd(-1, &m, SFD_NONBLOCK);
    struct signalfd_siginfo si;
    r("read, nothing pending", read(s, &si, sizeof si));
    raise(SIGUSR1);
    r("read of 64 bytes", read(s, &si, 64));
    revents("pending", s, POLLIN);
    r("read", read(s, &si, sizeof si));
    say("   signo %u code %d pid is ours %d uid %u errno %d\n", si.ssi_signo, si.ssi_code, si.ssi_pid == (uint32_t)getpid(),
        si.ssi_uid, si.ssi_errno);
    sigaddset(&m, SIGUSR2);
    sigprocmask(SIG_BLOCK, &m, NULL);
    r("mask update returns the fd", signalfd(s, &m, 0) == s ? 0 : -1);
    union sigval v = { .sival_int = 42 };
    sigqueue(getpid(), SIGUSR2, v);
    r("read", read(s, &si, sizeof si));
    say("   signo %u code %d int %d\n", si.ssi_signo, si.ssi_code, si.ssi_int);
    r("update a non-signalfd", signalfd(0 + 999, &m, 0));
    int p[2];
    pipe(p);
    r("update a pipe", signalfd(p[0], &m, 0));
    close(p[0]);
    close(p[1]);
    close(s);
    sigprocmask(SIG_UNBLOCK, &m, NULL);
}

static void show_events(int fd)
{
    char buf[4096] __attribute__((aligned(8)));
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
        say("   read: %s\n", strerrorname_np(errno));
        return;
    }
    uint32_t cookie = 0;
    for (char *p = buf; p < buf + n;) {
        struct inotify_event *e = (struct inotify_event *)p;
        const char *same = "";
        if (e->cookie)
            same = !cookie ? (cookie = e->cookie, " cookie") : e->cookie == cookie ? " same cookie" : " other cookie";
        say("   event wd %d mask %#x len %u name '%s'%s\n", e->wd, e->mask, e->len, e->len ? e->name : "", same);
        p += sizeof *e + e->len;
    }
}

static void section_inotify(void)
{
    say("14. inotify\n");
    r("init1 bad flags", inotify_init1(1));
    int in = inotify_init1(IN_NONBLOCK);
    mkdir("w", 0755);
    int wd = inotify_add_watch(in, "w", IN_CREATE | IN_MODIFY | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO);
    r("add_watch", wd > 0 ? 0 : -1);
    r("add_watch mask 0", inotify_add_watch(in, "w", 0));
    r("add_watch missing", inotify_add_watch(in, "missing", IN_ALL_EVENTS));
    int f = open("w/a-name-of-17-chr", O_WRONLY | O_CREAT, 0644);
    write(f, "x", 1);
    close(f);
    rename("w/a-name-of-17-chr", "w/b");
    unlink("w/b");
    char small[20];
    int fd2 = open("w/c", O_WRONLY | O_CREAT, 0644);
    close(fd2);
    show_events(in);
    unlink("w/c");
    r("read into 20 bytes", read(in, small, sizeof small));
    show_events(in);
    f = open("w/one", O_WRONLY | O_CREAT, 0644);
    int ow = inotify_add_watch(in, "w/one", IN_MODIFY | IN_ONESHOT);
    r("IN_ONESHOT watch", ow > 0 ? 0 : -1);
    write(f, "1", 1);
    write(f, "2", 1);
    close(f);
    show_events(in);
    r("rm_watch the spent one", inotify_rm_watch(in, ow));
    r("rm_watch", inotify_rm_watch(in, wd));
    show_events(in);
    r("rm_watch again", inotify_rm_watch(in, wd));
    unlink("w/one");
    int w2 = inotify_add_watch(in, "w", IN_DELETE_SELF);
    r("rmdir a watched dir", rmdir("w"));
    show_events(in);
    (void)w2;
    close(in);
}

static void section_close_range(void)
{
    say("15. close_range\n");
    int a = dup(0), b = dup(0), c = dup(0);
    r("first > last", syscall(SYS_close_range, b, a, 0));
    r("bad flags", syscall(SYS_close_range, a, c, 8));
    r("CLOSE_RANGE_CLOEXEC", syscall(SYS_close_range, a, b, CLOSE_RANGE_CLOEXEC));
    say("   FD_CLOEXEC %d %d %d\n", fcntl(a, F_GETFD), fcntl(b, F_GETFD), fcntl(c, F_GETFD));
    r("CLOSE_RANGE_UNSHARE", syscall(SYS_close_range, c, c, CLOSE_RANGE_UNSHARE));
    r("fcntl on it", fcntl(c, F_GETFD));
    r("close a..~0", syscall(SYS_close_range, a, ~0U, 0));
    r("fcntl on a", fcntl(a, F_GETFD));
    r("past every fd", syscall(SYS_close_range, 5000, 6000, 0));
}

/* ---- 16. O_ASYNC with F_SETSIG: the signal's siginfo ---- */

static volatile int io_signals, io_code, io_fd;
static volatile long io_band;

static void on_io(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    io_signals++;
    io_code = si->si_code;
    io_band = si->si_band;
    io_fd = si->si_fd;
}

static void io_report(const char *what, int fd)
{
    say("   %s: %d signal(s), si_code %#x, si_band %#lx, si_fd is the descriptor %d\n", what, io_signals,
        io_code, io_band, io_fd == fd);
    io_signals = 0;
    io_code = 0;
    io_band = 0;
    io_fd = -1;
}

static void section_setsig(void)
{
    say("16. O_ASYNC and F_SETSIG\n");
    struct sigaction sa = { .sa_sigaction = on_io, .sa_flags = SA_SIGINFO };
    sigaction(SIGRTMIN + 1, &sa, NULL);
    sigaction(SIGIO, &sa, NULL);
    int pp[2];
    pipe(pp);
    int rd = dup(pp[0]);
    r("F_GETSIG at first", fcntl(rd, F_GETSIG));
    r("F_SETSIG 65", fcntl(rd, F_SETSIG, 65));
    r("F_SETSIG SIGRTMIN+1", fcntl(rd, F_SETSIG, SIGRTMIN + 1));
    say("   F_GETSIG is SIGRTMIN+1: %d\n", fcntl(rd, F_GETSIG) == SIGRTMIN + 1);
    fcntl(rd, F_SETOWN, getpid());
    fcntl(rd, F_SETFL, fcntl(rd, F_GETFL) | O_ASYNC);
    write(pp[1], "x", 1);
    io_report("a write, readable end", rd);
    char c;
    read(pp[0], &c, 1);
    fcntl(pp[1], F_SETSIG, SIGRTMIN + 1);
    fcntl(pp[1], F_SETOWN, getpid());
    fcntl(pp[1], F_SETFL, fcntl(pp[1], F_GETFL) | O_ASYNC);
    io_report("setting O_ASYNC on the writable end", pp[1]);
    write(pp[1], "y", 1);
    read(rd, &c, 1);
    io_report("a read, writable end", pp[1]);
    fcntl(rd, F_SETSIG, 0);
    write(pp[1], "z", 1);
    io_report("F_SETSIG 0: SIGIO", rd);
    close(pp[1]);                      /* the hang-up signals the reader's owner too */
    io_report("the writer closed", rd);
    close(pp[0]);
    close(rd);
    signal(SIGRTMIN + 1, SIG_DFL);
    signal(SIGIO, SIG_DFL);
}

/* ---- 17. dnotify (F_NOTIFY) ---- */

static void section_dnotify(void)
{
    say("17. dnotify\n");
    struct sigaction sa = { .sa_sigaction = on_io, .sa_flags = SA_SIGINFO };
    sigaction(SIGRTMIN + 2, &sa, NULL);
    mkdir("dn", 0755);
    int dir = open("dn", O_RDONLY | O_DIRECTORY);
    fcntl(dir, F_SETSIG, SIGRTMIN + 2);
    r("F_NOTIFY DN_CREATE", fcntl(dir, F_NOTIFY, DN_CREATE));
    close(open("dn/a", O_CREAT | O_WRONLY, 0644));
    io_report("a file made", dir);
    close(open("dn/b", O_CREAT | O_WRONLY, 0644));
    io_report("another, not multishot", dir);
    r("F_NOTIFY DN_CREATE|DN_MULTISHOT", fcntl(dir, F_NOTIFY, DN_CREATE | DN_MULTISHOT));
    close(open("dn/c", O_CREAT | O_WRONLY, 0644));
    mkdir("dn/d", 0755);
    io_report("a file and a directory made", dir);
    r("F_NOTIFY DN_DELETE adds to it", fcntl(dir, F_NOTIFY, DN_DELETE));
    unlink("dn/c");
    io_report("an unlink", dir);
    close(open("dn/e", O_CREAT | O_WRONLY, 0644));
    io_report("still made", dir);
    r("F_NOTIFY 0", fcntl(dir, F_NOTIFY, 0));
    close(open("dn/f", O_CREAT | O_WRONLY, 0644));
    io_report("after F_NOTIFY 0", dir);
    r("F_NOTIFY DN_MODIFY|DN_ATTRIB|DN_RENAME|DN_MULTISHOT",
      fcntl(dir, F_NOTIFY, DN_MODIFY | DN_ATTRIB | DN_RENAME | DN_MULTISHOT));
    int fd = open("dn/a", O_WRONLY);
    write(fd, "hello", 5);
    io_report("a write", dir);
    fchmod(fd, 0600);
    io_report("a chmod", dir);
    close(fd);
    rename("dn/a", "dn/z");
    io_report("a rename inside", dir);
    rename("dn/z", "z-out");
    io_report("a rename out", dir);
    chmod("dn", 0700);
    io_report("a chmod of the directory itself", dir);
    fd = open("dn/b", O_RDONLY);
    r("F_NOTIFY on a file", fcntl(fd, F_NOTIFY, DN_CREATE));
    r("F_NOTIFY DN_MULTISHOT alone on a file", fcntl(fd, F_NOTIFY, DN_MULTISHOT));
    close(fd);
    int other = dup(dir);
    close(other);
    close(open("dn/g", O_CREAT | O_WRONLY, 0644));
    fd = open("dn/g", O_WRONLY);
    write(fd, "x", 1);
    close(fd);
    io_report("after closing a dup of it", dir);
    close(dir);
    signal(SIGRTMIN + 2, SIG_DFL);
}

/* epoll and the descriptor table with thousands of descriptors: the ready list's order after
 * items at its head, middle and tail went away (their files closed), and the lowest free
 * descriptor after closes far below the highest. Descriptors are printed relative to the first
 * pipe's read end. */
static void section_many_fds(void)
{
    say("18. epoll with thousands of descriptors\n");
    enum { PIPES = 1000 };
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
    setrlimit(RLIMIT_NOFILE, &rl);
    static int rd[PIPES], wr[PIPES];
    int ep = epoll_create1(0), made = 0;
    for (; made < PIPES; made++) {
        int p[2];
        if (pipe(p))
            break;
        rd[made] = p[0], wr[made] = p[1];
        struct epoll_event in = {.events = EPOLLIN, .data.u64 = (uint64_t)made};
        struct epoll_event out = {.events = EPOLLOUT, .data.u64 = 10000 + (uint64_t)made};
        epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &in);
        epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &out);
    }
    say("   pipes made %d, last write end at +%d\n", made, wr[made - 1] - rd[0]);
    struct epoll_event again = {.events = EPOLLOUT};
    r("ADD again", epoll_ctl(ep, EPOLL_CTL_ADD, wr[500], &again));
    static struct epoll_event evs[2 * PIPES];
    int n = epoll_wait(ep, evs, 3, 0);
    say("   first wait (3):");
    for (int i = 0; i < n; i++)
        say(" %lu", (unsigned long)evs[i].data.u64);
    say("\n");
    /* the ready list now starts at write end 3 and ends with 0, 1, 2 (level-triggered requeue) */
    close(wr[3]), close(wr[500]), close(wr[PIPES - 1]), close(wr[1]);
    if (write(wr[7], "x", 1) != 1)
        say("   write failed\n");
    n = epoll_wait(ep, evs, 2 * PIPES, 0);
    long sum = 0;
    for (int i = 0; i < n; i++)
        sum += (long)evs[i].data.u64;
    say("   after 4 closes: %d ready, sum %ld, first", n, sum);
    for (int i = 0; i < 4 && i < n; i++)
        say(" %lu", (unsigned long)evs[i].data.u64);
    say(", last");
    for (int i = n - 4 < 0 ? 0 : n - 4; i < n; i++)
        say(" %lu", (unsigned long)evs[i].data.u64);
    say("\n");
    struct epoll_event mod = {.events = EPOLLIN | EPOLLOUT, .data.u64 = 77777};
    r("MOD a read end", epoll_ctl(ep, EPOLL_CTL_MOD, rd[7], &mod));
    r("DEL a closed one", epoll_ctl(ep, EPOLL_CTL_DEL, wr[500], &mod));
    close(rd[10]), close(rd[20]);
    int p[2];
    r("pipe after closing two low ones", pipe(p));
    say("     got +%d +%d\n", p[0] - rd[0], p[1] - rd[0]);
    int d = dup(0);
    say("   next dup +%d\n", d - rd[0]);
    close(p[0]), close(p[1]), close(d);
    for (int i = 0; i < made; i++)
        close(rd[i]), close(wr[i]);
    close(ep);
}

/* ---- 19. opening /proc/self/fd/N of a pipe (Linux's fifo_open on pipefs), /dev/stdin ---- */

static int open_fd_link(int fd, const char *suffix, int flags)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d%s", fd, suffix);
    return open(path, flags);
}

static void section_fd_reopen(void)
{
    say("19. /proc/self/fd/N of pipes, sockets, eventfds\n");
    int p[2];
    pipe(p);
    write(p[1], "xyz", 3);
    int rd = open_fd_link(p[0], "", O_RDONLY);
    r("open the read end's link O_RDONLY", rd < 0 ? -1 : 0);
    char buf[8] = "";
    r("read from it", read(rd, buf, sizeof buf));
    struct stat a, b;
    fstat(rd, &a);
    fstat(p[0], &b);
    say("   same pipe %d, fifo %d, flags %#o\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev, S_ISFIFO(a.st_mode),
        fcntl(rd, F_GETFL) & ~0400000);   /* arm64 Linux forces O_LARGEFILE; qemu hides it */
    int w = open_fd_link(p[0], "", O_WRONLY | O_NONBLOCK);
    r("open the read end's link O_WRONLY|O_NONBLOCK", w < 0 ? -1 : 0);
    r("write through it", write(w, "ab", 2));
    r("read it from the pipe", read(p[0], buf, sizeof buf));
    close(w);
    close(p[1]);
    int late = open_fd_link(p[0], "", O_RDONLY);   /* no writer left: a pipe does not wait */
    r("open O_RDONLY with no writer", late < 0 ? -1 : 0);
    r("read: end of file", read(late, buf, sizeof buf));
    close(late);
    close(rd);
    pipe(p);
    close(p[0]);
    w = open_fd_link(p[1], "", O_WRONLY | O_NONBLOCK);   /* no reader: still no ENXIO */
    r("open O_WRONLY|O_NONBLOCK with no reader", w < 0 ? -1 : 0);
    close(w);
    r("O_NOFOLLOW", open_fd_link(p[1], "", O_RDONLY | O_NOFOLLOW));
    r("a trailing slash", open_fd_link(p[1], "/", O_RDONLY));
    r("a name below it", open_fd_link(p[1], "/x", O_RDONLY));
    close(p[1]);
    r("a closed descriptor", open_fd_link(p[1], "", O_RDONLY));
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    r("a socket", open_fd_link(sv[0], "", O_RDWR));
    close(sv[0]);
    close(sv[1]);
    int e = eventfd(0, 0);
    r("an eventfd", open_fd_link(e, "", O_RDWR));
    close(e);
    char link[64];
    ssize_t n = readlink("/dev/stdin", link, sizeof link - 1);
    say("   /dev/stdin -> %.*s\n", (int)(n > 0 ? n : 0), link);
    n = readlink("/dev/fd", link, sizeof link - 1);
    say("   /dev/fd -> %.*s\n", (int)(n > 0 ? n : 0), link);
    pipe(p);
    write(p[1], "q", 1);
    char dev_path[32];
    snprintf(dev_path, sizeof dev_path, "/dev/fd/%d", p[0]);
    rd = open(dev_path, O_RDONLY);
    r("open /dev/fd/N of a pipe", rd < 0 ? -1 : 0);
    r("read from it", read(rd, buf, sizeof buf));
    close(rd);
    close(p[0]);
    close(p[1]);
}

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1])) {
        fprintf(stderr, "usage: ioconf DIR (an empty, writable directory)\n");
        return 2;
    }
    alarm(60);
    umask(022);
    section_fifo_nodes();
    section_fifo_open();
    section_fifo_sharing();
    section_fifo_signals();
    section_fifo_epoll();
    section_eventfd();
    section_descriptors();
    section_device_nodes();
    section_poll();
    section_select();
    section_epoll();
    section_timerfd();
    section_signalfd();
    section_inotify();
    section_close_range();
    section_setsig();
    section_dnotify();
    section_many_fds();
    section_fd_reopen();
    return 0;
}
