/* timerfd, signalfd and inotify, printed so that Linux (under qemu-aarch64-static, in a tmpfs
 * directory) and our kernel can be compared line by line: tests/boot/test_notify_fds.py.
 * Timings are printed only as comparisons with bounds both must meet. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static void show(const char *what, long r)
{
    if (r < 0)
        printf("   %s = -1 %s\n", what, strerrorname_np(errno));
    else
        printf("   %s = %ld\n", what, r);
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int readable(int fd, int timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

static void timerfds(void)
{
    printf("1. timerfd\n");
    show("create bad clock", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
    show("create bad flags", timerfd_create(CLOCK_MONOTONIC, 1));
    int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    printf("   create ok %d, cloexec %d, nonblock %d\n", t >= 0, fcntl(t, F_GETFD) & FD_CLOEXEC,
           !!(fcntl(t, F_GETFL) & O_NONBLOCK));
    uint64_t n = 0;
    show("read disarmed", read(t, &n, sizeof(n)));
    show("read short buffer", read(t, &n, 4));
    struct itimerspec v = { .it_value = { 0, 50 * 1000000 } }, old;
    /* Taken before arming: the expiry cannot come sooner than 50 ms after it, however long a
     * loaded host takes between the calls below. */
    int64_t armed = mono_ns();
    show("settime 50 ms", timerfd_settime(t, 0, &v, &old));
    struct itimerspec cur;
    timerfd_gettime(t, &cur);
    printf("   gettime value in (0, 50 ms]: %d, interval 0: %d\n",
           cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 50000000,
           cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 0);
    printf("   readable before expiry %d\n", readable(t, 0));
    printf("   readable after waiting %d\n", readable(t, 2000));
    printf("   expired no sooner than 50 ms after arming %d\n", mono_ns() - armed >= 50000000);
    show("read after expiry", read(t, &n, sizeof(n)));
    printf("   count %llu\n", (unsigned long long)n);
    show("read again", read(t, &n, sizeof(n)));
    timerfd_gettime(t, &cur);
    printf("   gettime after a one-shot expiry %ld.%09ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);
    v = (struct itimerspec){ .it_value = { 0, 10000000 }, .it_interval = { 0, 10000000 } };
    int64_t before = mono_ns();
    show("settime periodic 10 ms", timerfd_settime(t, 0, &v, NULL));
    usleep(105000);
    n = 0;
    read(t, &n, sizeof(n));
    /* At least the 105 ms slept; at most what the clock says passed (a loaded host oversleeps). */
    int64_t periods_max = (mono_ns() - before) / 10000000;
    printf("   periods after sleeping 105 ms in [5, elapsed/10 ms]: %d\n", n >= 5 && (int64_t)n <= periods_max);
    timerfd_gettime(t, &cur);
    printf("   interval kept %ld\n", cur.it_interval.tv_nsec);
    v = (struct itimerspec){ 0 };
    show("disarm", timerfd_settime(t, 0, &v, &old));
    printf("   old interval %ld\n", old.it_interval.tv_nsec);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int r = timerfd_create(CLOCK_REALTIME, 0);
    v = (struct itimerspec){ .it_value = { now.tv_sec - 10, 0 } };
    show("realtime absolute in the past", timerfd_settime(r, TFD_TIMER_ABSTIME, &v, NULL));
    show("blocking read", read(r, &n, sizeof(n)));
    printf("   count %llu\n", (unsigned long long)n);
    v = (struct itimerspec){ .it_value = { now.tv_sec + 1, 0 } };
    timerfd_settime(r, TFD_TIMER_ABSTIME, &v, NULL);
    timerfd_gettime(r, &cur);
    printf("   absolute in a second: relative value <= 1 s %d\n", cur.it_value.tv_sec <= 1);
    int m = timerfd_create(CLOCK_MONOTONIC, 0);
    clock_gettime(CLOCK_MONOTONIC, &now);
    v = (struct itimerspec){ .it_value = now };
    v.it_value.tv_nsec += 20000000;
    if (v.it_value.tv_nsec >= 1000000000) {
        v.it_value.tv_sec++;
        v.it_value.tv_nsec -= 1000000000;
    }
    timerfd_settime(m, TFD_TIMER_ABSTIME, &v, NULL);
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 42 }, got;
    epoll_ctl(ep, EPOLL_CTL_ADD, m, &ev);
    show("epoll_wait monotonic absolute +20 ms", epoll_wait(ep, &got, 1, 2000));
    printf("   data %u events %#x\n", got.data.u32, got.events);
    show("blocking read", read(m, &n, sizeof(n)));
    v.it_value.tv_nsec = 1000000000;
    show("settime bad nsec", timerfd_settime(m, 0, &v, NULL));
    show("settime bad flags", timerfd_settime(m, 4, &v, NULL));
    show("settime on a pipe", timerfd_settime(0, 0, &(struct itimerspec){ 0 }, NULL));
    show("write", write(m, &n, sizeof(n)));
    close(t);
    close(r);
    close(m);
    close(ep);
}

