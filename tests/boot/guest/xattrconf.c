/* Extended-attribute conformance sweep: `xattrconf DIR` works inside DIR (an empty directory: /tmp
 * in the unikernel; for the oracle, a fresh directory on the host's ext4 disk, since Linux keeps
 * attributes per file system and ext4 is what the programs we run were tested on) and prints what
 * each call answered. `xattrconf ro DIR` runs the read-only section in DIR (a read-only mount
 * holding file, dir/ and link -> file). Nothing that differs between two correct kernels is
 * printed (inode numbers, times themselves: a change time only as "moved" or "kept"). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "probe_print.h"

static char big[70000];

static void touch(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        say("   touch %s: %s\n", path, strerrorname_np(errno));
    close(fd);
}

/* listxattr's answer: its length and the names, each shown up to its NUL. */
static void show_list(const char *label, long n, const char *buf)
{
    if (n < 0) {
        say("   %s = -1 %s\n", label, strerrorname_np(errno));
        return;
    }
    say("   %s = %ld:", label, n);
    for (long i = 0; i < n; i += (long)strlen(buf + i) + 1)
        say(" %s", buf + i);
    say("%s\n", n && buf[n - 1] ? " (no final NUL)" : "");
}

static void list(const char *label, const char *path)
{
    char buf[8192];
    show_list(label, listxattr(path, buf, sizeof(buf)), buf);
}

static void get(const char *label, const char *path, const char *name)
{
    char buf[256];
    long n = getxattr(path, name, buf, sizeof(buf) - 1);
    if (n < 0) {
        say("   %s = -1 %s\n", label, strerrorname_np(errno));
        return;
    }
    buf[n] = 0;
    say("   %s = %ld \"%s\"\n", label, n, buf);
}

static struct timespec ctime_of(const char *path)
{
    struct stat st;
    stat(path, &st);
    return st.st_ctim;
}

static const char *moved(struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec ? "kept" : "moved";
}

static void nap(void)
{
    struct timespec ts = { 0, 20 * 1000 * 1000 };   /* a change time after it differs */
    nanosleep(&ts, NULL);
}

static void section_names(void)
{
    say("1. names, namespaces, flags and sizes\n");
    touch("f");
    r("set user.a", setxattr("f", "user.a", "1", 1, 0));
    r("set trusted.a", setxattr("f", "trusted.a", "2", 1, 0));
    r("set security.a", setxattr("f", "security.a", "3", 1, 0));
    r("set unknown prefix foo.a", setxattr("f", "foo.a", "x", 1, 0));
    r("set system.foo", setxattr("f", "system.foo", "x", 1, 0));
    r("set bare user.", setxattr("f", "user.", "x", 1, 0));
    r("set bare trusted.", setxattr("f", "trusted.", "x", 1, 0));
    r("set user (no dot)", setxattr("f", "user", "x", 1, 0));
    r("set empty name", setxattr("f", "", "x", 1, 0));
    r("get empty name", getxattr("f", "", NULL, 0));
    r("remove empty name", removexattr("f", ""));
    r("get bare user.", getxattr("f", "user.", NULL, 0));
    r("get unknown prefix", getxattr("f", "foo.a", NULL, 0));
    r("remove unknown prefix", removexattr("f", "foo.a"));
    char name[300];
    memset(name, 'n', sizeof(name));
    memcpy(name, "user.", 5);
    name[255] = 0;
    r("set a 255-byte name", setxattr("f", name, "x", 1, 0));
    r("get it", getxattr("f", name, NULL, 0));
    r("remove it", removexattr("f", name));
    name[255] = 'n';
    name[256] = 0;
    r("set a 256-byte name", setxattr("f", name, "x", 1, 0));
    r("get a 256-byte name", getxattr("f", name, NULL, 0));
    r("remove a 256-byte name", removexattr("f", name));
    r("flags 4", setxattr("f", "user.b", "x", 1, 4));
    r("flags CREATE|REPLACE", setxattr("f", "user.b", "x", 1, XATTR_CREATE | XATTR_REPLACE));
    r("flags -1", setxattr("f", "user.b", "x", 1, -1));
    r("value of 65537 bytes", setxattr("f", "user.big", big, 65537, 0));
    r("value of 65536 bytes (more than ext4's block)", setxattr("f", "user.big", big, 65536, 0));
    r("value of 3000 bytes", setxattr("f", "user.big", big, 3000, 0));
    r("get it with size 0", getxattr("f", "user.big", NULL, 0));
    r("remove it", removexattr("f", "user.big"));
    r("bad name pointer", setxattr("f", (const char *)1, "x", 1, 0));
    r("bad value pointer", setxattr("f", "user.b", (const void *)1, 1, 0));
    r("bad value pointer, size 0", setxattr("f", "user.b", (const void *)1, 0, 0));
    get("the empty value", "f", "user.b");
    r("get into a bad buffer", getxattr("f", "user.a", (void *)1, 10));
    r("get a bad name", getxattr("f", (const char *)1, NULL, 0));
    r("list into a bad buffer", listxattr("f", (char *)1, 100));
    r("bad path", setxattr((const char *)1, "user.a", "x", 1, 0));
    r("missing path", setxattr("nothing", "user.a", "x", 1, 0));
    r("missing path get", getxattr("nothing", "user.a", NULL, 0));
    r("missing path list", listxattr("nothing", NULL, 0));
    r("path through a file", getxattr("f/x", "user.a", NULL, 0));
    list("list", "f");
}

