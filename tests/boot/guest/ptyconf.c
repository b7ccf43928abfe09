/* Pseudo-terminals against Linux: /dev/ptmx and /dev/pts (posix_openpt, grantpt, unlockpt,
 * ptsname, TIOCGPTN, TIOCSPTLCK, TIOCGPTPEER), the slave's stat and name, N_TTY's termios,
 * canonical editing and echo, non-canonical VMIN/VTIME, output processing, ISIG, window size,
 * controlling terminals and job control (SIGTTIN/SIGTTOU), the master's hangup, the slave's
 * close, poll/epoll readiness, openpty/forkpty/login_tty, the session leader's exit and packet
 * mode. Run by tests/boot/test_pty.py; its
 * oracle is the same binary under qemu-aarch64-static.
 *
 * Prints only what Linux decides: no pty numbers, pids or times. Only ptys it opens itself are
 * touched, and every child calls setsid() before any terminal control. Linux hands what the
 * master writes to the line discipline from a work queue, so whatever the other side should
 * have is waited for with poll (bounded), never assumed to be there at once. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <utmp.h>
#include "probe_print.h"

static char *escaped(const char *buf, long n)
{
    static char out[4096];
    size_t o = 0;
    for (long i = 0; i < n && o + 5 < sizeof(out); i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == '\n') o += sprintf(out + o, "\\n");
        else if (c == '\r') o += sprintf(out + o, "\\r");
        else if (c == '\\') o += sprintf(out + o, "\\\\");
        else if (c < 32 || c >= 127) o += sprintf(out + o, "\\x%02x", c);
        else out[o++] = (char)c;
    }
    out[o] = 0;
    return out;
}

/* Everything fd has for us: the first byte within 2 s when some is expected, then until 50 ms
 * pass quietly. */
static long drain(int fd, char *buf, size_t size, int expect)
{
    long got = 0;
    int wait = expect ? 2000 : 100;
    while ((size_t)got < size) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, wait) <= 0 || !(p.revents & POLLIN))
            break;
        long n = read(fd, buf + got, size - got);
        if (n <= 0)
            break;
        got += n;
        wait = 50;
    }
    return got;
}

static void show_drain(const char *what, int fd, int expect)
{
    char buf[1024];
    long n = drain(fd, buf, sizeof(buf), expect);
    say("   %s: \"%s\"\n", what, escaped(buf, n));
}

/* Type `in` at the master, then show one read of the slave (what canonical mode gives) and what
 * the master shows (the echo). */
static void typed_n(int m, int s, const char *label, const char *in, size_t len, size_t readsize)
{
    char buf[512];
    write(m, in, len);
    struct pollfd p = { s, POLLIN, 0 };
    poll(&p, 1, 2000);
    long n = read(s, buf, readsize);
    if (n < 0)
        say("   %s: read = -1 %s\n", label, strerrorname_np(errno));
    else
        say("   %s: read %ld \"%s\"\n", label, n, escaped(buf, n));
    show_drain("     echo", m, 1);
}

static void typed(int m, int s, const char *label, const char *in, size_t len, size_t readsize)
{
    (void)len;
    typed_n(m, s, label, in, strlen(in), readsize);
}

static int open_pair(int *m, char *name, size_t size)
{
    *m = posix_openpt(O_RDWR | O_NOCTTY);
    if (*m < 0 || grantpt(*m) || unlockpt(*m) || ptsname_r(*m, name, size))
        return -1;
    return open(name, O_RDWR | O_NOCTTY);
}

static void set_lflag(int s, tcflag_t on, tcflag_t off)
{
    struct termios t;
    tcgetattr(s, &t);
    t.c_lflag = (t.c_lflag | on) & ~off;
    tcsetattr(s, TCSANOW, &t);
}

