/* /dev/kmsg as Linux serves it (tests/boot/test_kmsg.py). Section 1 only reads, so the same
 * program on the host (qemu-aarch64-static, as root) is its oracle: it checks the format and
 * the semantics (one record per read, EINVAL for a short buffer, EAGAIN at the end, the seeks,
 * poll), never the host's log contents. Section 2 ("write" given) writes records and floods the
 * ring, so it runs in the guest only; its expected lines are Linux 6.1's printk.c. */
#define _GNU_SOURCE
#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "probe_print.h"

static char buf[8192];

/* "prio,seq,usec,flags;text\n", then any " KEY=VALUE\n" dictionary lines (a device's message on
 * Linux carries SUBSYSTEM= and DEVICE=): the seq, or -1 when the record is not so. */
static long long parse(const char *rec, long n, int *prio, const char **text)
{
    char *end;
    if (n < 8 || rec[n - 1] != '\n')
        return -1;
    for (const char *nl = memchr(rec, '\n', n - 1); nl; nl = memchr(nl + 1, '\n', rec + n - 1 - (nl + 1)))
        if (nl[1] != ' ')
            return -1;
    long p = strtol(rec, &end, 10);
    if (*end != ',')
        return -1;
    long long seq = strtoll(end + 1, &end, 10);
    if (*end != ',')
        return -1;
    strtoull(end + 1, &end, 10);
    if (*end != ',' || (end[1] != '-' && end[1] != 'c') || (end[2] != ';' && end[2] != ','))
        return -1;
    *prio = (int)p;
    *text = strchr(end, ';') + 1;
    return seq;
}

static long long usec_of(const char *rec)
{
    const char *c = strchr(strchr(rec, ',') + 1, ',') + 1;
    return strtoll(c, NULL, 10);
}

static void section_read(void)
{
    say("1. reading\n");
    int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
    r("open O_RDONLY|O_NONBLOCK", fd);
    struct stat st;
    fstat(fd, &st);
    say("   chr %d mode %o rdev %u:%u\n", S_ISCHR(st.st_mode), st.st_mode & 07777, major(st.st_rdev), minor(st.st_rdev));
    long n = read(fd, buf, sizeof(buf));
    int prio;
    const char *text;
    long long first = parse(buf, n, &prio, &text);
    say("   first record: well formed %d\n", first >= 0);
    long long usec = usec_of(buf);
    int consecutive = 1, monotonic = 1, formed = 1;
    for (int i = 0; i < 5; i++) {
        n = read(fd, buf, sizeof(buf));
        if (n < 0)
            break;
        long long seq = parse(buf, n, &prio, &text);
        formed &= seq >= 0;
        consecutive &= seq == first + i + 1;
        monotonic &= usec_of(buf) >= usec;
        usec = usec_of(buf);
    }
    say("   next records: well formed %d, consecutive %d, time non-decreasing %d\n", formed, consecutive, monotonic);
    r("lseek 0 SEEK_SET", lseek(fd, 0, SEEK_SET));
    r("read into 8 bytes", read(fd, buf, 8));
    n = read(fd, buf, sizeof(buf));
    say("   the short read skipped the first: %d\n", parse(buf, n, &prio, &text) == first + 1);
    long whole = n;                  /* the second record's length: back to it, one byte short */
    lseek(fd, 0, SEEK_SET);
    read(fd, buf, sizeof(buf));
    r("read one byte short of the next", read(fd, buf, whole - 1) < 0 ? -1 : 0);
    lseek(fd, 0, SEEK_SET);
    n = read(fd, buf, sizeof(buf));
    say("   SEEK_SET: the first again: %d\n", parse(buf, n, &prio, &text) == first);
    whole = read(fd, buf, sizeof(buf));
    lseek(fd, 0, SEEK_SET);
    read(fd, buf, sizeof(buf));
    r("read exactly the next", read(fd, buf, whole) == whole ? 0 : -1);
    int fd2 = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
    n = read(fd2, buf, sizeof(buf));
    say("   another open starts at the first: %d\n", parse(buf, n, &prio, &text) == first);
    n = pread(fd2, buf, sizeof(buf), 12345);
    say("   pread reads the next (offset ignored): %d\n", parse(buf, n, &prio, &text) == first + 1);
    close(fd2);
    r("lseek 1 SEEK_SET", lseek(fd, 1, SEEK_SET));
    r("lseek 0 SEEK_CUR", lseek(fd, 0, SEEK_CUR));
    r("lseek 0 SEEK_HOLE", lseek(fd, 0, SEEK_HOLE));
    r("lseek 0 whence 9", lseek(fd, 0, 9));
    r("lseek 0 SEEK_DATA", lseek(fd, 0, SEEK_DATA));
    struct pollfd pfd = { fd, POLLIN | POLLOUT, 0 };
    lseek(fd, 0, SEEK_SET);
    r("poll with records to read", poll(&pfd, 1, 0));
    say("   revents %#x\n", pfd.revents);
    r("lseek 0 SEEK_END", lseek(fd, 0, SEEK_END));
    r("read at the end", read(fd, buf, sizeof(buf)));
    pfd.revents = 0;
    r("poll at the end", poll(&pfd, 1, 0));
    close(fd);
}