static void signalfds(void)
{
    printf("2. signalfd\n");
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    show("bad flags", signalfd(-1, &set, 1));
    show("not a signalfd", signalfd(0, &set, 0));
    int s = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    printf("   create ok %d, cloexec %d\n", s >= 0, fcntl(s, F_GETFD) & FD_CLOEXEC);
    struct signalfd_siginfo si[4];
    show("read none pending", read(s, si, sizeof(si)));
    show("read short buffer", read(s, si, 100));
    printf("   readable %d\n", readable(s, 0));
    kill(getpid(), SIGUSR1);
    printf("   readable after kill %d\n", readable(s, 0));
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 }, got;
    epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
    show("epoll_wait", epoll_wait(ep, &got, 1, 1000));
    union sigval val = { .sival_int = 99 };
    sigqueue(getpid(), SIGRTMIN + 1, val);
    sigqueue(getpid(), SIGRTMIN + 1, (union sigval){ .sival_int = 100 });
    long got_bytes = read(s, si, sizeof(si));
    show("read", got_bytes);
    for (long i = 0; i < got_bytes / (long)sizeof(si[0]); i++)
        printf("   signo %u code %d pid-is-self %d int %d\n", si[i].ssi_signo, si[i].ssi_code,
               si[i].ssi_pid == (uint32_t)getpid(), si[i].ssi_code == SI_QUEUE ? si[i].ssi_int : 0);
    printf("   readable after read %d\n", readable(s, 0));
    printf("   epoll after read %d\n", epoll_wait(ep, &got, 1, 0));
    sigset_t only_usr2;
    sigemptyset(&only_usr2);
    sigaddset(&only_usr2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &only_usr2, NULL);
    show("change mask", signalfd(s, &only_usr2, 0));
    raise(SIGUSR1);
    printf("   readable with USR1 pending but not in the mask %d\n", readable(s, 0));
    raise(SIGUSR2);
    show("read", read(s, si, sizeof(si)));
    printf("   signo %u code %d\n", si[0].ssi_signo, si[0].ssi_code);
    int sig;
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigwait(&usr1, &sig);
    printf("   USR1 still pending for sigwait %d\n", sig == SIGUSR1);
    close(s);
    close(ep);
}

static void expect_events(int in, const char *what)
{
    char buf[4096] __attribute__((aligned(8)));
    printf("   %s:\n", what);
    if (!readable(in, 0)) {
        printf("     (none)\n");
        return;
    }
    long n = read(in, buf, sizeof(buf));
    for (char *p = buf; p < buf + n;) {
        struct inotify_event *e = (struct inotify_event *)p;
        printf("     wd %d mask %#x cookie-set %d len %u name '%s'\n", e->wd, e->mask, e->cookie != 0, e->len,
               e->len ? e->name : "");
        p += sizeof(*e) + e->len;
    }
}