static void section_devices(void)
{
    say("1. /dev/ptmx and /dev/pts\n");
    struct stat st;
    r("stat /dev/ptmx", stat("/dev/ptmx", &st));
    say("   mode %o rdev %u:%u\n", st.st_mode, major(st.st_rdev), minor(st.st_rdev));
    r("stat /dev/pts/ptmx", stat("/dev/pts/ptmx", &st));
    say("   mode %o rdev %u:%u blksize %ld\n", st.st_mode, major(st.st_rdev), minor(st.st_rdev), (long)st.st_blksize);
    int path_fd = open("/dev/ptmx", O_PATH);
    r("fstat of an O_PATH /dev/ptmx", fstat(path_fd, &st));
    say("   mode %o rdev %u:%u\n", st.st_mode, major(st.st_rdev), minor(st.st_rdev));
    close(path_fd);
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    say("   posix_openpt ok %d, cloexec %d\n", m >= 0, (fcntl(m, F_GETFD) & FD_CLOEXEC) != 0);
    r("fstat master", fstat(m, &st));
    say("   mode %o rdev %u:%u isatty %d\n", st.st_mode, major(st.st_rdev), minor(st.st_rdev), isatty(m));
    unsigned n;
    r("TIOCGPTN", ioctl(m, TIOCGPTN, &n));
    char path[64], name[64];
    snprintf(path, sizeof(path), "/dev/pts/%u", n);
    int lock = -1;
    char info[64], line[128];
    snprintf(info, sizeof(info), "/proc/self/fdinfo/%d", m);
    FILE *fi = fopen(info, "r");
    int index_line = -1;
    while (fi && fgets(line, sizeof(line), fi))
        if (!strncmp(line, "tty-index:", 10))
            index_line = (unsigned)atoi(line + 10) == n;
    if (fi)
        fclose(fi);
    say("   fdinfo's tty-index is TIOCGPTN's %d\n", index_line);
    r("TIOCGPTLCK", ioctl(m, TIOCGPTLCK, &lock));
    say("   locked before unlockpt %d\n", lock);
    r("open slave while locked", open(path, O_RDWR | O_NOCTTY));
    r("TIOCGPTPEER while locked", ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY));
    int opath = open(path, O_PATH);
    say("   O_PATH open while locked ok %d\n", opath >= 0);
    close(opath);
    r("grantpt", grantpt(m));
    r("unlockpt", unlockpt(m));
    ioctl(m, TIOCGPTLCK, &lock);
    say("   locked after unlockpt %d\n", lock);
    r("ptsname_r", ptsname_r(m, name, sizeof(name)));
    say("   ptsname is TIOCGPTN's: %d\n", !strcmp(name, path));
    char buf[16];
    r("read master before any slave (nonblocking)", (fcntl(m, F_SETFL, O_NONBLOCK), read(m, buf, sizeof(buf))));
    fcntl(m, F_SETFL, 0);
    int s = open(path, O_RDWR | O_NOCTTY);
    say("   open slave ok %d\n", s >= 0);
    r("stat slave path", stat(path, &st));
    struct stat fst;
    r("fstat slave", fstat(s, &fst));
    say("   mode %o major %u minor is N %d blksize %ld uid %u same inode %d\n", fst.st_mode, major(fst.st_rdev),
        minor(fst.st_rdev) == n, (long)fst.st_blksize, fst.st_uid, st.st_ino == fst.st_ino && st.st_dev == fst.st_dev);
    say("   isatty %d ttyname is ptsname %d\n", isatty(s), ttyname(s) && !strcmp(ttyname(s), name));
    char link[64], fdpath[64];
    snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", s);
    long len = readlink(fdpath, link, sizeof(link) - 1);
    link[len > 0 ? len : 0] = 0;
    say("   /proc/self/fd link is ptsname %d\n", !strcmp(link, name));
    DIR *d = opendir("/dev/pts");
    int listed = 0, ptmx = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        listed += !strcmp(e->d_name, path + 9);
        ptmx += !strcmp(e->d_name, "ptmx");
    }
    if (d)
        closedir(d);
    say("   /dev/pts lists it %d, ptmx %d\n", listed, ptmx);
    r("TIOCGPTN on the slave", ioctl(s, TIOCGPTN, &n));
    r("TIOCGPTPEER on the slave", ioctl(s, TIOCGPTPEER, O_RDWR));
    int peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    say("   TIOCGPTPEER ok %d cloexec %d\n", peer >= 0, (fcntl(peer, F_GETFD) & FD_CLOEXEC) != 0);
    fstat(peer, &st);
    say("   peer is the slave %d\n", st.st_rdev == fst.st_rdev);
    r("unlockpt on the slave", unlockpt(s));
    r("grantpt on /dev/null", grantpt(open("/dev/null", O_RDONLY)));
    r("TIOCEXCL", ioctl(s, TIOCEXCL));
    int again = open(path, O_RDWR | O_NOCTTY);
    say("   exclusive, root opens it again %d\n", again >= 0);
    close(again);
    r("TIOCNXCL", ioctl(s, TIOCNXCL));
    int ld = -1;
    r("TIOCGETD", ioctl(s, TIOCGETD, &ld));
    say("   line discipline %d\n", ld);
    close(peer);
    close(s);
    close(m);                 /* (its number is free now: another pty on the host may take it) */
}

static void section_termios(int m, int s)
{
    say("2. termios\n");
    struct termios t;
    for (int side = 0; side < 2; side++) {
        r(side ? "tcgetattr master" : "tcgetattr slave", tcgetattr(side ? m : s, &t));
        say("   iflag %o oflag %o cflag %o lflag %o line %d speed %d/%d\n   cc", t.c_iflag, t.c_oflag, t.c_cflag,
            t.c_lflag, t.c_line, (int)cfgetispeed(&t), (int)cfgetospeed(&t));
        for (int i = 0; i < 17; i++)
            say(" %d", t.c_cc[i]);
        say("\n");
    }
    tcgetattr(s, &t);
    struct termios changed = t;
    changed.c_lflag &= ~ECHO;
    changed.c_cc[VERASE] = 8;
    r("tcsetattr TCSAFLUSH", tcsetattr(s, TCSAFLUSH, &changed));
    struct termios back;
    tcgetattr(s, &back);
    say("   lflag %o verase %d\n", back.c_lflag, back.c_cc[VERASE]);
    r("tcsetattr TCSADRAIN", tcsetattr(s, TCSADRAIN, &t));
    r("tcsetattr bad action", tcsetattr(s, 42, &t));
    r("tcgetattr on /dev/null", tcgetattr(open("/dev/null", O_RDONLY), &t));
    struct winsize ws = { 0 };
    r("TIOCGWINSZ", ioctl(s, TIOCGWINSZ, &ws));
    say("   %d x %d\n", ws.ws_row, ws.ws_col);
    ws.ws_row = 24;
    ws.ws_col = 80;
    r("TIOCSWINSZ via master", ioctl(m, TIOCSWINSZ, &ws));
    memset(&ws, 0, sizeof(ws));
    r("TIOCGWINSZ slave", ioctl(s, TIOCGWINSZ, &ws));
    say("   %d x %d\n", ws.ws_row, ws.ws_col);
}

