/* Linux native AIO, answer for answer (tests/boot/test_aio_conformance.py): io_setup and its
 * ring (the header libaio reads), io_submit of each command with its errors in Linux's order,
 * partial submission, IOCB_FLAG_RESFD, IOCB_CMD_POLL waiting and completing later, io_cancel,
 * io_getevents/io_pgetevents (min_nr, timeouts, signals, the sigmask), user-space reaping,
 * io_destroy, fork, and /proc/sys/fs/aio-nr. argv[1]: a fresh directory of the probe's own
 * (the oracle runs natively on the host: nothing here is architecture-dependent). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "probe_print.h"

/* struct aio_ring of fs/aio.c: the header user space reads. */
struct ring {
    unsigned id, nr, head, tail, magic, compat_features, incompat_features, header_length;
    struct io_event events[];
};

static long setup(unsigned nr, aio_context_t *ctx) { return syscall(SYS_io_setup, nr, ctx); }
static long destroy(aio_context_t ctx) { return syscall(SYS_io_destroy, ctx); }
static long submit(aio_context_t ctx, long nr, struct iocb **cbs) { return syscall(SYS_io_submit, ctx, nr, cbs); }
static long cancel(aio_context_t ctx, struct iocb *cb, struct io_event *ev) { return syscall(SYS_io_cancel, ctx, cb, ev); }
static long getevents(aio_context_t ctx, long min, long nr, struct io_event *ev, struct timespec *ts)
{
    return syscall(SYS_io_getevents, ctx, min, nr, ev, ts);
}

static const char *dir;
static char path_buf[512];

static const char *path(const char *name)
{
    snprintf(path_buf, sizeof(path_buf), "%s/%s", dir, name);
    return path_buf;
}

static struct iocb cb(int op, int fd, void *buf, size_t n, long long off)
{
    struct iocb c;
    memset(&c, 0, sizeof(c));
    c.aio_lio_opcode = op;
    c.aio_fildes = fd;
    c.aio_buf = (uintptr_t)buf;
    c.aio_nbytes = n;
    c.aio_offset = off;
    c.aio_data = 0x1234;
    return c;
}

static long submit_one(aio_context_t ctx, struct iocb *c)
{
    struct iocb *list[1] = { c };
    return submit(ctx, 1, list);
}

static struct timespec zero_ts, short_ts = { 0, 20 * 1000 * 1000 }, long_ts = { 5, 0 };

/* One event, printed as Linux reports it: which iocb, its data, its result. */
static void one_event(aio_context_t ctx, struct iocb *expect, const char *what)
{
    struct io_event ev;
    long n = getevents(ctx, 1, 1, &ev, &long_ts);
    if (n != 1) {
        r(what, n);
        return;
    }
    say("   %s: obj ok %d, data %#llx, res %lld%s%s, res2 %lld\n", what, ev.obj == (uintptr_t)expect,
        (unsigned long long)ev.data, (long long)ev.res, ev.res < 0 ? " " : "",
        ev.res < 0 ? strerrorname_np((int)-ev.res) : "", (long long)ev.res2);
}

static long aio_nr(void)
{
    FILE *f = fopen("/proc/sys/fs/aio-nr", "r");
    long v = -1;
    if (f) {
        if (fscanf(f, "%ld", &v) != 1)
            v = -2;
        fclose(f);
    }
    return v;
}