static void section_values(void)
{
    say("2. set, get, list and remove\n");
    touch("v");
    r("REPLACE a missing one", setxattr("v", "user.x", "1", 1, XATTR_REPLACE));
    r("CREATE", setxattr("v", "user.x", "1", 1, XATTR_CREATE));
    r("CREATE again", setxattr("v", "user.x", "2", 1, XATTR_CREATE));
    r("REPLACE", setxattr("v", "user.x", "22", 2, XATTR_REPLACE));
    get("get", "v", "user.x");
    r("get size 0", getxattr("v", "user.x", NULL, 0));
    char small[1];
    r("get size 1 (too small)", getxattr("v", "user.x", small, 1));
    r("get size 0 with a buffer", getxattr("v", "user.x", small, 0));
    r("get a missing one", getxattr("v", "user.nope", NULL, 0));
    r("get a missing trusted one", getxattr("v", "trusted.nope", NULL, 0));
    r("list size 0", listxattr("v", NULL, 0));
    char buf[8192];
    r("list size 3 (too small)", listxattr("v", buf, 3));
    r("list size 7 (exact)", listxattr("v", buf, 7));
    r("remove", removexattr("v", "user.x"));
    r("remove again", removexattr("v", "user.x"));
    r("list when none", listxattr("v", buf, sizeof(buf)));
    r("list a huge size", listxattr("v", buf, 1 << 30));
    /* ext4's order: the first that fit stay in the inode, in the order they came; the rest
     * go to the block, sorted by namespace, name length, name. */
    static const char *names[] = { "user.c", "user.b", "user.a", "trusted.z", "user.dd", "security.q",
                                   "user.e", "user.aaaa", "user.b2", NULL };
    for (int i = 0; names[i]; i++) {
        r(names[i], setxattr("v", names[i], "v", 1, 0));
        list("  list", "v");
    }
    r("user.c grows out of the inode", setxattr("v", "user.c", big, 60, 0));
    list("  list", "v");
    r("user.e shrinks to nothing", setxattr("v", "user.e", "", 0, 0));
    list("  list", "v");
    r("remove user.b", removexattr("v", "user.b"));
    r("user.f", setxattr("v", "user.f", "v", 1, 0));
    list("  list", "v");
    r("a value too big for what is left", setxattr("v", "user.big", big, 4000, 0));
    r("one that fits", setxattr("v", "user.big", big, 3000, 0));
    r("growing past the block", setxattr("v", "user.big", big, 4000, 0));
    r("the old value stays", getxattr("v", "user.big", NULL, 0));
    touch("w");
    int i;
    for (i = 0; i < 100; i++) {
        char n[32];
        snprintf(n, sizeof(n), "user.n%02d", i);
        if (setxattr("w", n, big, 200, 0) < 0)
            break;
    }
    say("   200-byte values that fit: %d, then %s\n", i, strerrorname_np(errno));
    r("  list size", listxattr("w", NULL, 0));
}