static void section_canonical(int m, int s)
{
    say("3. canonical mode, editing and echo\n");
    typed(m, s, "line", "abc\n", 4, 100);
    typed(m, s, "erase", "ab\177c\n", 5, 100);
    typed(m, s, "kill", "xyz\025q\n", 6, 100);
    typed(m, s, "werase", "one two\027x\n", 11, 100);
    typed(m, s, "werase after spaces", "foo bar  \027\n", 11, 100);
    typed(m, s, "eof ends a line", "ab\004", 3, 100);
    typed(m, s, "eof alone", "\004", 1, 100);
    typed_n(m, s, "a NUL is data (VEOL 0 is disabled)", "nu\0l\n", 5, 100);
    typed(m, s, "lnext", "\026\003\n", 3, 100);
    typed(m, s, "control echo", "\001\n", 2, 100);
    typed(m, s, "carriage return", "cr\r", 3, 100);
    typed(m, s, "short read", "hello\n", 6, 3);
    char buf[16];
    long n = read(s, buf, sizeof(buf));
    say("   rest: %ld \"%s\"\n", n, escaped(buf, n > 0 ? n : 0));
    write(m, "partial", 7);
    show_drain("     echo", m, 1);
    int avail = -1;
    r("FIONREAD, line unfinished", ioctl(s, FIONREAD, &avail));
    say("   %d\n", avail);
    write(m, "\n", 1);
    struct pollfd p = { s, POLLIN, 0 };
    poll(&p, 1, 2000);
    r("FIONREAD, line done", ioctl(s, FIONREAD, &avail));
    say("   %d\n", avail);
    n = read(s, buf, sizeof(buf));
    say("   read %ld \"%s\"\n", n, escaped(buf, n > 0 ? n : 0));
    show_drain("     echo", m, 1);

    struct termios t, saved;
    tcgetattr(s, &saved);
    t = saved;
    t.c_lflag &= ~ECHOE;
    tcsetattr(s, TCSANOW, &t);
    typed(m, s, "erase without ECHOE", "ab\177\n", 4, 100);
    t.c_lflag |= ECHOE;
    t.c_lflag &= ~ECHOKE;
    tcsetattr(s, TCSANOW, &t);
    typed(m, s, "kill without ECHOKE", "ab\025c\n", 5, 100);
    t = saved;
    t.c_lflag &= ~ECHO;
    t.c_lflag |= ECHONL;
    tcsetattr(s, TCSANOW, &t);
    typed(m, s, "ECHONL without ECHO", "quiet\n", 6, 100);
    t = saved;
    t.c_lflag &= ~ECHOCTL;
    tcsetattr(s, TCSANOW, &t);
    typed(m, s, "no ECHOCTL", "\001\n", 2, 100);
    t = saved;
    t.c_cc[VEOL] = ';';
    tcsetattr(s, TCSANOW, &t);
    typed(m, s, "VEOL", "a;b\n", 4, 100);
    n = read(s, buf, sizeof(buf));
    say("   then %ld \"%s\"\n", n, escaped(buf, n > 0 ? n : 0));
    t = saved;
    t.c_iflag &= ~ICRNL;
    t.c_iflag |= IGNCR;
    tcsetattr(s, TCSANOW, &t);
    typed(m, s, "IGNCR", "i\rg\n", 4, 100);
    t = saved;
    t.c_iflag &= ~ICRNL;
    t.c_iflag |= INLCR;
    t.c_cc[VEOL] = '\r';
    tcsetattr(s, TCSANOW, &t);
    typed(m, s, "INLCR", "nl\n", 3, 100);
    t = saved;
    t.c_lflag &= ~IEXTEN;
    tcsetattr(s, TCSANOW, &t);
    typed(m, s, "werase without IEXTEN", "a b\027\n", 5, 100);
    tcsetattr(s, TCSANOW, &saved);
}