static void section_setup(void)
{
    say("1. io_setup\n");
    aio_context_t ctx = 1;
    r("ctx not zero", setup(4, &ctx));
    ctx = 0;
    r("nr 0", setup(0, &ctx));
    r("ctx pointer bad", setup(4, (aio_context_t *)8));
    r("nr past aio-max-nr", setup(0x10001, &ctx));
    r("nr 2^31 (doubled, wraps to 0)", setup(0x80000000u, &ctx));
    r("nr 2^28 (past the ring's limit)", setup(0x10000000u, &ctx));
    long before = aio_nr();
    r("nr 4", setup(4, &ctx));
    say("   aio-nr grew by %ld\n", aio_nr() - before);
    struct ring *ring = (struct ring *)ctx;
    say("   ring: id %u head %u tail %u magic %#x compat %u incompat %u header %u\n", ring->id, ring->head,
        ring->tail, ring->magic, ring->compat_features, ring->incompat_features, ring->header_length);
    /* fs/aio.c's sizing: max(nr, 4 per possible CPU) * 2 + 2 events, then the pages' room. */
    long cpus = sysconf(_SC_NPROCESSORS_CONF), want = 4 > cpus * 4 ? 4 : cpus * 4;
    long page = sysconf(_SC_PAGESIZE), bytes = 32 + (want * 2 + 2) * 32;
    long pages = (bytes + page - 1) / page;
    say("   ring nr as sized: %d\n", ring->nr == (unsigned)((pages * page - 32) / 32));
    say("   ring page-aligned: %d\n", ctx % page == 0);
    int in_maps = 0;
    char line[512];
    FILE *m = fopen("/proc/self/maps", "r");
    while (m && fgets(line, sizeof(line), m))
        if (strtoull(line, NULL, 16) == ctx && strstr(line, "rw-s") && strstr(line, "[aio]"))
            in_maps = 1;
    if (m)
        fclose(m);
    say("   mapped rw-s as [aio]: %d\n", in_maps);
    aio_context_t second = 0;
    r("second", setup(1, &second));
    say("   second ring id %u\n", ((struct ring *)second)->id);
    r("destroy second", destroy(second));
    r("destroy second again", destroy(second));
    r("destroy 0", destroy(0));
    r("destroy first", destroy(ctx));
    say("   aio-nr back: %d\n", aio_nr() == before);
    int gone = msync((void *)ctx, (size_t)page, MS_ASYNC) < 0 && errno == ENOMEM;
    say("   ring unmapped: %d\n", gone);
}