static void section_kinds(void)
{
    say("3. directories, symlinks and special files\n");
    mkdir("d", 0755);
    r("dir user.a", setxattr("d", "user.a", "d", 1, 0));
    get("dir get", "d", "user.a");
    list("dir list", "d");
    mkdir("sticky", 01777);
    r("sticky dir as its owner", setxattr("sticky", "user.a", "s", 1, 0));
    touch("target");
    symlink("target", "link");
    symlink("nowhere", "dangling");
    r("set through the link", setxattr("link", "user.t", "t", 1, 0));
    get("get through the link", "link", "user.t");
    r("lset user.* on the link", lsetxattr("link", "user.l", "l", 1, 0));
    r("lget user.* on the link", lgetxattr("link", "user.t", NULL, 0));
    r("lset trusted.* on the link", lsetxattr("link", "trusted.l", "l", 1, 0));
    r("lset security.* on the link", lsetxattr("link", "security.l", "l", 1, 0));
    char buf[256];
    show_list("llist the link", llistxattr("link", buf, sizeof(buf)), buf);
    show_list("list through the link", listxattr("link", buf, sizeof(buf)), buf);
    r("lget trusted.l", lgetxattr("link", "trusted.l", buf, sizeof(buf)));
    r("lremove trusted.l", lremovexattr("link", "trusted.l"));
    r("lremove user.t (on the target)", lremovexattr("link", "user.t"));
    r("remove user.t through the link", removexattr("link", "user.t"));
    r("set through a dangling link", setxattr("dangling", "user.a", "x", 1, 0));
    r("lset user.* on a dangling link", lsetxattr("dangling", "user.a", "x", 1, 0));
    r("lset trusted.* on a dangling link", lsetxattr("dangling", "trusted.a", "x", 1, 0));
    r("llist a dangling link", llistxattr("dangling", NULL, 0));
    r("mkfifo", mkfifo("fifo", 0644));
    r("fifo user.a", setxattr("fifo", "user.a", "x", 1, 0));
    r("fifo get user.a", getxattr("fifo", "user.a", NULL, 0));
    r("fifo trusted.a", setxattr("fifo", "trusted.a", "x", 1, 0));
    r("fifo get trusted.a", getxattr("fifo", "trusted.a", NULL, 0));
    r("fifo remove user.a", removexattr("fifo", "user.a"));
    r("fifo list", listxattr("fifo", NULL, 0));
    r("mknod a char device (1,3)", mknod("null", S_IFCHR | 0666, makedev(1, 3)));
    r("device user.a", setxattr("null", "user.a", "x", 1, 0));
    r("device security.a", setxattr("null", "security.a", "x", 1, 0));
    r("device list", listxattr("null", NULL, 0));
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "sock" };
    r("bind a socket name", bind(s, (struct sockaddr *)&sa, sizeof(sa)));
    r("socket node user.a", setxattr("sock", "user.a", "x", 1, 0));
    r("socket node trusted.a", setxattr("sock", "trusted.a", "x", 1, 0));
    r("socket node get trusted.a", getxattr("sock", "trusted.a", NULL, 0));
    close(s);
}