static void section_output(int m, int s)
{
    say("4. output processing\n");
    struct termios t, saved;
    tcgetattr(s, &saved);
    write(s, "x\ny\r", 4);
    show_drain("ONLCR", m, 1);
    t = saved;
    t.c_oflag |= OCRNL;
    tcsetattr(s, TCSANOW, &t);
    write(s, "a\rb\n", 4);
    show_drain("OCRNL", m, 1);
    t.c_oflag &= ~OPOST;
    tcsetattr(s, TCSANOW, &t);
    write(s, "raw\n", 4);
    show_drain("no OPOST", m, 1);
    tcsetattr(s, TCSANOW, &saved);
    int q = -1;
    write(s, "queued", 6);
    struct pollfd p = { m, POLLIN, 0 };
    poll(&p, 1, 2000);
    r("TIOCOUTQ slave", ioctl(s, TIOCOUTQ, &q));
    say("   %d\n", q);
    r("FIONREAD master", ioctl(m, FIONREAD, &q));
    say("   %d\n", q);
    r("tcflush master TCIFLUSH", tcflush(m, TCIFLUSH));
    show_drain("after flush", m, 0);
    r("tcflush bad queue", tcflush(s, 7));
    r("tcflow TCOOFF", tcflow(s, TCOOFF));
    r("tcflow TCOON", tcflow(s, TCOON));
    r("tcflow bad", tcflow(s, 9));
    r("tcdrain", tcdrain(s));
    r("tcsendbreak", tcsendbreak(s, 0));
    r("tcdrain on the master", tcdrain(m));
}

static void section_raw(int m, int s)
{
    say("5. non-canonical mode\n");
    struct termios t, saved;
    tcgetattr(s, &saved);
    t = saved;
    t.c_lflag &= ~(ICANON | ECHO);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    tcsetattr(s, TCSANOW, &t);
    char buf[64];
    write(m, "xy", 2);
    struct pollfd p = { s, POLLIN, 0 };
    poll(&p, 1, 2000);
    usleep(50000);
    long n = read(s, buf, sizeof(buf));
    say("   VMIN 1: %ld \"%s\"\n", n, escaped(buf, n > 0 ? n : 0));
    t.c_cc[VMIN] = 0;
    tcsetattr(s, TCSANOW, &t);
    n = read(s, buf, sizeof(buf));
    say("   VMIN 0 VTIME 0, nothing there: %ld\n", n);
    t.c_cc[VTIME] = 1;
    tcsetattr(s, TCSANOW, &t);
    n = read(s, buf, sizeof(buf));
    say("   VMIN 0 VTIME 1, nothing there: %ld\n", n);
    t.c_cc[VMIN] = 3;
    t.c_cc[VTIME] = 0;
    tcsetattr(s, TCSANOW, &t);
    write(m, "abcd", 4);
    n = read(s, buf, sizeof(buf));
    say("   VMIN 3: %ld \"%s\"\n", n, escaped(buf, n > 0 ? n : 0));
    t.c_cc[VMIN] = 2;
    t.c_cc[VTIME] = 2;
    tcsetattr(s, TCSANOW, &t);
    write(m, "z", 1);
    n = read(s, buf, sizeof(buf));
    say("   VMIN 2 VTIME 2, one byte: %ld \"%s\"\n", n, escaped(buf, n > 0 ? n : 0));
    t.c_cc[VMIN] = 1;
    t.c_lflag &= ~ISIG;
    tcsetattr(s, TCSANOW, &t);
    write(m, "\003\032", 2);
    poll(&p, 1, 2000);
    usleep(50000);
    n = read(s, buf, sizeof(buf));
    say("   no ISIG: %ld \"%s\"\n", n, escaped(buf, n > 0 ? n : 0));
    write(m, "unfinished", 10);
    poll(&p, 1, 2000);
    tcsetattr(s, TCSANOW, &saved);
    int avail = -1;
    usleep(100000);
    ioctl(s, FIONREAD, &avail);
    say("   canonical again, FIONREAD %d\n", avail);
    tcflush(s, TCIOFLUSH);
    show_drain("echo", m, 0);
}

static volatile sig_atomic_t got[65];
static void count(int sig) { got[sig]++; }

static void catch(int sig, void (*h)(int))
{
    struct sigaction sa = { 0 };
    sa.sa_handler = h;
    sigaction(sig, &sa, NULL);
}

static void block(int sig, int how)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(how, &set, NULL);
}

/* Tell the parent we are ready, then wait for sig (blocked until the wait: none is lost). */
static void ready_for(int ready, int sig)
{
    block(sig, SIG_BLOCK);
    write(ready, "r", 1);
    sigset_t none;
    sigemptyset(&none);
    while (!got[sig])
        sigsuspend(&none);
    block(sig, SIG_UNBLOCK);
}

static void wait_child(const char *what, pid_t pid)
{
    int status;
    if (waitpid(pid, &status, 0) != pid)
        say("   %s: waitpid failed\n", what);
    else if (WIFEXITED(status))
        say("   %s: exited %d\n", what, WEXITSTATUS(status));
    else
        say("   %s: killed by %d\n", what, WTERMSIG(status));
}