static void section_rw(void)
{
    say("2. reads and writes\n");
    aio_context_t ctx = 0;
    setup(32, &ctx);
    int fd = open(path("data"), O_RDWR | O_CREAT | O_TRUNC, 0600);
    char out[16] = "hello, aio!", in[16] = { 0 };
    struct iocb w = cb(IOCB_CMD_PWRITE, fd, out, 11, 5);
    w.aio_key = 77;
    r("pwrite", submit_one(ctx, &w));
    say("   aio_key now %u\n", w.aio_key);
    one_event(ctx, &w, "pwrite event");
    struct stat st;
    fstat(fd, &st);
    say("   size %lld\n", (long long)st.st_size);
    struct iocb rd = cb(IOCB_CMD_PREAD, fd, in, sizeof(in), 5);
    r("pread", submit_one(ctx, &rd));
    one_event(ctx, &rd, "pread event");
    say("   read back \"%s\"\n", in);
    struct iocb eof = cb(IOCB_CMD_PREAD, fd, in, 4, 100);
    submit_one(ctx, &eof);
    one_event(ctx, &eof, "pread past the end");
    char a[4] = "abc", b[4] = "xyz", c1[3] = { 0 }, c2[3] = { 0 };
    struct iovec wv[2] = { { a, 3 }, { b, 3 } }, rv[2] = { { c1, 2 }, { c2, 3 } };
    struct iocb pwv = cb(IOCB_CMD_PWRITEV, fd, wv, 2, 0);
    r("pwritev", submit_one(ctx, &pwv));
    one_event(ctx, &pwv, "pwritev event");
    struct iocb prv = cb(IOCB_CMD_PREADV, fd, rv, 2, 1);
    r("preadv", submit_one(ctx, &prv));
    one_event(ctx, &prv, "preadv event");
    say("   preadv got \"%.2s\" \"%.3s\"\n", c1, c2);
    struct iocb app = cb(IOCB_CMD_PWRITE, fd, "END", 3, 0);
    app.aio_rw_flags = RWF_APPEND;
    r("pwrite RWF_APPEND", submit_one(ctx, &app));
    one_event(ctx, &app, "RWF_APPEND event");
    fstat(fd, &st);
    say("   size %lld, offset unchanged %d\n", (long long)st.st_size, lseek(fd, 0, SEEK_CUR) == 0);
    struct iocb sync_rw = cb(IOCB_CMD_PWRITE, fd, "s", 1, 0);
    sync_rw.aio_rw_flags = RWF_DSYNC | RWF_SYNC | RWF_HIPRI;
    r("pwrite RWF_DSYNC|SYNC|HIPRI", submit_one(ctx, &sync_rw));
    one_event(ctx, &sync_rw, "its event");
    struct iocb bad = cb(IOCB_CMD_PWRITE, fd, out, 1, 0);
    bad.aio_rw_flags = 0x80;
    r("rw flag 0x80", submit_one(ctx, &bad));
    bad = cb(IOCB_CMD_PREAD, fd, in, 1, 0);
    bad.aio_flags = IOCB_FLAG_IOPRIO;
    bad.aio_reqprio = (2 << 13) | 4;
    r("IOCB_FLAG_IOPRIO BE 4", submit_one(ctx, &bad));
    one_event(ctx, &bad, "its event");
    bad.aio_reqprio = 7 << 13;
    r("IOCB_FLAG_IOPRIO class 7", submit_one(ctx, &bad));
    bad = cb(IOCB_CMD_PREAD, fd, in, 1, 0);
    bad.aio_reserved2 = 1;
    r("aio_reserved2 set", submit_one(ctx, &bad));
    bad = cb(IOCB_CMD_PREAD, fd, in, (size_t)-1, 0);
    r("nbytes negative", submit_one(ctx, &bad));
    bad = cb(IOCB_CMD_PREAD, 999, in, 1, 0);
    r("bad fd", submit_one(ctx, &bad));
    bad = cb(IOCB_CMD_PREAD, fd, in, 1, -1);
    r("offset -1", submit_one(ctx, &bad));
    bad = cb(IOCB_CMD_NOOP, fd, in, 1, 0);
    r("IOCB_CMD_NOOP", submit_one(ctx, &bad));
    bad = cb(4, fd, in, 1, 0);
    r("opcode 4", submit_one(ctx, &bad));
    bad = cb(99, fd, in, 1, 0);
    r("opcode 99", submit_one(ctx, &bad));
    int ro = open(path("data"), O_RDONLY);
    bad = cb(IOCB_CMD_PWRITE, ro, out, 1, 0);
    r("pwrite on O_RDONLY", submit_one(ctx, &bad));
    bad = cb(IOCB_CMD_PWRITE, ro, out, 1, 0);
    bad.aio_rw_flags = 0x80;
    r("bad rw flag on O_RDONLY", submit_one(ctx, &bad));
    int d = open(dir, O_RDONLY | O_DIRECTORY);
    bad = cb(IOCB_CMD_PREAD, d, in, 1, 0);
    r("pread of a directory", submit_one(ctx, &bad));
    bad = cb(IOCB_CMD_PREAD, fd, (void *)-4096L, 16, 0);
    r("buffer past user space", submit_one(ctx, &bad));
    void *hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    bad = cb(IOCB_CMD_PREAD, fd, hole, 4, 0);
    r("buffer not writable", submit_one(ctx, &bad));
    one_event(ctx, &bad, "its event");
    struct iovec badv[1] = { { in, (size_t)-1 } };
    bad = cb(IOCB_CMD_PREADV, fd, badv, 1, 0);
    r("preadv negative length", submit_one(ctx, &bad));
    bad = cb(IOCB_CMD_PREADV, fd, rv, 1025, 0);
    r("preadv 1025 vectors", submit_one(ctx, &bad));
    bad = cb(IOCB_CMD_PREADV, fd, (void *)8, 1, 0);
    r("preadv vectors unreadable", submit_one(ctx, &bad));
    struct iocb *null_list[1] = { (struct iocb *)8 };
    r("iocb unreadable", submit(ctx, 1, null_list));
    const struct iocb ro_cb = cb(IOCB_CMD_PREAD, fd, in, 1, 0);
    static const struct iocb *ro_list[1];
    void *ro_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memcpy(ro_page, &ro_cb, sizeof(ro_cb));
    mprotect(ro_page, 4096, PROT_READ);
    ro_list[0] = ro_page;
    r("iocb read-only (aio_key unwritable)", submit(ctx, 1, (struct iocb **)ro_list));
    r("iocb list unreadable", submit(ctx, 1, (struct iocb **)8));
    r("nr 0", submit(ctx, 0, NULL));
    r("nr -1", submit(ctx, -1, NULL));
    r("bad ctx", submit_one(12345, &w));
    r("ctx 0", submit_one(0, &w));
    /* Partial submission: the count of those taken, the first failure's errno when none. */
    struct iocb good1 = cb(IOCB_CMD_PREAD, fd, in, 1, 0), good2 = good1, badfd = cb(IOCB_CMD_PREAD, 999, in, 1, 0);
    struct iocb *list3[3] = { &good1, &good2, &badfd };
    r("two good, then a bad fd", submit(ctx, 3, list3));
    struct iocb *list2[2] = { &badfd, &good1 };
    r("a bad fd first", submit(ctx, 2, list2));
    struct io_event evs[8];
    r("reap both", getevents(ctx, 2, 8, evs, &zero_ts));
    int p[2];
    pipe(p);
    struct iocb pw = cb(IOCB_CMD_PWRITE, p[1], "pipe", 4, 12345);
    r("pwrite to a pipe (offset ignored)", submit_one(ctx, &pw));
    one_event(ctx, &pw, "its event");
    char pin[8] = { 0 };
    struct iocb pr = cb(IOCB_CMD_PREAD, p[0], pin, sizeof(pin), 777);
    r("pread from the pipe", submit_one(ctx, &pr));
    one_event(ctx, &pr, "its event");
    close(p[0]);
    close(p[1]);
    close(ro);
    close(d);
    close(fd);
    destroy(ctx);
}