static void section_descriptors(void)
{
    say("4. descriptors\n");
    touch("g");
    int fd = open("g", O_RDONLY);
    r("fset on a read-only descriptor", fsetxattr(fd, "user.f", "f", 1, 0));
    char buf[256];
    r("fget", fgetxattr(fd, "user.f", buf, sizeof(buf)));
    show_list("flist", flistxattr(fd, buf, sizeof(buf)), buf);
    r("fremove", fremovexattr(fd, "user.f"));
    r("fremove again", fremovexattr(fd, "user.f"));
    close(fd);
    int path = open("g", O_PATH);
    r("fset on O_PATH", fsetxattr(path, "user.f", "f", 1, 0));
    r("fget on O_PATH", fgetxattr(path, "user.f", NULL, 0));
    r("flist on O_PATH", flistxattr(path, NULL, 0));
    r("fremove on O_PATH", fremovexattr(path, "user.f"));
    close(path);
    r("fget on a closed descriptor", fgetxattr(path, "user.f", NULL, 0));
    r("fset on a closed descriptor", fsetxattr(path, "user.f", "f", 1, 0));
    r("fset with bad flags on a closed descriptor", fsetxattr(path, "user.f", "f", 1, 8));
    r("fget on -1", fgetxattr(-1, "user.f", NULL, 0));
    int d = open("d", O_RDONLY | O_DIRECTORY);
    r("fget on a directory", fgetxattr(d, "user.a", NULL, 0));
    close(d);
    int p[2];
    pipe(p);
    r("pipe fset user.a", fsetxattr(p[0], "user.a", "x", 1, 0));
    r("pipe fget user.a", fgetxattr(p[0], "user.a", NULL, 0));
    r("pipe fset trusted.a", fsetxattr(p[0], "trusted.a", "x", 1, 0));
    r("pipe fget trusted.a", fgetxattr(p[0], "trusted.a", NULL, 0));
    r("pipe fset security.a", fsetxattr(p[0], "security.a", "x", 1, 0));
    r("pipe fset unknown prefix", fsetxattr(p[0], "foo.a", "x", 1, 0));
    r("pipe fset bare user.", fsetxattr(p[0], "user.", "x", 1, 0));
    r("pipe flist", flistxattr(p[0], NULL, 0));
    r("pipe fremove user.a", fremovexattr(p[0], "user.a"));
    r("pipe fremove trusted.a", fremovexattr(p[0], "trusted.a"));
    close(p[0]);
    close(p[1]);
    /* sockfs has one attribute: system.sockprotoname, the protocol's name. */
    static const int kinds[][2] = { { AF_INET, SOCK_STREAM }, { AF_INET, SOCK_DGRAM }, { AF_INET6, SOCK_STREAM },
                                    { AF_INET6, SOCK_DGRAM }, { AF_UNIX, SOCK_STREAM }, { AF_UNIX, SOCK_DGRAM },
                                    { AF_UNIX, SOCK_SEQPACKET } };
    for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        int s = socket(kinds[k][0], kinds[k][1], 0);
        say("   socket %d/%d:\n", kinds[k][0], kinds[k][1]);
        long n = fgetxattr(s, "system.sockprotoname", buf, sizeof(buf));
        say("     sockprotoname = %ld %s\n", n, n > 0 ? buf : strerrorname_np(errno));
        r("  sockprotoname into 2 bytes", fgetxattr(s, "system.sockprotoname", buf, 2));
        r("  sockprotoname size 0", fgetxattr(s, "system.sockprotoname", NULL, 0));
        show_list("  flist", flistxattr(s, buf, sizeof(buf)), buf);
        r("  flist size 0", flistxattr(s, NULL, 0));
        r("  flist into 5 bytes", flistxattr(s, buf, 5));
        r("  set sockprotoname", fsetxattr(s, "system.sockprotoname", "x", 1, 0));
        r("  fset user.a", fsetxattr(s, "user.a", "x", 1, 0));
        r("  fget trusted.a", fgetxattr(s, "trusted.a", NULL, 0));
        r("  fget security.a", fgetxattr(s, "security.a", NULL, 0));
        r("  fset security.a", fsetxattr(s, "security.a", "x", 1, 0));
        close(s);
    }
    r("sockprotoname of a pipe-less file", getxattr("g", "system.sockprotoname", NULL, 0));
    int t = open(".", O_TMPFILE | O_RDWR, 0600);
    r("O_TMPFILE fset", fsetxattr(t, "user.t", "t", 1, 0));
    r("O_TMPFILE fget", fgetxattr(t, "user.t", NULL, 0));
    close(t);
    int u = open("gone", O_CREAT | O_RDWR, 0600);
    fsetxattr(u, "user.u", "u", 1, 0);
    unlink("gone");
    r("unlinked but open: fget", fgetxattr(u, "user.u", NULL, 0));
    r("unlinked but open: fset", fsetxattr(u, "user.v", "v", 1, 0));
    show_list("unlinked but open: flist", flistxattr(u, buf, sizeof(buf)), buf);
    close(u);
}