/* The child's side of section 6: a session whose terminal is the slave. */
static void session_child(const char *name, int m, int ready)
{
    close(m);
    alarm(20);
    r("child setsid ok", setsid() > 0 ? 0 : -1);
    r("child open /dev/tty before", open("/dev/tty", O_RDWR));
    int s = open(name, O_RDWR);          /* no O_NOCTTY: becomes the session's terminal */
    say("   child open slave ok %d\n", s >= 0);
    say("   tcgetpgrp is our group %d, tcgetsid is our session %d\n", tcgetpgrp(s) == getpgrp(), tcgetsid(s) == getsid(0));
    int tty = open("/dev/tty", O_RDWR);
    say("   child open /dev/tty ok %d, same device %d\n", tty >= 0, isatty(tty));
    r("TIOCSCTTY again", ioctl(s, TIOCSCTTY, 0));
    catch(SIGINT, count);
    catch(SIGQUIT, count);
    catch(SIGTSTP, count);
    catch(SIGWINCH, count);
    catch(SIGTTIN, count);
    catch(SIGTTOU, count);
    ready_for(ready, SIGINT);               /* the parent types ^C, ^\\, ^Z */
    say("   SIGINT %d\n", got[SIGINT]);
    ready_for(ready, SIGQUIT);
    say("   SIGQUIT %d\n", got[SIGQUIT]);
    ready_for(ready, SIGTSTP);
    say("   SIGTSTP %d\n", got[SIGTSTP]);
    char buf[64];
    long n;
    struct winsize ws = { 30, 100, 0, 0 };
    ioctl(s, TIOCSWINSZ, &ws);
    ioctl(s, TIOCSWINSZ, &ws);            /* unchanged: no second signal */
    say("   SIGWINCH %d\n", got[SIGWINCH]);

    /* A background group in the session. */
    set_lflag(s, TOSTOP, 0);
    pid_t bg = fork();
    if (bg == 0) {
        setpgid(0, 0);
        n = read(s, buf, sizeof(buf));
        say("   background read: %ld %s, SIGTTIN %d\n", n, n < 0 ? strerrorname_np(errno) : "", got[SIGTTIN]);
        catch(SIGTTIN, SIG_IGN);
        r("background read, SIGTTIN ignored", read(s, buf, sizeof(buf)));
        r("background write, TOSTOP set by the leader", write(s, "bg", 2));
        r("background tcsetattr", ioctl(s, TCSETS, &(struct termios){ 0 }));
        say("   SIGTTOU %d\n", got[SIGTTOU]);
        got[SIGTTOU] = 0;
        r("background write with TOSTOP", write(s, "bg", 2));
        say("   SIGTTOU %d\n", got[SIGTTOU]);
        r("background tcdrain", tcdrain(s));
        catch(SIGTTOU, SIG_IGN);
        r("background write with TOSTOP, SIGTTOU ignored", write(s, "bg", 2));
        r("background tcdrain, SIGTTOU ignored", tcdrain(s));
        r("background TIOCSPGRP to itself, SIGTTOU ignored", tcsetpgrp(s, getpgrp()));
        r("TIOCSCTTY, not a leader", ioctl(s, TIOCSCTTY, 0));
        say("   now foreground %d\n", tcgetpgrp(s) == getpgrp());
        r("foreground read nonblocking", (fcntl(s, F_SETFL, O_NONBLOCK), read(s, buf, sizeof(buf))));
        r("TIOCNOTTY, not a leader", ioctl(s, TIOCNOTTY));
        r("tcgetpgrp after TIOCNOTTY", tcgetpgrp(s));
        r("open /dev/tty after TIOCNOTTY", open("/dev/tty", O_RDWR));
        _exit(0);
    }
    setpgid(bg, bg);
    wait_child("background child", bg);
    /* Our group is orphaned (our parent is in another session): a background tcsetpgrp is
     * ENOTTY unless SIGTTOU is ignored. */
    r("TIOCSPGRP in the background, orphaned", tcsetpgrp(s, getpgrp()));
    catch(SIGTTOU, SIG_IGN);
    set_lflag(s, 0, TOSTOP);
    r("TIOCSPGRP no such group", tcsetpgrp(s, 999999));
    r("TIOCSPGRP negative", tcsetpgrp(s, -3));
    r("TIOCSPGRP group of another session", tcsetpgrp(s, getpgid(getppid())));
    r("TIOCSPGRP back to ours", tcsetpgrp(s, getpgrp()));
    say("   foreground is ours %d\n", tcgetpgrp(s) == getpgrp());
    catch(SIGHUP, count);
    catch(SIGCONT, count);
    ready_for(ready, SIGHUP);             /* the parent closes the master: the hangup */
    usleep(100000);
    say("   SIGHUP %d SIGCONT %d\n", got[SIGHUP], got[SIGCONT]);
    r("read after hangup", read(s, buf, sizeof(buf)));
    r("write after hangup", write(s, "x", 1));
    struct pollfd p = { s, POLLIN | POLLOUT, 0 };
    poll(&p, 1, 0);
    say("   poll after hangup %#x\n", p.revents);
    struct termios t;
    r("tcgetattr after hangup", tcgetattr(s, &t));
    r("tcsetpgrp after hangup", tcsetpgrp(s, getpgrp()));
    r("open /dev/tty after hangup", open("/dev/tty", O_RDWR));
    r("read /dev/tty after hangup", read(tty, buf, sizeof(buf)));
    struct stat st;
    r("stat slave after hangup", stat(name, &st));
    _exit(0);
}

