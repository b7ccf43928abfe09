/* Linux calls a peer unikernel's runtime tests use: tagged-address prctl, preadv/pwritev and their
 * v2 forms, fallocate, copy_file_range, sched_setaffinity, syncfs, record locks (POSIX, OFD,
 * flock), lseek on a directory, binding twice, SO_REUSEADDR on an accepted socket, a raised
 * RLIMIT_NOFILE and real-time signals that queue. Output is compared line by line with this
 * program on Linux (qemu-aarch64-static, run in a tmpfs directory, since our file tree behaves as
 * tmpfs). `breadth DIR` works in an empty directory. Nothing printed may depend on the host's CPU
 * count, limits or timing. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

static void show(const char *what, long r)
{
    if (r < 0)
        printf("   %s = -1 %s\n", what, strerrorname_np(errno));
    else
        printf("   %s = %ld\n", what, r);
}

static void *tag(void *p, unsigned t) { return (void *)(((uintptr_t)p & ~(0xffUL << 56)) | ((uintptr_t)t << 56)); }

static void tagged_addresses(void)
{
    printf("1. tagged addresses\n");
    static char buf[32] = "tagged";
    int fd = open("tag", O_CREAT | O_RDWR, 0644);
    show("get before", prctl(PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0));
    show("write from a tagged pointer before enabling", write(fd, tag(buf, 0x5a), 6));
    show("set with unknown bits", prctl(PR_SET_TAGGED_ADDR_CTRL, 1UL << 30, 0, 0, 0));
    show("set with arg3", prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE, 1, 0, 0));
    show("get with arg2", prctl(PR_GET_TAGGED_ADDR_CTRL, 1, 0, 0, 0));
    show("enable", prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE, 0, 0, 0));
    show("get after", prctl(PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0));
    show("write from a tagged pointer", write(fd, tag(buf, 0x5a), 6));
    char in[8] = { 0 };
    show("pread into a tagged pointer", pread(fd, tag(in, 0xf0), 6, 0));
    printf("   read back \"%s\"\n", in);
    char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    show("mprotect of a tagged address", mprotect(tag(page, 0x11), 4096, PROT_READ));
    show("munmap of a tagged address", munmap(tag(page, 0x22), 8192));
    show("disable", prctl(PR_SET_TAGGED_ADDR_CTRL, 0, 0, 0, 0));
    show("write from a tagged pointer after disabling", write(fd, tag(buf, 0x5a), 6));
    close(fd);
}

static void vectored_positioned(void)
{
    printf("2. preadv/pwritev\n");
    int fd = open("vec", O_CREAT | O_RDWR | O_TRUNC, 0644);
    char a[] = "hello ", b[] = "vector";
    struct iovec w[2] = { { a, 6 }, { b, 6 } };
    show("pwritev at 4", pwritev(fd, w, 2, 4));
    show("position after pwritev", lseek(fd, 0, SEEK_CUR));
    char x[5] = { 0 }, y[20] = { 0 };
    struct iovec r[2] = { { x, 4 }, { y, 19 } };
    show("preadv at 0", preadv(fd, r, 2, 0));
    printf("   got [%d %d %d %d] \"%s\"\n", x[0], x[1], x[2], x[3], y);
    show("preadv at -1", preadv(fd, r, 2, -1));
    show("preadv2 at -1 uses the position", preadv2(fd, r, 2, -1, 0));
    show("position after preadv2(-1)", lseek(fd, 0, SEEK_CUR));
    show("preadv2 at -2", preadv2(fd, r, 2, -2, 0));
    show("preadv2 unknown flag", preadv2(fd, r, 2, 0, 0x1000));
    show("preadv2 RWF_HIPRI", preadv2(fd, r, 2, 0, RWF_HIPRI));
    show("pwritev2 RWF_DSYNC", pwritev2(fd, w, 1, 0, RWF_DSYNC));
    show("pwritev2 RWF_APPEND at 0", pwritev2(fd, w, 1, 0, RWF_APPEND));
    struct stat st;
    fstat(fd, &st);
    printf("   size %lld\n", (long long)st.st_size);
    show("pwritev2 at -1 writes at the position", pwritev2(fd, &w[1], 1, -1, 0));
    show("position after pwritev2(-1)", lseek(fd, 0, SEEK_CUR));
    struct iovec bad[1] = { { (void *)8, 4 } };
    show("preadv to a bad buffer", preadv(fd, bad, 1, 0));
    show("preadv bad iov pointer", preadv(fd, (void *)8, 1, 0));
    int p[2];
    if (pipe(p))
        return;
    show("preadv on a pipe", preadv(p[0], r, 2, 0));
    show("preadv2 on a pipe at -1 (like readv)", (write(p[1], "pipe", 4), preadv2(p[0], r, 1, -1, 0)));
    show("pwritev on a read-only descriptor", pwritev(p[0], w, 1, 0));
    show("preadv iovcnt 1025", preadv(fd, r, 1025, 0));
    close(p[0]);
    close(p[1]);
    close(fd);
}

static void show_size(int fd)
{
    struct stat st;
    fstat(fd, &st);
    printf("   size %lld, allocated %s\n", (long long)st.st_size, st.st_blocks ? "yes" : "no");
}

static void file_space(void)
{
    printf("3. fallocate\n");
    int fd = open("space", O_CREAT | O_RDWR | O_TRUNC, 0644);
    show("mode 0, 0..10000", fallocate(fd, 0, 0, 10000));
    show_size(fd);
    show("KEEP_SIZE past the end", fallocate(fd, FALLOC_FL_KEEP_SIZE, 10000, 50000));
    show_size(fd);
    if (write(fd, "abcdefgh", 8) != 8)
        return;
    show("PUNCH_HOLE without KEEP_SIZE", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4));
    show("PUNCH_HOLE|KEEP_SIZE 2..6", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 2, 4));
    char got[8];
    if (pread(fd, got, 8, 0) == 8)
        printf("   bytes %c %c %d %d %d %d %c %c\n", got[0], got[1], got[2], got[3], got[4], got[5], got[6], got[7]);
    show_size(fd);
    show("length 0", fallocate(fd, 0, 0, 0));
    show("negative offset", fallocate(fd, 0, -1, 10));
    show("unknown mode", fallocate(fd, 0x800, 0, 10));
    show("ZERO_RANGE (not on tmpfs)", fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 10));
    show("past the maximum size", fallocate(fd, 0, 0x7fffffffffffffffL, 10));
    int ro = open("space", O_RDONLY);
    show("read-only descriptor", fallocate(ro, 0, 0, 10));
    close(ro);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    show("directory", fallocate(dir, 0, 0, 10));
    close(dir);
    int p[2];
    if (pipe(p))
        return;
    show("pipe", fallocate(p[1], 0, 0, 10));
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    show("socket", fallocate(s, 0, 0, 10));
    close(s);
    close(p[0]);
    close(p[1]);
    close(fd);
}

static void copy_range(void)
{
    printf("4. copy_file_range\n");
    int in = open("cin", O_CREAT | O_RDWR | O_TRUNC, 0644);
    int out = open("cout", O_CREAT | O_RDWR | O_TRUNC, 0644);
    if (write(in, "0123456789abcdefghij", 20) != 20)
        return;
    loff_t oi = 5, oo = 2;
    show("with offsets", copy_file_range(in, &oi, out, &oo, 8, 0));
    printf("   offsets now %lld %lld, positions %lld %lld\n", (long long)oi, (long long)oo,
           (long long)lseek(in, 0, SEEK_CUR), (long long)lseek(out, 0, SEEK_CUR));
    lseek(in, 15, SEEK_SET);
    show("by position past the end", copy_file_range(in, NULL, out, NULL, 100, 0));
    printf("   positions %lld %lld\n", (long long)lseek(in, 0, SEEK_CUR), (long long)lseek(out, 0, SEEK_CUR));
    char got[16] = { 0 };
    show("read back", pread(out, got, 15, 0));
    printf("   \"%c%c%s\"\n", got[0] ? got[0] : '.', got[1] ? got[1] : '.', got + 2);
    show("at the end", copy_file_range(in, NULL, out, NULL, 10, 0));
    show("flags", copy_file_range(in, NULL, out, NULL, 10, 1));
    oi = 0;
    oo = 4;
    show("overlapping in one file", copy_file_range(in, &oi, in, &oo, 8, 0));
    oo = 30;
    show("not overlapping in one file", copy_file_range(in, &oi, in, &oo, 8, 0));
    oi = -1;
    show("negative offset", copy_file_range(in, &oi, out, NULL, 8, 0));
    show("bad offset pointer", copy_file_range(in, (loff_t *)8, out, NULL, 8, 0));
    int ro = open("cout", O_RDONLY);
    show("to a read-only descriptor", copy_file_range(in, NULL, ro, NULL, 8, 0));
    int app = open("cout", O_WRONLY | O_APPEND);
    show("to O_APPEND", copy_file_range(in, NULL, app, NULL, 8, 0));
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    show("from a directory", copy_file_range(dir, NULL, out, NULL, 8, 0));
    int p[2];
    if (pipe(p))
        return;
    show("to a pipe", copy_file_range(in, NULL, p[1], NULL, 8, 0));
    show("bad descriptor", copy_file_range(99, NULL, out, NULL, 8, 0));
    oi = 0;
    show("length 0", copy_file_range(in, &oi, out, NULL, 0, 0));
    close(ro);
    close(app);
    close(dir);
    close(p[0]);
    close(p[1]);
    close(in);
    close(out);
}

static void affinity_and_sync(void)
{
    printf("5. sched_setaffinity, syncfs\n");
    cpu_set_t set, got;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    show("set to cpu 0", sched_setaffinity(0, sizeof(set), &set));
    CPU_ZERO(&got);
    show("get", sched_getaffinity(0, sizeof(got), &got));
    printf("   count %d, cpu 0 %s\n", CPU_COUNT(&got), CPU_ISSET(0, &got) ? "set" : "clear");
    show("own tid", sched_setaffinity(syscall(SYS_gettid), sizeof(set), &set));
    CPU_ZERO(&set);
    show("empty mask", sched_setaffinity(0, sizeof(set), &set));
    CPU_SET(1000, &set);
    show("only cpu 1000", sched_setaffinity(0, sizeof(set), &set));
    show("no such thread", sched_setaffinity(999999, sizeof(set), &set));
    show("bad pointer", syscall(SYS_sched_setaffinity, 0, sizeof(set), (void *)8));
    show("get bad pointer", syscall(SYS_sched_getaffinity, 0, sizeof(set), (void *)8));
    show("get length 3", syscall(SYS_sched_getaffinity, 0, 3, &got));
    int fd = open("vec", O_RDONLY);
    show("syncfs", syncfs(fd));
    show("syncfs bad descriptor", syncfs(99));
    close(fd);
}

static void show_lock(const char *what, int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
    long r = fcntl(fd, cmd, &fl);
    if (r < 0)
        printf("   %s = -1 %s\n", what, strerrorname_np(errno));
    else if (cmd == F_GETLK || cmd == F_OFD_GETLK)
        printf("   %s = %ld: type %s start %lld len %lld%s\n", what, r,
               fl.l_type == F_UNLCK ? "unlck" : fl.l_type == F_RDLCK ? "rdlck" : "wrlck",
               (long long)fl.l_start, (long long)fl.l_len,
               fl.l_type != F_UNLCK && cmd == F_GETLK ? (fl.l_pid == getpid() ? " (pid: us)" : " (pid: other)")
               : fl.l_type != F_UNLCK ? (fl.l_pid == -1 ? " (pid -1)" : " (pid set)") : "");
    else
        printf("   %s = %ld\n", what, r);
}

static int lock_fd;
static void *blocked_flock(void *arg)
{
    int *result = arg;
    *result = flock(lock_fd, LOCK_EX);
    return NULL;
}

static void record_locks(void)
{
    printf("6. record locks\n");
    int a = open("locks", O_CREAT | O_RDWR | O_TRUNC, 0644);
    int b = open("locks", O_RDWR);
    int ro = open("locks", O_RDONLY);
    show_lock("F_SETLK write 0..100", a, F_SETLK, F_WRLCK, 0, 100);
    show_lock("F_GETLK through another descriptor (same process)", b, F_GETLK, F_WRLCK, 0, 10);
    show_lock("F_SETLK read 50..60 through the other descriptor", b, F_SETLK, F_RDLCK, 50, 10);
    show_lock("F_OFD_GETLK on b vs our POSIX lock", b, F_OFD_GETLK, F_WRLCK, 0, 10);
    show_lock("F_OFD_SETLK on b conflicts", b, F_OFD_SETLK, F_WRLCK, 0, 10);
    show_lock("F_SETLK unlock 0..200", a, F_SETLK, F_UNLCK, 0, 200);
    show_lock("F_OFD_SETLK write 0..10 on a", a, F_OFD_SETLK, F_WRLCK, 0, 10);
    show_lock("F_OFD_GETLK on b", b, F_OFD_GETLK, F_RDLCK, 5, 0);
    show_lock("F_OFD_SETLK on b", b, F_OFD_SETLK, F_RDLCK, 5, 1);
    show_lock("F_GETLK (POSIX) sees the OFD lock", b, F_GETLK, F_RDLCK, 0, 0);
    show_lock("F_SETLK (POSIX) conflicts", b, F_SETLK, F_WRLCK, 9, 1);
    show_lock("F_OFD_SETLK with l_pid set", a, F_OFD_SETLK, F_UNLCK, 0, 10);
    struct flock pid = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_pid = 1 };
    show("F_OFD_SETLK with nonzero l_pid", fcntl(a, F_OFD_SETLK, &pid));
    show_lock("F_OFD_SETLK unlock on a", a, F_OFD_SETLK, F_UNLCK, 0, 0);
    show_lock("F_OFD_GETLK on b now", b, F_OFD_GETLK, F_WRLCK, 0, 0);
    show_lock("F_SETLK write on a read-only descriptor", ro, F_SETLK, F_WRLCK, 0, 1);
    show_lock("F_SETLK bad type", a, F_SETLK, 7, 0, 1);
    show_lock("F_SETLK negative start", a, F_SETLK, F_WRLCK, -5, 1);
    show_lock("F_SETLK negative length", a, F_SETLK, F_WRLCK, 10, -5);
    show_lock("F_GETLK unlock type", a, F_GETLK, F_UNLCK, 0, 1);
    show("F_GETLK bad pointer", fcntl(a, F_GETLK, (void *)8));
    show("F_SETLK bad pointer", fcntl(a, F_SETLK, (void *)8));
    show("F_OFD_GETLK bad pointer", fcntl(a, F_OFD_GETLK, (void *)8));
    show_lock("F_OFD_SETLK write 0.. on a", a, F_OFD_SETLK, F_WRLCK, 0, 0);
    close(a);   /* an OFD lock goes with its last descriptor */
    show_lock("after closing a, F_OFD_GETLK on b", b, F_OFD_GETLK, F_WRLCK, 0, 0);

    int c = open("locks", O_RDWR);
    show("flock LOCK_EX on b", flock(b, LOCK_EX));
    show("flock LOCK_EX|LOCK_NB on c", flock(c, LOCK_EX | LOCK_NB));
    show("flock LOCK_SH|LOCK_NB on c", flock(c, LOCK_SH | LOCK_NB));
    show("flock again on b (conversion)", flock(b, LOCK_SH));
    show("flock LOCK_SH|LOCK_NB on c now", flock(c, LOCK_SH | LOCK_NB));
    show("flock LOCK_EX|LOCK_NB on b (c shares)", flock(b, LOCK_EX | LOCK_NB));
    show_lock("F_SETLK unaffected by flock", c, F_SETLK, F_WRLCK, 0, 0);
    show("flock LOCK_UN on c", flock(c, LOCK_UN));
    show("flock bad operation", flock(b, 77));
    show("flock bad descriptor", flock(99, LOCK_SH));
    int d = dup(b);
    show("flock LOCK_EX on a dup of b", flock(d, LOCK_EX | LOCK_NB));
    lock_fd = c;
    int result = 99;
    pthread_t t;
    pthread_create(&t, NULL, blocked_flock, &result);
    usleep(100000);
    printf("   a thread blocks in flock(c, LOCK_EX): result %d\n", result);
    close(d);
    show("flock LOCK_UN on b releases it", flock(b, LOCK_UN));
    pthread_join(t, NULL);
    printf("   the thread got it: result %d\n", result);
    show("flock LOCK_EX|LOCK_NB on b", flock(b, LOCK_EX | LOCK_NB));
    close(c);
    show("after closing c, flock LOCK_EX|LOCK_NB on b", flock(b, LOCK_EX | LOCK_NB));
    close(b);
    close(ro);
}

