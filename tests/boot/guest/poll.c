/* Pipes, eventfd, poll/select and epoll, printed so that the output can be compared line by line
 * with the same program on Linux (qemu-aarch64-static). Usage: poll pipe|eventfd|poll|select|
 * epoll|sigpipe. Nothing printed may depend on timing or addresses. */
#define _GNU_SOURCE
#pragma GCC diagnostic ignored "-Wstringop-overflow"   /* the EFAULT probes pass bad pointers on purpose */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void show(const char *what, long r)
{
    if (r < 0)
        printf("%s=-1 %s\n", what, strerrorname_np(errno));
    else
        printf("%s=%ld\n", what, r);
}

static long ms_since(struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static int revents(int fd, short events)
{
    struct pollfd p = { fd, events, 0 };
    int r = poll(&p, 1, 0);
    return r < 0 ? -1 : p.revents;
}

static void test_pipe(void)
{
    int p[2], n;
    char buf[200000];
    show("pipe2_badflags", pipe2(p, 0x1));
    show("pipe2", pipe2(p, O_NONBLOCK | O_CLOEXEC));
    printf("fds=%d,%d\n", p[0], p[1]);
    printf("getfl=%o,%o getfd=%d\n", fcntl(p[0], F_GETFL), fcntl(p[1], F_GETFL), fcntl(p[0], F_GETFD));
    show("read_empty", read(p[0], buf, 10));
    printf("poll_empty r=%#x w=%#x\n", revents(p[0], POLLIN | POLLOUT), revents(p[1], POLLIN | POLLOUT));
    show("write", write(p[1], "hello", 5));
    ioctl(p[0], FIONREAD, &n);
    printf("fionread=%d\n", n);
    printf("poll_data r=%#x\n", revents(p[0], POLLIN | POLLRDNORM | POLLOUT));
    show("read", read(p[0], buf, 100));
    printf("got=%.5s\n", buf);
    show("read_zero_len", read(p[0], buf, 0));
    show("write_zero_len", write(p[1], buf, 0));
    long total = 0, r;
    memset(buf, 'x', sizeof(buf));
    while ((r = write(p[1], buf, 1000)) > 0)
        total += r;
    printf("filled_by_1000=%ld last=%s\n", total, strerrorname_np(errno));
    printf("poll_full w=%#x\n", revents(p[1], POLLOUT));
    show("read_4000", read(p[0], buf, 4000));
    printf("poll_after_read w=%#x\n", revents(p[1], POLLOUT));
    show("drain", read(p[0], buf, sizeof(buf)));
    show("write_100000", write(p[1], buf, 100000));
    show("write_more", write(p[1], buf, 1));
    show("drain", read(p[0], buf, sizeof(buf)));
    show("lseek", lseek(p[0], 0, SEEK_SET));
    show("pread", pread(p[0], buf, 1, 0));
    struct stat st;
    fstat(p[0], &st);
    printf("fifo=%d mode=%o\n", S_ISFIFO(st.st_mode), st.st_mode & 0777);
    show("write_abc", write(p[1], "abc", 3));
    close(p[1]);
    printf("poll_hup_data r=%#x\n", revents(p[0], POLLIN));
    show("read_rest", read(p[0], buf, 10));
    show("read_eof", read(p[0], buf, 10));
    printf("poll_hup r=%#x\n", revents(p[0], POLLIN));
    close(p[0]);

    signal(SIGPIPE, SIG_IGN);
    pipe2(p, 0);
    close(p[0]);
    show("write_no_reader", write(p[1], "x", 1));
    printf("poll_no_reader w=%#x\n", revents(p[1], POLLOUT));
    close(p[1]);

    show("pipe2_packet", pipe2(p, O_DIRECT | O_NONBLOCK));
    write(p[1], "abc", 3);
    write(p[1], "de", 2);
    write(p[1], "fgh", 3);
    show("pkt_read", read(p[0], buf, 10));
    show("pkt_read_short", read(p[0], buf, 1));
    show("pkt_read_next", read(p[0], buf, 10));
    printf("pkt=%.3s\n", buf);
    show("pkt_empty", read(p[0], buf, 10));
}

static void test_eventfd(void)
{
    uint64_t v, big[2];
    show("eventfd_badflags", eventfd(0, 0x10));
    int fd = eventfd(5, EFD_NONBLOCK | EFD_CLOEXEC);
    printf("getfl=%o getfd=%d\n", fcntl(fd, F_GETFL), fcntl(fd, F_GETFD));
    printf("poll=%#x\n", revents(fd, POLLIN | POLLOUT));
    show("read", read(fd, &v, 8));
    printf("value=%lu\n", (unsigned long)v);
    show("read_empty", read(fd, &v, 8));
    printf("poll_empty=%#x\n", revents(fd, POLLIN | POLLOUT));
    v = 3; write(fd, &v, 8);
    v = 4; write(fd, &v, 8);
    show("read_short", read(fd, &v, 4));
    show("read_long", read(fd, big, 16));
    printf("value=%lu\n", (unsigned long)big[0]);
    v = UINT64_MAX;
    show("write_max", write(fd, &v, 8));
    show("write_short", write(fd, &v, 4));
    v = UINT64_MAX - 1;
    show("write_max_minus_1", write(fd, &v, 8));
    printf("poll_full=%#x\n", revents(fd, POLLIN | POLLOUT));
    v = 1;
    show("write_overflow", write(fd, &v, 8));
    show("write_zero", (v = 0, write(fd, &v, 8)));
    show("lseek", lseek(fd, 0, SEEK_SET));
    close(fd);
    fd = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
    for (int i = 0; i < 3; i++) {
        long r = read(fd, &v, 8);
        printf("sem_read=%ld value=%lu\n", r, r > 0 ? (unsigned long)v : 0UL);
    }
    close(fd);
}

static void test_poll(void)
{
    int p[2];
    struct timespec t0, ts;
    pipe(p);
    struct pollfd fds[3] = { { -1, POLLIN, 7 }, { 999, POLLIN, 0 }, { p[0], POLLIN, 0 } };
    show("poll_mixed", poll(fds, 3, 0));
    printf("revents=%#x,%#x,%#x\n", fds[0].revents, fds[1].revents, fds[2].revents);
    show("poll_none", poll(NULL, 0, 0));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    show("poll_timeout", poll(&fds[2], 1, 50));
    printf("waited_enough=%d\n", ms_since(&t0) >= 50);
    ts.tv_sec = 0; ts.tv_nsec = 20000000;
    show("ppoll_timeout", syscall(SYS_ppoll, &fds[2], 1, &ts, NULL, 8));
    printf("left=%ld.%09ld\n", (long)ts.tv_sec, ts.tv_nsec);
    ts.tv_nsec = -1;
    show("ppoll_bad_ts", syscall(SYS_ppoll, &fds[2], 1, &ts, NULL, 8));
    sigset_t set;
    sigemptyset(&set);
    ts.tv_nsec = 0;
    show("ppoll_bad_sigsetsize", syscall(SYS_ppoll, &fds[2], 1, &ts, &set, 4));
    show("ppoll_sigmask", syscall(SYS_ppoll, &fds[2], 1, &ts, &set, 8));
    show("poll_efault", poll((struct pollfd *)8, 1, 0));
    write(p[1], "x", 1);
    fds[2].events = POLLIN | POLLOUT;
    struct pollfd both[2] = { { p[0], POLLIN | POLLOUT, 0 }, { p[1], POLLIN | POLLOUT, 0 } };
    show("poll_both", poll(both, 2, -1));
    printf("revents=%#x,%#x\n", both[0].revents, both[1].revents);
}

static void test_select(void)
{
    int p[2];
    fd_set r, w;
    struct timeval tv = { 0, 0 };
    pipe(p);
    FD_ZERO(&r); FD_ZERO(&w);
    FD_SET(p[0], &r); FD_SET(p[1], &w);
    show("select_w", select(p[1] + 1, &r, &w, NULL, &tv));
    printf("r=%d w=%d\n", FD_ISSET(p[0], &r), FD_ISSET(p[1], &w));
    write(p[1], "x", 1);
    FD_ZERO(&r); FD_ZERO(&w);
    FD_SET(p[0], &r); FD_SET(p[1], &w); FD_SET(p[0], &w);
    show("select_rw", select(p[1] + 1, &r, &w, NULL, NULL));
    printf("r=%d w0=%d w1=%d\n", FD_ISSET(p[0], &r), FD_ISSET(p[0], &w), FD_ISSET(p[1], &w));
    FD_ZERO(&r);
    FD_SET(50, &r);
    show("select_ebadf", select(51, &r, NULL, NULL, &tv));
    show("select_negative", select(-1, NULL, NULL, NULL, &tv));
    tv.tv_usec = -1;
    show("select_bad_tv", select(1, NULL, NULL, NULL, &tv));
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    tv.tv_sec = 0; tv.tv_usec = 30000;
    FD_ZERO(&r); FD_SET(p[1], &r);
    show("select_timeout", select(p[1] + 1, &r, NULL, NULL, &tv));
    printf("waited_enough=%d left=%ld.%06ld r=%d\n", ms_since(&t0) >= 30, (long)tv.tv_sec,
           (long)tv.tv_usec, FD_ISSET(p[1], &r));
    struct timespec ts = { 0, 0 };
    FD_ZERO(&r); FD_SET(p[0], &r);
    show("pselect", pselect(p[0] + 1, &r, NULL, NULL, &ts, NULL));
}

static void wait_show(const char *what, int ep, int max, int timeout)
{
    struct epoll_event ev[8];
    int n = epoll_wait(ep, ev, max, timeout);
    if (n < 0) {
        printf("%s=-1 %s\n", what, strerrorname_np(errno));
        return;
    }
    printf("%s=%d", what, n);
    for (int i = 0; i < n; i++)
        printf(" [%#x %lu]", ev[i].events, (unsigned long)ev[i].data.u64);
    printf("\n");
}

static int ctl(int ep, int op, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = { .events = events, .data.u64 = data };
    return epoll_ctl(ep, op, fd, &ev);
}

static void test_epoll(void)
{
    int a[2], b[2];
    struct epoll_event ev;
    pipe(a);
    pipe(b);
    show("create_badflags", epoll_create1(1));
    int ep = epoll_create1(EPOLL_CLOEXEC);
    printf("getfd=%d\n", fcntl(ep, F_GETFD));
    int file = open("/etc/passwd", O_RDONLY);
    show("ctl_regular_file", ctl(ep, EPOLL_CTL_ADD, file, EPOLLIN, 0));
    show("ctl_self", ctl(ep, EPOLL_CTL_ADD, ep, EPOLLIN, 0));
    show("ctl_not_epoll", ctl(a[0], EPOLL_CTL_ADD, b[0], EPOLLIN, 0));
    show("ctl_bad_fd", ctl(ep, EPOLL_CTL_ADD, 999, EPOLLIN, 0));
    show("ctl_bad_epfd", ctl(999, EPOLL_CTL_ADD, a[0], EPOLLIN, 0));
    show("ctl_del_missing", ctl(ep, EPOLL_CTL_DEL, a[0], 0, 0));
    show("ctl_mod_missing", ctl(ep, EPOLL_CTL_MOD, a[0], EPOLLIN, 0));
    show("ctl_bad_op", ctl(ep, 99, a[0], EPOLLIN, 0));
    show("ctl_null_event", epoll_ctl(ep, EPOLL_CTL_ADD, a[0], NULL));
    show("ctl_del_null_event", epoll_ctl(ep, EPOLL_CTL_DEL, a[0], NULL));
    show("ctl_exclusive_mod", ctl(ep, EPOLL_CTL_MOD, a[0], EPOLLIN | EPOLLEXCLUSIVE, 0));
    show("ctl_exclusive_bad_bits", ctl(ep, EPOLL_CTL_ADD, a[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT, 0));
    show("wait_zero_max", epoll_wait(ep, &ev, 0, 0));
    show("wait_bad_epfd", epoll_wait(999, &ev, 1, 0));
    show("wait_not_epoll", epoll_wait(a[0], &ev, 1, 0));

    /* level-triggered: reported while readable, and round-robin between ready items */
    show("add_a", ctl(ep, EPOLL_CTL_ADD, a[0], EPOLLIN, 1));
    show("add_a_again", ctl(ep, EPOLL_CTL_ADD, a[0], EPOLLIN, 1));
    show("add_b", ctl(ep, EPOLL_CTL_ADD, b[0], EPOLLIN, 2));
    wait_show("lt_nothing", ep, 8, 0);
    write(a[1], "x", 1);
    write(b[1], "y", 1);
    show("wait_efault", epoll_wait(ep, (struct epoll_event *)8, 1, 0));
    wait_show("lt_one", ep, 1, 0);
    wait_show("lt_one_again", ep, 1, 0);
    wait_show("lt_all", ep, 8, 0);
    wait_show("lt_still", ep, 8, 0);
    char c;
    read(a[0], &c, 1);
    read(b[0], &c, 1);
    wait_show("lt_drained", ep, 8, 0);

    /* edge-triggered: once per new write */
    show("mod_a_et", ctl(ep, EPOLL_CTL_MOD, a[0], EPOLLIN | EPOLLET, 11));
    write(a[1], "x", 1);
    wait_show("et_first", ep, 8, 0);
    wait_show("et_second", ep, 8, 0);
    write(a[1], "x", 1);
    wait_show("et_new_data", ep, 8, 0);
    read(a[0], &c, 1);
    read(a[0], &c, 1);

    /* one-shot: disarmed after one report until MOD */
    show("mod_a_oneshot", ctl(ep, EPOLL_CTL_MOD, a[0], EPOLLIN | EPOLLONESHOT, 12));
    write(a[1], "x", 1);
    wait_show("oneshot_first", ep, 8, 0);
    write(a[1], "x", 1);
    wait_show("oneshot_disarmed", ep, 8, 0);
    show("mod_rearm", ctl(ep, EPOLL_CTL_MOD, a[0], EPOLLIN | EPOLLONESHOT, 13));
    wait_show("oneshot_rearmed", ep, 8, 0);
    read(a[0], &c, 1);
    read(a[0], &c, 1);

    /* out events, hang-ups, RDHUP on a pipe */
    show("add_write_end", ctl(ep, EPOLL_CTL_ADD, b[1], EPOLLOUT, 3));
    wait_show("writable", ep, 8, 0);
    show("del_write_end", ctl(ep, EPOLL_CTL_DEL, b[1], 0, 0));
    show("mod_b_rdhup", ctl(ep, EPOLL_CTL_MOD, b[0], EPOLLIN | EPOLLRDHUP, 4));
    close(b[1]);
    wait_show("hangup", ep, 8, 0);

    /* an eventfd, and a nested epoll */
    int efd = eventfd(0, EFD_NONBLOCK);
    int inner = epoll_create1(0);
    show("add_eventfd", ctl(inner, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLOUT, 5));
    show("add_inner", ctl(ep, EPOLL_CTL_ADD, inner, EPOLLIN, 6));
    show("add_loop", ctl(inner, EPOLL_CTL_ADD, ep, EPOLLIN, 7));
    show("del_b", ctl(ep, EPOLL_CTL_DEL, b[0], 0, 0));
    wait_show("nested", ep, 8, 0);
    wait_show("inner", inner, 8, 0);
    uint64_t one = 1;
    write(efd, &one, 8);
    wait_show("inner_after_write", inner, 8, 0);

    /* closing the last descriptor of a file removes it; a dup keeps it */
    show("del_inner", ctl(ep, EPOLL_CTL_DEL, inner, 0, 0));
    close(b[0]);
    show("mod_a_level", ctl(ep, EPOLL_CTL_MOD, a[0], EPOLLIN, 14));
    int d = dup(a[0]);
    close(a[0]);
    write(a[1], "x", 1);
    wait_show("dup_keeps_item", ep, 8, 0);
    close(d);
    wait_show("closed_removes_item", ep, 8, 0);
    show("readd_closed_fd", ctl(ep, EPOLL_CTL_ADD, a[0], EPOLLIN, 0));
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    wait_show("wait_timeout", ep, 8, 30);
    printf("waited_enough=%d\n", ms_since(&t0) >= 30);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *what = argc > 1 ? argv[1] : "";
    if (!strcmp(what, "pipe"))
        test_pipe();
    else if (!strcmp(what, "eventfd"))
        test_eventfd();
    else if (!strcmp(what, "poll"))
        test_poll();
    else if (!strcmp(what, "select"))
        test_select();
    else if (!strcmp(what, "epoll"))
        test_epoll();
    else if (!strcmp(what, "sigpipe")) {
        int p[2];
        pipe(p);
        close(p[0]);
        sigset_t pipe_set;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        sigprocmask(SIG_BLOCK, &pipe_set, NULL);
        long r = write(p[1], "x", 1);
        printf("blocked: write=%ld %s\n", r, strerrorname_np(errno));
        sigprocmask(SIG_UNBLOCK, &pipe_set, NULL);   /* the pending SIGPIPE ends the program */
        printf("survived\n");
    } else {
        fprintf(stderr, "usage: poll pipe|eventfd|poll|select|epoll|sigpipe\n");
        return 2;
    }
    return 0;
}