static void section_session(void)
{
    say("6. controlling terminal, signals, job control, hangup\n");
    int m;
    char name[64];
    int s = open_pair(&m, name, sizeof(name));
    int ready[2];
    pipe(ready);
    r("TIOCGPGRP, not our terminal", tcgetpgrp(s));
    r("TIOCGSID on master, no session", ioctl(m, TIOCGSID, &(int){ 0 }));
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(ready[0]);
        close(s);
        session_child(name, m, ready[1]);
    }
    close(ready[1]);
    char c;
    read(ready[0], &c, 1);
    say("   master TIOCGPGRP is the child's %d\n", tcgetpgrp(m) == pid);
    /* The child's /proc/<pid>/stat (not /proc/self: qemu-user makes that one up). */
    char statpath[64], stat[512] = "";
    snprintf(statpath, sizeof(statpath), "/proc/%d/stat", pid);
    FILE *sf = fopen(statpath, "r");
    if (sf) {
        fgets(stat, sizeof(stat), sf);
        fclose(sf);
    }
    char *after = strrchr(stat, ')');
    unsigned tty_nr = 0;
    int tpgid = 0;
    struct stat slave_st;
    fstat(s, &slave_st);
    if (after)
        sscanf(after + 2, "%*c %*d %*d %*d %u %d", &tty_nr, &tpgid);
    say("   child's stat: tty_nr is the slave's %d, tpgid is the child's %d\n", tty_nr == slave_st.st_rdev, tpgid == pid);
    pid_t sid = -1;
    r("TIOCGSID on master", ioctl(m, TIOCGSID, &sid));
    say("   it is the child's %d (unchanged %d)\n", sid == pid, sid == -1);
    write(m, "\003", 1);
    read(ready[0], &c, 1);
    write(m, "\034", 1);
    read(ready[0], &c, 1);
    write(m, "\032", 1);
    read(ready[0], &c, 1);                /* the child is done with the terminal */
    show_drain("master shows", m, 1);
    close(s);
    close(m);                 /* the hangup */
    wait_child("session child", pid);
    close(ready[0]);
}

static void section_close(void)
{
    say("7. the slave's close, the master's close\n");
    int m;
    char name[64];
    int s = open_pair(&m, name, sizeof(name));
    struct pollfd p = { m, POLLIN | POLLOUT, 0 };
    poll(&p, 1, 0);
    say("   master poll %#x\n", p.revents);
    write(s, "bye", 3);
    close(s);
    char buf[16];
    p.revents = 0;
    poll(&p, 1, 2000);
    say("   master poll after slave close %#x\n", p.revents);
    long n = read(m, buf, sizeof(buf));
    say("   master read %ld \"%s\"\n", n, escaped(buf, n > 0 ? n : 0));
    r("master read again", read(m, buf, sizeof(buf)));
    /* (What a master write does while no slave is open, Linux leaves to chance: the echo comes
     * or not, depending on the work queue's timing.) */
    r("master write", write(m, "x", 1));
    s = open(name, O_RDWR | O_NOCTTY);
    say("   slave reopened %d\n", s >= 0);
    close(m);
    r("slave read after master close", read(s, buf, sizeof(buf)));
    r("slave write after master close", write(s, "x", 1));
    close(s);
}

static void section_poll(void)
{
    say("8. poll, select, epoll\n");
    int m;
    char name[64];
    int s = open_pair(&m, name, sizeof(name));
    struct pollfd p[2] = { { m, POLLIN | POLLOUT, 0 }, { s, POLLIN | POLLOUT, 0 } };
    poll(p, 2, 0);
    say("   idle: master %#x slave %#x\n", p[0].revents, p[1].revents);
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 1 };
    r("epoll_ctl master", epoll_ctl(ep, EPOLL_CTL_ADD, m, &ev));
    ev.data.u32 = 2;
    r("epoll_ctl slave", epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
    struct epoll_event out[2];
    r("epoll_wait idle", epoll_wait(ep, out, 2, 0));
    write(m, "half", 4);
    int got_n = epoll_wait(ep, out, 2, 2000);
    say("   after a partial line: %d events, first %u\n", got_n, got_n > 0 ? out[0].data.u32 : 0);
    char buf[64];
    drain(m, buf, sizeof(buf), 1);
    write(m, "\n", 1);
    got_n = epoll_wait(ep, out, 2, 2000);
    say("   after the newline: slave ready %d\n", got_n >= 1 && (out[0].data.u32 == 2 || (got_n > 1 && out[1].data.u32 == 2)));
    read(s, buf, sizeof(buf));
    drain(m, buf, sizeof(buf), 1);
    write(s, "out", 3);
    got_n = epoll_wait(ep, out, 2, 2000);
    say("   after a slave write: %d events, first %u\n", got_n, got_n > 0 ? out[0].data.u32 : 0);
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(m, &rd);
    struct timeval tv = { 1, 0 };
    r("select master", select(m + 1, &rd, NULL, NULL, &tv));
    drain(m, buf, sizeof(buf), 1);
    close(ep);
    close(s);
    close(m);
}