static void section_changes(void)
{
    say("5. change times and notifications\n");
    touch("c");
    struct timespec t0 = ctime_of("c");
    nap();
    setxattr("c", "user.c", "1", 1, 0);
    struct timespec t1 = ctime_of("c");
    say("   a set: ctime %s\n", moved(t0, t1));
    nap();
    setxattr("c", "user.c", "1", 1, 0);
    struct timespec t2 = ctime_of("c");
    say("   the same value again: ctime %s\n", moved(t1, t2));
    nap();
    setxattr("c", "user.c", "2", 1, 0);
    struct timespec t3 = ctime_of("c");
    say("   another value: ctime %s\n", moved(t2, t3));
    nap();
    setxattr("c", "user.c", "3", 1, XATTR_CREATE);
    struct timespec t4 = ctime_of("c");
    say("   a refused CREATE: ctime %s\n", moved(t3, t4));
    nap();
    char buf[16];
    getxattr("c", "user.c", buf, sizeof(buf));
    listxattr("c", buf, sizeof(buf));
    struct timespec t5 = ctime_of("c");
    say("   get and list: ctime %s\n", moved(t4, t5));
    nap();
    removexattr("c", "user.c");
    struct timespec t6 = ctime_of("c");
    say("   a remove: ctime %s\n", moved(t5, t6));
    int in = inotify_init1(IN_NONBLOCK);
    inotify_add_watch(in, "c", IN_ALL_EVENTS);
    setxattr("c", "user.c", "1", 1, 0);
    removexattr("c", "user.c");
    getxattr("c", "user.c", NULL, 0);
    char ev[4096];
    long n = read(in, ev, sizeof(ev));
    for (long off = 0; n > 0 && off < n;) {
        struct inotify_event *e = (struct inotify_event *)(ev + off);
        say("   event %#x\n", e->mask);
        off += (long)sizeof(*e) + e->len;
    }
    close(in);
}

/* As an unprivileged user, in a child (the probe's own identity stays root). */
static void section_unprivileged(void)
{
    say("6. an unprivileged user\n");
    touch("mine");
    setxattr("mine", "trusted.t", "t", 1, 0);
    setxattr("mine", "security.s", "s", 1, 0);
    setxattr("mine", "user.u", "u", 1, 0);
    chown("mine", 65534, 65534);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (setgid(65534) || setuid(65534))
            _exit(3);
        r("set trusted.*", setxattr("mine", "trusted.n", "n", 1, 0));
        r("get trusted.*", getxattr("mine", "trusted.t", NULL, 0));
        r("remove trusted.*", removexattr("mine", "trusted.t"));
        r("set security.*", setxattr("mine", "security.n", "n", 1, 0));
        r("get security.*", getxattr("mine", "security.s", NULL, 0));
        r("remove security.*", removexattr("mine", "security.s"));
        r("set user.* on its own file", setxattr("mine", "user.n", "n", 1, 0));
        r("set unknown prefix", setxattr("mine", "foo.n", "n", 1, 0));
        r("set user.* in a sticky dir it does not own", setxattr("sticky", "user.n", "n", 1, 0));
        list("list (no trusted.*)", "mine");
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    say("   child exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    list("list as root", "mine");
}

/* A read-only mount holding file, dir/ and link -> file: what changes are refused, and what is
 * looked up first. Only valid names and flags: Linux 6.13 moved its argument checks before the
 * lookup and the EROFS check, 6.1 (what we answer as) makes them after. */
static void section_read_only(void)
{
    say("7. a read-only mount\n");
    r("set", setxattr("file", "user.a", "x", 1, 0));
    r("set on the directory", setxattr("dir", "user.a", "x", 1, 0));
    r("lset on the link", lsetxattr("link", "trusted.a", "x", 1, 0));
    r("remove", removexattr("file", "user.a"));
    r("set a missing file", setxattr("missing", "user.a", "x", 1, 0));
    r("list", listxattr("file", NULL, 0));
    int fd = open("file", O_RDONLY);
    r("fset", fsetxattr(fd, "user.a", "x", 1, 0));
    r("fremove", fremovexattr(fd, "user.a"));
    r("flist", flistxattr(fd, NULL, 0));
    close(fd);
}

int main(int argc, char **argv)
{
    memset(big, 'b', sizeof(big));
    if (argc == 3 && !strcmp(argv[1], "ro")) {
        if (chdir(argv[2]))
            return 2;
        section_read_only();
        return 0;
    }
    if (argc < 2 || chdir(argv[1])) {
        fprintf(stderr, "usage: xattrconf DIR (an empty, writable directory)\n");
        return 2;
    }
    alarm(60);
    umask(022);
    section_names();
    section_values();
    section_kinds();
    section_descriptors();
    section_changes();
    section_unprivileged();
    return 0;
}