static void errors_as_linux(void)
{
    printf("7. lseek on a directory, bind twice, SO_REUSEADDR on accept\n");
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    show("SEEK_END on a directory", lseek(dir, 0, SEEK_END));
    show("SEEK_SET on a directory", lseek(dir, 0, SEEK_SET));
    show("SEEK_CUR on a directory", lseek(dir, 0, SEEK_CUR));
    close(dir);
    struct sockaddr_un un = { .sun_family = AF_UNIX, .sun_path = "sock1" };
    int u = socket(AF_UNIX, SOCK_STREAM, 0), v = socket(AF_UNIX, SOCK_STREAM, 0);
    show("bind unix", bind(u, (struct sockaddr *)&un, sizeof(un)));
    struct sockaddr_un un2 = { .sun_family = AF_UNIX, .sun_path = "sock2" };
    show("bind the bound unix socket again", bind(u, (struct sockaddr *)&un2, sizeof(un2)));
    show("bind another to the same path", bind(v, (struct sockaddr *)&un, sizeof(un)));
    close(u);
    close(v);
    int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    show("bind tcp", bind(l, (struct sockaddr *)&in, sizeof(in)));
    show("bind the bound tcp socket again", bind(l, (struct sockaddr *)&in, sizeof(in)));
    socklen_t len = sizeof(in);
    getsockname(l, (struct sockaddr *)&in, &len);
    listen(l, 4);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    show("connect", connect(c, (struct sockaddr *)&in, sizeof(in)));
    int s = accept(l, NULL, NULL);
    int val = 0;
    len = sizeof(val);
    getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &val, &len);
    printf("   accepted socket SO_REUSEADDR %d\n", val);
    getsockopt(c, SOL_SOCKET, SO_REUSEADDR, &val, &len);
    printf("   client socket SO_REUSEADDR %d\n", val);
    close(s);
    close(c);
    close(l);
}