static void section_sync(void)
{
    say("3. fsync and fdatasync\n");
    aio_context_t ctx = 0;
    setup(8, &ctx);
    int fd = open(path("sync"), O_RDWR | O_CREAT | O_TRUNC, 0600);
    struct iocb s = cb(IOCB_CMD_FSYNC, fd, NULL, 0, 0);
    r("fsync", submit_one(ctx, &s));
    one_event(ctx, &s, "fsync event");
    s = cb(IOCB_CMD_FDSYNC, fd, NULL, 0, 0);
    r("fdsync", submit_one(ctx, &s));
    one_event(ctx, &s, "fdsync event");
    int ro = open(path("sync"), O_RDONLY);
    s = cb(IOCB_CMD_FSYNC, ro, NULL, 0, 0);
    r("fsync on O_RDONLY", submit_one(ctx, &s));
    one_event(ctx, &s, "its event");
    s = cb(IOCB_CMD_FSYNC, fd, NULL, 1, 0);
    r("fsync with nbytes", submit_one(ctx, &s));
    s = cb(IOCB_CMD_FSYNC, fd, NULL, 0, 8);
    r("fsync with offset", submit_one(ctx, &s));
    s = cb(IOCB_CMD_FSYNC, fd, NULL, 0, 0);
    s.aio_rw_flags = RWF_SYNC;
    r("fsync with rw flags", submit_one(ctx, &s));
    int p[2];
    pipe(p);
    s = cb(IOCB_CMD_FSYNC, p[0], NULL, 0, 0);
    r("fsync of a pipe", submit_one(ctx, &s));
    close(p[0]);
    close(p[1]);
    close(ro);
    close(fd);
    destroy(ctx);
}

static void section_resfd(void)
{
    say("4. IOCB_FLAG_RESFD\n");
    aio_context_t ctx = 0;
    setup(8, &ctx);
    int fd = open(path("resfd"), O_RDWR | O_CREAT | O_TRUNC, 0600);
    int efd = eventfd(0, EFD_NONBLOCK);
    struct iocb a = cb(IOCB_CMD_PWRITE, fd, "abc", 3, 0), b = a, c = cb(IOCB_CMD_FSYNC, fd, NULL, 0, 0);
    a.aio_flags = b.aio_flags = c.aio_flags = IOCB_FLAG_RESFD;
    a.aio_resfd = b.aio_resfd = c.aio_resfd = efd;
    struct iocb *list[3] = { &a, &b, &c };
    r("three with an eventfd", submit(ctx, 3, list));
    struct io_event evs[4];
    r("reaped", getevents(ctx, 3, 4, evs, &long_ts));
    uint64_t count = 0;
    r("eventfd read", read(efd, &count, sizeof(count)));
    say("   eventfd count %llu\n", (unsigned long long)count);
    a.aio_resfd = fd;
    r("resfd not an eventfd", submit_one(ctx, &a));
    a.aio_resfd = 999;
    r("resfd not open", submit_one(ctx, &a));
    a.aio_fildes = 999;
    r("bad fd and bad resfd", submit_one(ctx, &a));
    close(efd);
    close(fd);
    destroy(ctx);
}