static void inotifys(void)
{
    printf("3. inotify\n");
    show("bad flags", inotify_init1(1));
    int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    printf("   init ok %d, cloexec %d\n", in >= 0, fcntl(in, F_GETFD) & FD_CLOEXEC);
    char b[64];
    show("read nothing", read(in, b, sizeof(b)));
    mkdir("w", 0755);
    show("watch missing", inotify_add_watch(in, "missing", IN_ALL_EVENTS));
    show("watch bad mask", inotify_add_watch(in, "w", 0));
    int wd = inotify_add_watch(in, "w", IN_ALL_EVENTS);
    show("watch w", wd);
    show("watch w again", inotify_add_watch(in, "w", IN_CREATE | IN_DELETE | IN_MODIFY | IN_MOVED_FROM |
                                                     IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVE_SELF |
                                                     IN_DELETE_SELF));
    show("watch w exclusively", inotify_add_watch(in, "w", IN_CREATE | IN_MASK_CREATE));
    int fd = open("w/a", O_WRONLY | O_CREAT, 0644);
    expect_events(in, "create");
    write(fd, "x", 1);
    write(fd, "y", 1);
    expect_events(in, "two writes (coalesced)");
    close(fd);
    expect_events(in, "close after writing");
    fd = open("w/a", O_RDONLY);
    close(fd);
    expect_events(in, "open and close read-only (not watched)");
    chmod("w/a", 0600);
    expect_events(in, "chmod");
    int fwd = inotify_add_watch(in, "w/a", IN_ATTRIB | IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF);
    show("watch w/a", fwd);
    truncate("w/a", 0);
    expect_events(in, "truncate, watched as a file and in its directory");
    rename("w/a", "w/b");
    expect_events(in, "rename within the directory");
    mkdir("w/sub", 0700);
    expect_events(in, "mkdir");
    rename("w/b", "outside");
    expect_events(in, "rename out of the directory");
    unlink("outside");
    expect_events(in, "unlink of the watched file, now outside");
    rmdir("w/sub");
    expect_events(in, "rmdir");
    symlink("target", "w/link");
    link("w/link", "w/hard");
    expect_events(in, "symlink and hard link");
    fd = open("w/link2", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    close(fd);
    char small[20];
    fd = open("w/a-longer-name-than-fits", O_WRONLY | O_CREAT, 0644);
    close(fd);
    show("read into a buffer smaller than one event", read(in, small, sizeof(small)));
    int pending = 0;
    ioctl(in, FIONREAD, &pending);
    printf("   FIONREAD %d\n", pending);
    expect_events(in, "the events still queued");
    show("rm_watch", inotify_rm_watch(in, wd));
    show("rm_watch again", inotify_rm_watch(in, wd));
    expect_events(in, "after rm_watch");
    int one = inotify_add_watch(in, "w", IN_CREATE | IN_ONESHOT);
    show("oneshot watch", one);
    close(open("w/c1", O_WRONLY | O_CREAT, 0644));
    close(open("w/c2", O_WRONLY | O_CREAT, 0644));
    expect_events(in, "oneshot");
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 5 }, got;
    epoll_ctl(ep, EPOLL_CTL_ADD, in, &ev);
    inotify_add_watch(in, "w", IN_DELETE);
    printf("   epoll before %d\n", epoll_wait(ep, &got, 1, 0));
    unlink("w/c1");
    printf("   epoll after unlink %d\n", epoll_wait(ep, &got, 1, 0));
    expect_events(in, "delete");
    unlink("w/c2");
    unlink("w/link");
    unlink("w/hard");
    unlink("w/link2");
    unlink("w/a-longer-name-than-fits");
    rmdir("w");
    expect_events(in, "the directory's end");
    close(ep);
    close(in);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && chdir(argv[1]))
        return 2;
    timerfds();
    signalfds();
    inotifys();
    return 0;
}