static void many_descriptors(void)
{
    printf("8. RLIMIT_NOFILE\n");
    struct rlimit rl = { 60000, 1048576 };
    show("raise to 60000/1048576", setrlimit(RLIMIT_NOFILE, &rl));
    int n = 0, last = -1;
    for (int i = 0; i < 60000; i++) {
        int fd = dup(0);
        if (fd < 0)
            break;
        n++;
        last = fd;
    }
    printf("   dup succeeded %d times, last %d, then %s\n", n, last, strerrorname_np(errno));
    show("dup2 to 59999", dup2(0, 59999));
    show("dup2 to 60000", dup2(0, 60000));
    show("F_DUPFD from 60000", fcntl(0, F_DUPFD, 60000));
    show("close_range 3..", syscall(SYS_close_range, 3, ~0U, 0));
    show("dup after closing", dup(0));
    rl.rlim_cur = rl.rlim_max = 1048577;
    show("raise the hard limit past nr_open", setrlimit(RLIMIT_NOFILE, &rl));
    rl.rlim_cur = 2048;
    rl.rlim_max = 1024;
    show("soft above hard", setrlimit(RLIMIT_NOFILE, &rl));
    rl.rlim_cur = rl.rlim_max = 1024;
    show("back to 1024", setrlimit(RLIMIT_NOFILE, &rl));
    show("dup2 to 1024 now", dup2(0, 1024));
}

