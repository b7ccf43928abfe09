/* The kernel log through syslog(2), as dmesg and klogd use it: `klog` prints one line per check
 * ("name: value"). Only for our kernel: the actions that change the log (READ consumes it,
 * CLEAR empties READ_ALL) cannot be tried on the host the oracle runs on. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

enum { READ = 2, READ_ALL = 3, READ_CLEAR = 4, CLEAR = 5, CONSOLE_OFF = 6, CONSOLE_ON = 7,
       CONSOLE_LEVEL = 8, SIZE_UNREAD = 9, SIZE_BUFFER = 10 };

static char all[1 << 17], part[1 << 17];

/* Every line "<level>[seconds.micros] text", times never going back. */
static int well_formed(const char *text, long n)
{
    double last = 0;
    for (const char *line = text; line < text + n;) {
        const char *end = memchr(line, '\n', text + n - line);
        int level, used = 0;
        unsigned long sec, usec;
        if (!end || sscanf(line, "<%d>[%5lu.%6lu] %n", &level, &sec, &usec, &used) != 3 || !used ||
            level < 0 || level > 7 || sec + usec / 1e6 < last)
            return 0;
        last = sec + usec / 1e6;
        line = end + 1;
    }
    return 1;
}

static void on_alarm(int sig) { (void)sig; }

int main(void)
{
    alarm(60);                         /* every wait is bounded */
    printf("size buffer: %d\n", klogctl(SIZE_BUFFER, NULL, 0));
    long n = klogctl(READ_ALL, all, sizeof(all));
    all[n > 0 ? n : 0] = 0;
    printf("read all: some %d, well formed %d\n", n > 0, well_formed(all, n));
    printf("boot banner at info level: %d\n", strstr(all, "<6>[") && strstr(all, "] unibuild kernel "));
    printf("size unread = read all: %d\n", klogctl(SIZE_UNREAD, NULL, 0) == n);

    /* READ consumes: a short buffer takes part of the first record, the rest follows. */
    long first = klogctl(READ, part, 10);
    printf("read 10: %ld, unread now %d\n", first, klogctl(SIZE_UNREAD, NULL, 0) == n - first);
    long rest = klogctl(READ, part + first, sizeof(part) - first);
    printf("read rest: all that was unread %d, same text as read all %d, unread now %d\n", first + rest == n,
           !memcmp(part, all, n), klogctl(SIZE_UNREAD, NULL, 0));
    printf("read all again: unchanged by the reads %d\n", klogctl(READ_ALL, part, sizeof(part)) == n);

    /* Nothing unread: READ waits, and a signal without SA_RESTART ends the wait (the timer
     * repeats: one that fires before the call is followed by one that finds it waiting). */
    struct sigaction sa = {.sa_handler = on_alarm};
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {.it_value = {0, 100000}, .it_interval = {0, 100000}}, off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &it, NULL);
    long r = klogctl(READ, part, 100);
    int read_errno = errno;
    setitimer(ITIMER_REAL, &off, NULL);
    errno = read_errno;
    signal(SIGALRM, SIG_DFL);
    alarm(60);                         /* the backstop again (it shares the timer) */
    printf("read with nothing unread: %ld %s\n", r, r < 0 ? strerrorname_np(errno) : "");

    printf("clear: %d, read all after it %d, size unread %d\n", klogctl(CLEAR, NULL, 0), klogctl(READ_ALL, part, sizeof(part)),
           klogctl(SIZE_UNREAD, NULL, 0));
    syscall(500);                      /* a number nobody implements: the kernel logs it once */
    n = klogctl(READ_ALL, all, sizeof(all));
    all[n > 0 ? n : 0] = 0;
    printf("a new message: well formed %d, logged %d\n", well_formed(all, n),
           strstr(all, "syscall: unknown (500) not implemented, returning ENOSYS\n") != NULL);
    printf("read clear: the same %d, read all after it %d\n", klogctl(READ_CLEAR, part, sizeof(part)) == n,
           klogctl(READ_ALL, part, sizeof(part)));
    printf("unread: the new message %d\n", klogctl(SIZE_UNREAD, NULL, 0) == n);

    printf("console off %d, on %d, level 8 %d, level 0 %d, level 9 %d\n", klogctl(CONSOLE_OFF, NULL, 0),
           klogctl(CONSOLE_ON, NULL, 0), klogctl(CONSOLE_LEVEL, NULL, 8), klogctl(CONSOLE_LEVEL, NULL, 0),
           klogctl(CONSOLE_LEVEL, NULL, 9));
    klogctl(CONSOLE_LEVEL, NULL, 7);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        if (setuid(65534))
            _exit(1);
        printf("as nobody: size buffer %s, clear %s\n", klogctl(SIZE_BUFFER, NULL, 0) < 0 ? strerrorname_np(errno) : "0",
               klogctl(CLEAR, NULL, 0) < 0 ? strerrorname_np(errno) : "0");
        _exit(0);
    }
    waitpid(child, NULL, 0);
    return 0;
}