static int writer_fd;

static void *late_writer(void *arg)
{
    usleep(50 * 1000);
    write(writer_fd, "x", 1);
    return NULL;
}

static void section_poll(void)
{
    say("5. IOCB_CMD_POLL\n");
    aio_context_t ctx = 0;
    setup(8, &ctx);
    int fd = open(path("poll"), O_RDWR | O_CREAT | O_TRUNC, 0600);
    struct iocb pl = cb(IOCB_CMD_POLL, fd, (void *)POLLIN, 0, 0);
    r("poll of a regular file", submit_one(ctx, &pl));
    one_event(ctx, &pl, "ready at once");
    pl = cb(IOCB_CMD_POLL, fd, (void *)POLLPRI, 0, 0);
    r("poll of a regular file for POLLPRI", submit_one(ctx, &pl));
    int p[2];
    pipe(p);
    pl = cb(IOCB_CMD_POLL, p[0], (void *)(POLLIN | 0x10000), 0, 0);
    r("poll events past 16 bits", submit_one(ctx, &pl));
    pl = cb(IOCB_CMD_POLL, p[0], (void *)POLLIN, 1, 0);
    r("poll with nbytes", submit_one(ctx, &pl));
    pl = cb(IOCB_CMD_POLL, p[1], (void *)POLLOUT, 0, 0);
    r("poll of a writable pipe", submit_one(ctx, &pl));
    one_event(ctx, &pl, "at once");
    struct io_event ev[2];
    int efd = eventfd(0, EFD_NONBLOCK);
    pl = cb(IOCB_CMD_POLL, p[0], (void *)POLLIN, 0, 0);
    pl.aio_flags = IOCB_FLAG_RESFD;
    pl.aio_resfd = efd;
    r("poll of an empty pipe", submit_one(ctx, &pl));
    r("nothing yet", getevents(ctx, 0, 2, ev, &zero_ts));
    uint64_t count = 0;
    r("eventfd not yet", read(efd, &count, sizeof(count)));
    write(p[1], "x", 1);
    one_event(ctx, &pl, "after the write");
    struct pollfd pfd = { efd, POLLIN, 0 };
    r("eventfd signalled", poll(&pfd, 1, 5000));
    r("eventfd read", read(efd, &count, sizeof(count)));
    say("   eventfd count %llu\n", (unsigned long long)count);
    r("io_cancel once completed", cancel(ctx, &pl, ev));
    char c;
    read(p[0], &c, 1);
    pl = cb(IOCB_CMD_POLL, p[0], (void *)POLLIN, 0, 0);
    r("poll again", submit_one(ctx, &pl));
    writer_fd = p[1];
    pthread_t t;
    pthread_create(&t, NULL, late_writer, NULL);
    one_event(ctx, &pl, "woken by a thread's write");
    pthread_join(t, NULL);
    read(p[0], &c, 1);
    struct iocb pc = cb(IOCB_CMD_POLL, p[0], (void *)POLLIN, 0, 0);
    r("poll to cancel", submit_one(ctx, &pc));
    struct iocb stranger = pc;
    r("io_cancel of an iocb never submitted", cancel(ctx, &stranger, ev));
    pc.aio_key = 5;
    r("io_cancel with a bad key", cancel(ctx, &pc, ev));
    pc.aio_key = 0;
    r("io_cancel bad ctx", cancel(4242, &pc, ev));
    r("io_cancel iocb unreadable", cancel(ctx, (struct iocb *)8, ev));
    r("io_cancel", cancel(ctx, &pc, ev));
    one_event(ctx, &pc, "cancelled");
    int sp[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
    struct iocb hup = cb(IOCB_CMD_POLL, sp[0], (void *)POLLIN, 0, 0);
    r("poll of a socket", submit_one(ctx, &hup));
    write(sp[1], "y", 1);
    one_event(ctx, &hup, "the peer wrote");
    char y;
    read(sp[0], &y, 1);
    hup = cb(IOCB_CMD_POLL, sp[0], (void *)POLLIN, 0, 0);
    r("poll of the socket again", submit_one(ctx, &hup));
    close(sp[1]);
    one_event(ctx, &hup, "the peer closed");
    int sq[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sq);
    struct iocb shut = cb(IOCB_CMD_POLL, sq[0], (void *)POLLIN, 0, 0);
    r("poll of another socket", submit_one(ctx, &shut));
    shutdown(sq[1], SHUT_WR);
    one_event(ctx, &shut, "the peer shut down writing");
    close(sq[0]);
    close(sq[1]);
    close(sp[0]);
    struct iocb left = cb(IOCB_CMD_POLL, p[0], (void *)POLLIN, 0, 0);
    r("poll left waiting", submit_one(ctx, &left));
    r("io_destroy with it waiting", destroy(ctx));
    close(efd);
    close(p[0]);
    close(p[1]);
    close(fd);
}

static void on_alarm(int sig) { (void)sig; }

static void section_getevents(void)
{
    say("6. io_getevents and io_pgetevents\n");
    aio_context_t ctx = 0;
    setup(8, &ctx);
    struct io_event ev[4];
    r("min_nr > nr", getevents(ctx, 2, 1, ev, &zero_ts));
    r("min_nr -1", getevents(ctx, -1, 1, ev, &zero_ts));
    r("nr 0", getevents(ctx, 0, 0, ev, NULL));
    r("bad ctx", getevents(777, 0, 1, ev, &zero_ts));
    r("timeout unreadable", getevents(ctx, 0, 1, ev, (struct timespec *)8));
    r("empty, timeout 0", getevents(ctx, 1, 1, ev, &zero_ts));
    r("empty, 20 ms", getevents(ctx, 1, 1, ev, &short_ts));
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 0 }, { 0, 30 * 1000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    r("a signal while waiting (SA_RESTART)", getevents(ctx, 1, 1, ev, &long_ts));
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    struct { const sigset_t *mask; size_t size; } usig = { &block, 8 };
    sigprocmask(SIG_BLOCK, &block, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
    r("io_pgetevents, the signal masked: 100 ms",
      syscall(SYS_io_pgetevents, ctx, 1, 1, ev, &(struct timespec){ 0, 100 * 1000 * 1000 }, &usig));
    sigset_t pending;
    sigpending(&pending);
    say("   signal pending after it: %d\n", sigismember(&pending, SIGALRM));
    sigset_t none;
    sigemptyset(&none);
    usig.mask = &none;
    r("io_pgetevents unmasking it", syscall(SYS_io_pgetevents, ctx, 1, 1, ev, &long_ts, &usig));
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    usig.size = 4;
    r("io_pgetevents sigsetsize 4", syscall(SYS_io_pgetevents, ctx, 1, 1, ev, &zero_ts, &usig));
    r("io_pgetevents usig unreadable", syscall(SYS_io_pgetevents, ctx, 1, 1, ev, &zero_ts, (void *)8));
    r("io_pgetevents no sigset", syscall(SYS_io_pgetevents, ctx, 0, 1, ev, &zero_ts, NULL));
    int fd = open(path("ev"), O_RDWR | O_CREAT | O_TRUNC, 0600);
    struct iocb a = cb(IOCB_CMD_PWRITE, fd, "abcd", 4, 0), b = a, c = a;
    struct iocb *list[3] = { &a, &b, &c };
    r("three writes", submit(ctx, 3, list));
    r("events to an unwritable buffer", getevents(ctx, 1, 3, (struct io_event *)8, &zero_ts));
    r("two of three", getevents(ctx, 1, 2, ev, &zero_ts));
    struct ring *ring = (struct ring *)ctx;
    say("   ring head %u tail %u\n", ring->head, ring->tail);
    /* libaio-style reaping in user space: take the event, move head. */
    unsigned head = ring->head;
    say("   user space reads the last: res %lld, obj ok %d\n", (long long)ring->events[head].res,
        ring->events[head].obj == (uintptr_t)&c);
    ring->head = (head + 1) % ring->nr;
    r("then nothing left", getevents(ctx, 0, 3, ev, &zero_ts));
    close(fd);
    destroy(ctx);
}

static void section_limits(void)
{
    say("7. slots, fork\n");
    aio_context_t ctx = 0;
    setup(1, &ctx);
    struct ring *ring = (struct ring *)ctx;
    int fd = open(path("slots"), O_RDWR | O_CREAT | O_TRUNC, 0600);
    unsigned nr = ring->nr;
    struct iocb *cbs = calloc(nr + 1, sizeof(*cbs));
    struct iocb **list = calloc(nr + 1, sizeof(*list));
    for (unsigned i = 0; i <= nr; i++) {
        cbs[i] = cb(IOCB_CMD_FSYNC, fd, NULL, 0, 0);
        list[i] = &cbs[i];
    }
    long taken = submit(ctx, nr + 1, list);
    say("   a ring of %s events takes fewer than it holds: %d\n", "nr", taken > 0 && taken < (long)nr);
    r("then one more", submit(ctx, 1, list));
    struct io_event *evs = calloc(nr, sizeof(*evs));
    say("   reaped all: %d\n", getevents(ctx, taken, nr, evs, &long_ts) == taken);
    free(evs);
    free(list);
    free(cbs);
    pid_t pid = fork();
    if (pid == 0) {
        struct iocb s = cb(IOCB_CMD_FSYNC, fd, NULL, 0, 0);
        long rc = submit_one(ctx, &s);
        _exit(rc < 0 && errno == EINVAL ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    say("   the child of a fork has no context: %d\n", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    aio_context_t again = 0;
    r("io_setup in the parent still", setup(2, &again));
    destroy(again);
    close(fd);
    destroy(ctx);
}

static long sysctl_write(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return -1;
    long n = write(fd, text, strlen(text));
    int e = errno;
    close(fd);
    errno = e;
    return n;
}

/* Guest only ("sysctl" after DIR): it changes the system-wide limit, which the oracle must not
 * do to the host; its lines are Linux 6.1's (proc_doulongvec_minmax, sysctl_perm, ioctx_alloc). */
static void section_sysctl(void)
{
    say("8. aio-max-nr\n");
    const char *max = "/proc/sys/fs/aio-max-nr";
    struct stat st;
    stat(max, &st);
    say("   aio-max-nr mode %o\n", st.st_mode & 07777);
    stat("/proc/sys/fs/aio-nr", &st);
    say("   aio-nr mode %o\n", st.st_mode & 07777);
    r("write aio-nr", open("/proc/sys/fs/aio-nr", O_WRONLY));
    r("write \"16\\n\"", sysctl_write(max, "16\n"));
    FILE *f = fopen(max, "r");
    long v = -1;
    if (f) {
        fscanf(f, "%ld", &v);
        fclose(f);
    }
    say("   reads %ld\n", v);
    aio_context_t a = 0, b = 0;
    r("io_setup 17", setup(17, &a));
    r("io_setup 16", setup(16, &a));
    r("then io_setup 1", setup(1, &b));
    destroy(a);
    r("write \"-1\"", sysctl_write(max, "-1"));
    r("write \"abc\"", sysctl_write(max, "abc"));
    r("write \" \\n\"", sysctl_write(max, " \n"));
    r("write \" 65536 \\n\"", sysctl_write(max, " 65536 \n"));
    pid_t pid = fork();
    if (pid == 0) {
        if (setuid(1000) < 0)
            _exit(2);
        _exit(sysctl_write(max, "1") < 0 && errno == EACCES ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    say("   uid 1000 may not write it: %d\n", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    a = 0;
    r("io_setup 16 again", setup(16, &a));
    destroy(a);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: aioconf DIR\n");
        return 2;
    }
    dir = argv[1];
    alarm(60);                         /* a backstop: every wait below has its own timeout */
    section_setup();
    section_rw();
    section_sync();
    section_resfd();
    section_poll();
    section_getevents();
    alarm(60);                         /* section 6 used the real-time timer */
    section_limits();
    if (argc > 2 && !strcmp(argv[2], "sysctl"))
        section_sysctl();
    return 0;
}