/* The record a write just added, read from fd (at the end before it): prio and text. */
static void written(int fd, const char *what, const char *msg)
{
    long w = write(fd, msg, strlen(msg));
    long n = read(fd, buf, sizeof(buf));
    int prio = -1;
    const char *text = "";
    if (n > 0)
        parse(buf, n, &prio, &text);
    say("   %s: write = %ld, record prio %d text \"%.*s\"\n", what, w, prio, (int)(strcspn(text, "\n")), text);
}

static void section_write(void)
{
    say("2. writing\n");
    int fd = open("/dev/kmsg", O_RDWR | O_NONBLOCK);
    int behind = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
    lseek(fd, 0, SEEK_END);
    written(fd, "\"<5>hello\\n\"", "<5>hello\n");
    written(fd, "\"plain\"", "plain");
    written(fd, "\"<30>daemon\"", "<30>daemon");
    written(fd, "\"<x>odd\"", "<x>odd");
    written(fd, "\"<>empty\"", "<>empty");
    written(fd, "a tab and a backslash", "tab\there \\ ok");
    static char big[1200];
    memset(big, 'b', sizeof(big));
    r("write 993 bytes", write(fd, big, 993));
    r("write 992 bytes", write(fd, big, 992));
    long n = read(fd, buf, sizeof(buf));
    say("   its record holds 992: %d\n", n > 992 && buf[n - 2] == 'b' && buf[n - 994] == ';');
    /* A burst of 10 per open file (counting the 7 above), the rest dropped and counted at close. */
    int burst = open("/dev/kmsg", O_RDWR | O_NONBLOCK);
    lseek(burst, 0, SEEK_END);
    int taken = 0;
    for (int i = 0; i < 12; i++)
        taken += write(burst, "burst", 5) == 5;
    int kept = 0;
    while ((n = read(burst, buf, sizeof(buf))) > 0)
        kept++;
    say("   12 writes in a burst: %d said taken, %d records\n", taken, kept);
    close(burst);
    n = read(fd, buf, sizeof(buf));
    while (n > 0 && strstr(buf, ";burst"))
        n = read(fd, buf, sizeof(buf));
    int cprio = -1;
    const char *ctext = "";
    if (n > 0)
        parse(buf, n, &cprio, &ctext);
    say("   at its close: prio %d \"%.*s\"\n", cprio, (int)strcspn(ctext, "\n"), ctext);
    int wo = open("/dev/kmsg", O_WRONLY);
    r("open O_WRONLY, write", write(wo, "w", 1));
    close(wo);
    /* Flood the ring (128 KiB) so the reader left at the first record loses some. */
    for (int i = 0; i < 20; i++) {
        int w = open("/dev/kmsg", O_WRONLY);
        for (int j = 0; j < 10; j++)
            write(w, big, 900);
        close(w);
    }
    struct pollfd pfd = { behind, POLLIN, 0 };
    poll(&pfd, 1, 0);
    say("   the overtaken reader polls %#x\n", pfd.revents);
    r("its read", read(behind, buf, sizeof(buf)));
    n = read(behind, buf, sizeof(buf));
    int prio;
    const char *text;
    say("   then it reads on: %d\n", n > 0 && parse(buf, n, &prio, &text) >= 0);
    r("SYSLOG_ACTION_CLEAR", klogctl(5, NULL, 0));
    write(fd, "after the clear", 15);
    r("lseek 0 SEEK_DATA", lseek(fd, 0, SEEK_DATA));
    n = read(fd, buf, sizeof(buf));
    say("   reads \"%.*s\"\n", n > 0 ? (int)strcspn(strchr(buf, ';') + 1, "\n") : 0, n > 0 ? strchr(buf, ';') + 1 : "");
    close(behind);
    close(fd);
}

int main(int argc, char **argv)
{
    alarm(30);
    section_read();
    if (argc > 1 && !strcmp(argv[1], "write"))
        section_write();
    return 0;
}