static int seen[16], nseen;
static void on_rt(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (nseen < 16)
        seen[nseen++] = sig == SIGUSR1 ? -1 : si->si_value.sival_int;
}

static void queued_signals(void)
{
    printf("9. real-time signals queue, standard ones coalesce\n");
    struct sigaction sa = { .sa_sigaction = on_rt, .sa_flags = SA_SIGINFO };
    sigaction(SIGRTMIN + 2, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 2);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    for (int i = 1; i <= 3; i++)
        sigqueue(getpid(), SIGRTMIN + 2, (union sigval){ .sival_int = i });
    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("   handler saw %d:", nseen);
    for (int i = 0; i < nseen; i++)
        printf(" %d", seen[i]);
    printf("\n");
    sigprocmask(SIG_BLOCK, &set, NULL);
    for (int i = 10; i <= 12; i++)
        sigqueue(getpid(), SIGRTMIN + 2, (union sigval){ .sival_int = i });
    siginfo_t si;
    struct timespec zero = { 0, 0 };
    printf("   sigtimedwait:");
    while (sigtimedwait(&set, &si, &zero) > 0)
        printf(" %d", si.si_value.sival_int);
    printf(" then %s\n", strerrorname_np(errno));
    for (int i = 20; i <= 21; i++)
        sigqueue(getpid(), SIGRTMIN + 2, (union sigval){ .sival_int = i });
    signal(SIGRTMIN + 2, SIG_IGN);
    sigpending(&set);
    printf("   after SIG_IGN pending %d\n", sigismember(&set, SIGRTMIN + 2));
}

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    setvbuf(stdout, NULL, _IONBF, 0);
    tagged_addresses();
    vectored_positioned();
    file_space();
    copy_range();
    affinity_and_sync();
    record_locks();
    errors_as_linux();
    many_descriptors();
    queued_signals();
    return 0;
}