static void section_forkpty(void)
{
    say("9. openpty, forkpty, login_tty\n");
    int m, s;
    char name[64];
    struct winsize ws = { 40, 120, 0, 0 };
    r("openpty", openpty(&m, &s, name, NULL, &ws));
    struct winsize back;
    ioctl(s, TIOCGWINSZ, &back);
    say("   winsize %d x %d, name is ttyname %d\n", back.ws_row, back.ws_col, !strcmp(name, ttyname(s)));
    close(s);
    close(m);
    fflush(stdout);
    pid_t pid = forkpty(&m, name, NULL, NULL);
    if (pid == 0) {
        alarm(20);
        char line[64];
        printf("tty %d pgrp %d sid %d\n", isatty(0), tcgetpgrp(0) == getpgrp(), getsid(0) == getpid());
        fflush(stdout);
        if (fgets(line, sizeof(line), stdin))
            printf("got: %s", line);
        _exit(3);
    }
    usleep(100000);
    write(m, "hi there\n", 9);
    char buf[512];
    long total = 0;
    for (int i = 0; i < 100 && total < (long)sizeof(buf); i++) {
        struct pollfd p = { m, POLLIN, 0 };
        if (poll(&p, 1, 3000) <= 0)
            break;
        long n = read(m, buf + total, sizeof(buf) - total);
        if (n <= 0) {
            say("   master read ends: %ld %s\n", n, n < 0 ? strerrorname_np(errno) : "");
            break;
        }
        total += n;
    }
    say("   master saw \"%s\"\n", escaped(buf, total));
    wait_child("forkpty child", pid);
    close(m);
}

/* The session leader ends while its terminal's master stays open: its foreground group gets
 * SIGHUP and every member loses the terminal. */
static void section_leader_exit(void)
{
    say("10. the session leader's exit\n");
    int m;
    char name[64];
    int s = open_pair(&m, name, sizeof(name));
    close(s);
    int report[2];
    pipe(report);
    fflush(stdout);
    pid_t leader = fork();
    if (leader == 0) {
        alarm(20);
        setsid();
        int t = open(name, O_RDWR);
        int go[2];
        pipe(go);
        pid_t member = fork();
        if (member == 0) {          /* in the leader's group: the foreground */
            close(go[1]);
            catch(SIGHUP, count);
            block(SIGHUP, SIG_BLOCK);
            char c;
            read(go[0], &c, 1);     /* the leader is about to exit */
            sigset_t none;
            sigemptyset(&none);
            while (!got[SIGHUP])
                sigsuspend(&none);
            char line[128];
            int pg = tcgetpgrp(t);
            int e = errno;
            int dev = open("/dev/tty", O_RDWR);
            int n = snprintf(line, sizeof(line), "   member: SIGHUP %d, tcgetpgrp %d %s, /dev/tty %s\n", got[SIGHUP], pg,
                             pg < 0 ? strerrorname_np(e) : "", dev < 0 ? strerrorname_np(errno) : "opened");
            write(report[1], line, n);
            _exit(0);
        }
        close(go[0]);
        usleep(100000);
        write(go[1], "x", 1);
        _exit(0);
    }
    close(report[1]);
    wait_child("leader", leader);
    char buf[256];
    long n = read(report[0], buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = 0;
    say("%s", buf);
    close(report[0]);
    close(m);
}

static void packet_read(int m, const char *label)
{
    struct pollfd p = { m, POLLIN | POLLPRI, 0 };
    poll(&p, 1, 2000);
    char buf[64];
    long n = read(m, buf, sizeof(buf));
    say("   %s: poll %#x, read %ld \"%s\"\n", label, p.revents, n, escaped(buf, n > 0 ? n : 0));
}

static void section_packet(void)
{
    say("11. packet mode\n");
    int m;
    char name[64];
    int s = open_pair(&m, name, sizeof(name));
    int on = -1;
    r("TIOCGPKT", ioctl(m, TIOCGPKT, &on));
    say("   packet mode before %d\n", on);
    r("TIOCPKT on", ioctl(m, TIOCPKT, &(int){ 1 }));
    ioctl(m, TIOCGPKT, &on);
    say("   packet mode after TIOCPKT %d\n", on);
    r("TIOCPKT on the slave", ioctl(s, TIOCPKT, &(int){ 1 }));
    write(s, "ab", 2);
    packet_read(m, "data");
    tcflush(s, TCIFLUSH);
    packet_read(m, "TCIFLUSH");
    tcflush(s, TCOFLUSH);
    packet_read(m, "TCOFLUSH");
    tcflow(s, TCOOFF);
    packet_read(m, "TCOOFF");
    tcflow(s, TCOON);
    packet_read(m, "TCOON");
    struct termios t, saved;
    tcgetattr(s, &saved);
    t = saved;
    t.c_iflag &= ~IXON;
    tcsetattr(s, TCSANOW, &t);
    packet_read(m, "IXON off");
    tcsetattr(s, TCSANOW, &saved);
    packet_read(m, "IXON on");
    write(m, "\003", 1);
    packet_read(m, "^C");
    packet_read(m, "its echo");
    write(m, "\023", 1);
    packet_read(m, "^S");
    write(m, "\021", 1);
    packet_read(m, "^Q");
    ioctl(m, TIOCPKT, &(int){ 0 });
    write(s, "cd", 2);
    packet_read(m, "packet mode off");
    struct pollfd p = { m, POLLIN | POLLPRI, 0 };
    poll(&p, 1, 0);
    say("   idle poll %#x\n", p.revents);
    close(s);
    close(m);
}

/* Everything fd has within 2 s of quiet, counted (big transfers). */
static long count_all(int fd, char *last)
{
    static char buf[8192];
    long total = 0;
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, total ? 300 : 2000) <= 0 || !(p.revents & POLLIN))
            break;
        long n = read(fd, buf, sizeof(buf));
        if (n <= 0)
            break;
        total += n;
        *last = buf[n - 1];
    }
    return total;
}

