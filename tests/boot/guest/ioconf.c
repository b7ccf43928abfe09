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
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
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
    return 0;
}