/* What each side takes before it waits: the line discipline's 4 KiB and the flip buffers. */
static void section_capacity(void)
{
    say("12. big writes, a full line\n");
    int m;
    char name[64];
    int s = open_pair(&m, name, sizeof(name));
    static char big[20000];
    memset(big, 'a', sizeof(big));
    struct termios t, saved;
    tcgetattr(s, &saved);
    t = saved;
    t.c_lflag &= ~(ICANON | ECHO);
    tcsetattr(s, TCSANOW, &t);
    /* How much more than the flip buffers' 8 KiB the other side's discipline took meanwhile is
     * the work queue's timing on Linux: only the bounds are printed. */
    fcntl(m, F_SETFL, O_NONBLOCK);
    long w = write(m, big, sizeof(big));
    char last = 0;
    long got_back = count_all(s, &last);
    say("   master writes 20000 (nonblocking): partial %d, at least 8 KiB %d, the slave reads it all %d\n",
        w < (long)sizeof(big), w >= 8192, got_back == w);
    fcntl(s, F_SETFL, O_NONBLOCK);
    w = write(s, big, sizeof(big));
    got_back = count_all(m, &last);
    say("   slave writes 20000 (nonblocking): partial %d, at least 8 KiB %d, the master reads it all %d\n",
        w < (long)sizeof(big), w >= 8192, got_back == w);
    fcntl(s, F_SETFL, 0);
    tcsetattr(s, TCSANOW, &saved);
    t = saved;
    t.c_lflag &= ~ECHO;
    tcsetattr(s, TCSANOW, &t);
    big[4999] = '\n';
    r("master types a 5000-byte line", write(m, big, 5000));
    struct pollfd p = { s, POLLIN, 0 };
    poll(&p, 1, 2000);
    static char line[8192];
    long n = read(s, line, sizeof(line));
    say("   the slave reads %ld, ending %s\n", n, n > 0 ? escaped(line + n - 1, 1) : "");
    big[4999] = 'a';
    close(s);
    close(m);
}

/* A session leader without a terminal, as pid 1 is when the host gives none (docker without
 * -t): /dev/tty is ENXIO (CPython's test_ioctl skips on it), and the first pseudo-terminal it
 * opens without O_NOCTTY becomes its terminal. The process itself, last: the oracle's setsid
 * makes it a leader, the unikernel's pid 1 already is one (EPERM). Where the host gives a
 * terminal the two differ by design (pid 1 keeps the console), so nothing is compared. */
static void section_no_terminal(void)
{
    say("13. a session leader without a terminal\n");
    if (isatty(0) || isatty(1) || isatty(2)) {
        say("   a standard descriptor is a terminal: not compared\n");
        return;
    }
    (void)setsid();
    say("   session leader %d\n", getsid(0) == getpid());
    r("open /dev/tty", open("/dev/tty", O_RDWR));
    signal(SIGHUP, SIG_IGN);           /* the terminal's end at exit hangs up its session: us */
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    char name[64];
    if (m < 0 || grantpt(m) || unlockpt(m) || ptsname_r(m, name, sizeof(name)))
        return;
    int s = open(name, O_RDWR);
    say("   slave opened without O_NOCTTY is ours: foreground %d\n", tcgetpgrp(s) == getpgrp());
    int tty = open("/dev/tty", O_RDWR);
    say("   /dev/tty opens %d, foreground %d\n", tty >= 0, tty >= 0 && tcgetpgrp(tty) == getpgrp());
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    alarm(60);                /* a backstop: every wait below is bounded too */
    section_devices();
    int m;
    char name[64];
    int s = open_pair(&m, name, sizeof(name));
    section_termios(m, s);
    section_canonical(m, s);
    section_output(m, s);
    section_raw(m, s);
    close(s);
    close(m);
    section_session();
    section_close();
    section_poll();
    section_forkpty();
    section_leader_exit();
    section_packet();
    section_capacity();
    section_no_terminal();
    return 0;
}
