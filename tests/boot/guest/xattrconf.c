/* Extended-attribute conformance sweep, and the other calls added with them (chroot, protection
 * keys, process_vm_readv/writev, kcmp): works inside DIR (an empty directory: /tmp in the
 * unikernel; for the xattr oracle, a fresh directory on the host's ext4 disk, since Linux keeps
 * attributes per file system and ext4 is what the programs we run were tested on) and prints what
 * each call answered (modes: see main). Nothing that differs between two correct kernels is
 * printed (inode numbers, times themselves: a change time only as "moved" or "kept"). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <linux/kcmp.h>
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

static char *read_text(const char *path)
{
    static char buf[64];
    int fd = open(path, O_RDONLY);
    long n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
    if (fd >= 0)
        close(fd);
    if (n < 0)
        return (char *)strerrorname_np(errno);
    buf[n] = 0;
    return buf;
}

static void show_cwd(const char *label)
{
    char buf[4096];
    if (syscall(SYS_getcwd, buf, sizeof(buf)) < 0) {   /* glibc's getcwd hides "(unreachable)" */
        say("   %s: %s\n", label, strerrorname_np(errno));
        return;
    }
    /* Outside the root the rest is the host's own path: only the mark is compared. */
    say("   %s: %s\n", label, !strncmp(buf, "(unreachable)", 13) ? "(unreachable)..." : buf);
}

static void put_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) < 0)
        say("   put %s: %s\n", path, strerrorname_np(errno));
    close(fd);
}

/* In children only: the probe itself keeps its root. */
static void section_chroot(void)
{
    say("8. chroot\n");
    mkdir("jail", 0755);
    mkdir("jail/sub", 0755);
    put_text("jail/file", "in the jail\n");
    put_text("jail/sub/file", "in sub\n");
    put_text("file", "outside\n");
    symlink("/file", "jail/abs");
    symlink("../../../../..", "jail/up");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (setgid(65534) || setuid(65534))
            _exit(3);
        r("unprivileged: chroot a missing path", chroot("nothing"));
        r("unprivileged: chroot a file", chroot("file"));
        r("unprivileged: chroot a directory", chroot("jail"));
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    say("   child exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        int outside = open(".", O_RDONLY | O_DIRECTORY);
        r("chroot a missing path", chroot("nothing"));
        r("chroot a file", chroot("file"));
        r("chroot a bad pointer", chroot((const char *)1));
        r("chroot jail", chroot("jail"));
        show_cwd("getcwd (the cwd is outside)");
        say("   /file: %s", read_text("/file"));
        say("   file (relative, outside): %s", read_text("file"));
        r("chdir /", chdir("/"));
        show_cwd("getcwd");
        say("   /../../file: %s", read_text("/../../file"));
        say("   /abs (-> /file): %s", read_text("/abs"));
        say("   /up/file (-> ../../../../..): %s", read_text("/up/file"));
        say("   /sub/../../sub/file: %s", read_text("/sub/../../sub/file"));
        struct stat a, b;
        stat("/", &a);
        stat("/..", &b);
        say("   /.. is /: %d\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
        r("chdir sub", chdir("sub"));
        show_cwd("getcwd");
        r("chdir ../..", chdir("../.."));
        show_cwd("getcwd");
        r("chroot sub (again, nested)", chroot("sub"));
        show_cwd("getcwd (the old root, now outside)");
        say("   /file: %s", read_text("/file"));
        r("chroot / (stays)", chroot("/"));
        say("   /file: %s", read_text("/file"));
        r("fchdir to the directory opened before", fchdir(outside));
        show_cwd("getcwd");
        say("   file there: %s", read_text("file"));
        say("   /file: %s", read_text("/file"));
        pid_t inner = fork();  /* a child keeps the root */
        if (inner == 0) {
            say("   a child's /file: %s", read_text("/file"));
            _exit(0);
        }
        waitpid(inner, NULL, 0);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    say("   child exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    say("   the probe's own /: %s\n", access("/jail", F_OK) ? "unchanged" : "moved?");
}

static void section_pkeys(void)
{
    say("9. protection keys\n");
    r("pkey_alloc(0, 0)", syscall(SYS_pkey_alloc, 0, 0));
    r("pkey_alloc(0, PKEY_DISABLE_ACCESS|PKEY_DISABLE_WRITE)", syscall(SYS_pkey_alloc, 0, 3));
    r("pkey_alloc(1, 0)", syscall(SYS_pkey_alloc, 1, 0));
    r("pkey_alloc(0, 4)", syscall(SYS_pkey_alloc, 0, 4));
    r("pkey_free(0)", syscall(SYS_pkey_free, 0));
    r("pkey_free(1)", syscall(SYS_pkey_free, 1));
    r("pkey_free(-1)", syscall(SYS_pkey_free, -1));
    long page = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(m + page, page);
    r("pkey_mprotect pkey -1", syscall(SYS_pkey_mprotect, m, page, PROT_READ, -1));
    r("pkey_mprotect pkey 0", syscall(SYS_pkey_mprotect, m, page, PROT_READ, 0));
    r("pkey_mprotect pkey 1", syscall(SYS_pkey_mprotect, m, page, PROT_READ, 1));
    r("pkey_mprotect pkey -2", syscall(SYS_pkey_mprotect, m, page, PROT_READ, -2));
    r("pkey_mprotect pkey 1, length 0", syscall(SYS_pkey_mprotect, m, 0, PROT_READ, 1));
    r("pkey_mprotect pkey 1, unaligned", syscall(SYS_pkey_mprotect, m + 1, page, PROT_READ, 1));
    r("pkey_mprotect pkey 1, unmapped", syscall(SYS_pkey_mprotect, m + page, page, PROT_READ, 1));
    r("pkey_mprotect pkey -1, unmapped", syscall(SYS_pkey_mprotect, m + page, page, PROT_READ, -1));
    r("pkey_mprotect pkey 1, wrapping", syscall(SYS_pkey_mprotect, m, -page, PROT_READ, 1));
    r("pkey_mprotect pkey 1, GROWSDOWN|GROWSUP",
      syscall(SYS_pkey_mprotect, m, page, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP, 1));
    r("pkey_mprotect pkey 1, bad prot", syscall(SYS_pkey_mprotect, m, page, 0x100, 1));
    r("pkey_mprotect pkey -1, back to read-write", syscall(SYS_pkey_mprotect, m, page, PROT_READ | PROT_WRITE, -1));
    m[0] = 1;
    munmap(m, page);
}

static char vm_buf[64] = "the parent's bytes";

static void section_process_vm(void)
{
    say("10. process_vm_readv and process_vm_writev\n");
    long page = sysconf(_SC_PAGESIZE);
    char *two = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(two + 2 * page, page, PROT_NONE);   /* [page 0][page 1][no access] in both processes */
    memset(two, 'p', 2 * page);
    char *ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int go[2], done[2];
    pipe(go);
    pipe(done);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        strcpy(vm_buf, "the child's bytes");
        memset(two, 'c', 2 * page);
        char c;
        write(go[1], "r", 1);
        read(done[0], &c, 1);          /* the parent wrote: show it */
        say("   the child sees: %s / %.6s\n", vm_buf, two + page - 3);
        _exit(0);
    }
    char c;
    read(go[0], &c, 1);
    char buf[128] = { 0 };
    struct iovec l = { buf, sizeof(vm_buf) }, rv = { vm_buf, sizeof(vm_buf) };
    long n = process_vm_readv(child, &l, 1, &rv, 1, 0);
    say("   readv the child's buffer = %ld: %s\n", n, buf);
    struct iovec l2[2] = { { buf, 5 }, { buf + 10, 100 } };
    memset(buf, '.', sizeof(buf));
    buf[127] = 0;
    n = process_vm_readv(child, l2, 2, &rv, 1, 0);
    say("   readv into two local pieces = %ld: %.24s\n", n, buf);
    struct iovec rv2[3] = { { vm_buf, 4 }, { NULL, 0 }, { vm_buf + 4, 7 } };
    memset(buf, 0, sizeof(buf));
    n = process_vm_readv(child, &l, 1, rv2, 3, 0);
    say("   readv from three remote pieces = %ld: %s\n", n, buf);
    struct iovec edge = { two + 2 * page - 10, 20 };
    n = process_vm_readv(child, &l, 1, &edge, 1, 0);
    say("   readv across the end of the mapping = %ld: %.10s\n", n, buf);
    struct iovec hole = { two + 2 * page, 20 };
    r("readv of a hole", process_vm_readv(child, &l, 1, &hole, 1, 0));
    struct iovec after[2] = { { vm_buf, 3 }, { two + 2 * page, 20 } };
    r("readv: some bytes, then a hole", process_vm_readv(child, &l, 1, after, 2, 0));
    struct iovec badl[2] = { { buf, 3 }, { (void *)1, 10 } };
    r("readv into a bad local piece after a good one", process_vm_readv(child, badl, 2, &rv, 1, 0));
    struct iovec badl1 = { (void *)1, 10 };
    r("readv into a bad local buffer", process_vm_readv(child, &badl1, 1, &rv, 1, 0));
    struct iovec big = { buf, 4 };
    r("readv, the local side smaller", process_vm_readv(child, &big, 1, &rv, 1, 0));
    r("flags 1", process_vm_readv(child, &l, 1, &rv, 1, 1));
    r("1025 local iovecs", process_vm_readv(child, &l, 1025, &rv, 1, 0));
    r("1025 remote iovecs", process_vm_readv(child, &l, 1, &rv, 1025, 0));
    r("a bad local iovec array", process_vm_readv(child, (struct iovec *)1, 1, &rv, 1, 0));
    r("a bad remote iovec array", process_vm_readv(child, &l, 1, (struct iovec *)1, 1, 0));
    struct iovec neg = { buf, (size_t)-1 };
    r("a negative local length", process_vm_readv(child, &neg, 1, &rv, 1, 0));
    r("a negative remote length", process_vm_readv(child, &l, 1, &neg, 1, 0));
    struct iovec none = { buf, 0 };
    r("nothing local, pid 0", process_vm_readv(0, &none, 1, &rv, 1, 0));
    struct iovec rnone = { vm_buf, 0 };
    r("nothing remote, pid 0", process_vm_readv(0, &l, 1, &rnone, 1, 0));
    r("pid 0", process_vm_readv(0, &l, 1, &rv, 1, 0));
    r("pid -1", process_vm_readv(-1, &l, 1, &rv, 1, 0));
    n = process_vm_readv(getpid(), &l, 1, &rv, 1, 0);
    say("   readv from itself = %ld: %s\n", n, buf);
    strcpy(buf, "written by the parent");
    struct iovec w = { buf, strlen(buf) + 1 };
    r("writev into the child's buffer", process_vm_writev(child, &w, 1, &rv, 1, 0));
    struct iovec wedge = { two + page - 3, 6 }, wsrc = { "XXXXXX", 6 };
    r("writev across two pages", process_vm_writev(child, &wsrc, 1, &wedge, 1, 0));
    struct iovec wro = { ro, 4 };
    r("writev into a read-only page", process_vm_writev(child, &w, 1, &wro, 1, 0));
    struct iovec wend = { two + 2 * page - 2, 8 };
    r("writev across the end of the mapping", process_vm_writev(child, &wsrc, 1, &wend, 1, 0));
    struct iovec wbad = { (void *)1, 4 };
    r("writev from a bad local buffer", process_vm_writev(child, &wbad, 1, &rv, 1, 0));
    write(done[1], "w", 1);
    waitpid(child, NULL, 0);
    r("readv from a reaped child", process_vm_readv(child, &l, 1, &rv, 1, 0));
    fflush(stdout);
    pid_t low = fork();
    if (low == 0) {
        if (setgid(65534) || setuid(65534))
            _exit(3);
        r("unprivileged: readv from its root parent", process_vm_readv(getppid(), &l, 1, &rv, 1, 0));
        n = process_vm_readv(getpid(), &l, 1, &rv, 1, 0);
        say("   unprivileged: readv from itself = %ld\n", n);
        _exit(0);
    }
    waitpid(low, NULL, 0);
    munmap(two, 3 * page);
    munmap(ro, page);
}

static const char *kcmp_word(long ret)
{
    static char buf[32];
    if (ret < 0)
        return strerrorname_np(errno);
    if (ret == 0)
        return "same";
    snprintf(buf, sizeof(buf), ret == 1 || ret == 2 ? "different" : "odd %ld", ret);
    return buf;
}

static long kcmp(pid_t a, pid_t b, int type, unsigned long x, unsigned long y)
{
    return syscall(SYS_kcmp, a, b, type, x, y);
}

static void section_kcmp(void)
{
    say("11. kcmp\n");
    pid_t me = getpid();
    touch("k");
    int fd = open("k", O_RDONLY), dup1 = dup(fd), other = open("k", O_RDONLY), opath = open("k", O_PATH);
    say("   FILE fd, its dup: %s\n", kcmp_word(kcmp(me, me, KCMP_FILE, fd, dup1)));
    say("   FILE fd, another open: %s\n", kcmp_word(kcmp(me, me, KCMP_FILE, fd, other)));
    say("   FILE O_PATH fd, itself: %s\n", kcmp_word(kcmp(me, me, KCMP_FILE, opath, opath)));
    say("   FILE a closed fd: %s\n", kcmp_word(kcmp(me, me, KCMP_FILE, fd, 999)));
    say("   FILE a huge fd: %s\n", kcmp_word(kcmp(me, me, KCMP_FILE, fd, 1UL << 40)));
    long a = kcmp(me, me, KCMP_FILE, fd, other), b = kcmp(me, me, KCMP_FILE, other, fd);
    say("   FILE the order reverses: %d\n", a + b == 3);
    int ep = epoll_create1(0), pp[2];
    pipe(pp);
    int pdup = dup(pp[0]);
    struct epoll_event ev = { .events = EPOLLIN };
    r("epoll_ctl ADD a pipe", epoll_ctl(ep, EPOLL_CTL_ADD, pp[0], &ev));
    r("epoll_ctl ADD its dup", epoll_ctl(ep, EPOLL_CTL_ADD, pdup, &ev));
    struct kcmp_epoll_slot slot = { ep, pp[0], 0 };
    say("   EPOLL_TFD the pipe in ep: %s\n", kcmp_word(kcmp(me, me, KCMP_EPOLL_TFD, pp[0], (unsigned long)&slot)));
    say("   EPOLL_TFD its dup: %s\n", kcmp_word(kcmp(me, me, KCMP_EPOLL_TFD, pdup, (unsigned long)&slot)));
    say("   EPOLL_TFD the other end: %s\n", kcmp_word(kcmp(me, me, KCMP_EPOLL_TFD, pp[1], (unsigned long)&slot)));
    struct kcmp_epoll_slot s2 = { ep, pp[1], 0 };
    say("   EPOLL_TFD a target not in ep: %s\n", kcmp_word(kcmp(me, me, KCMP_EPOLL_TFD, pp[0], (unsigned long)&s2)));
    struct kcmp_epoll_slot s3 = { ep, pp[0], 1 };
    say("   EPOLL_TFD toff 1: %s\n", kcmp_word(kcmp(me, me, KCMP_EPOLL_TFD, pp[0], (unsigned long)&s3)));
    struct kcmp_epoll_slot s6 = { ep, pdup, 0 };
    say("   EPOLL_TFD the dup's item: %s\n", kcmp_word(kcmp(me, me, KCMP_EPOLL_TFD, pp[0], (unsigned long)&s6)));
    struct kcmp_epoll_slot s4 = { fd, fd, 0 };
    say("   EPOLL_TFD efd not an epoll: %s\n", kcmp_word(kcmp(me, me, KCMP_EPOLL_TFD, fd, (unsigned long)&s4)));
    struct kcmp_epoll_slot s5 = { 999, fd, 0 };
    say("   EPOLL_TFD efd closed: %s\n", kcmp_word(kcmp(me, me, KCMP_EPOLL_TFD, fd, (unsigned long)&s5)));
    say("   EPOLL_TFD idx1 closed: %s\n", kcmp_word(kcmp(me, me, KCMP_EPOLL_TFD, 999, (unsigned long)&slot)));
    say("   EPOLL_TFD a bad slot: %s\n", kcmp_word(kcmp(me, me, KCMP_EPOLL_TFD, fd, 1)));
    say("   EPOLL_TFD a bad slot and idx1 closed: %s\n", kcmp_word(kcmp(me, me, KCMP_EPOLL_TFD, 999, 1)));
    static const char *types[] = { "FILE", "VM", "FILES", "FS", "SIGHAND", "IO", "SYSVSEM" };
    for (int t = KCMP_VM; t <= KCMP_SYSVSEM; t++)
        say("   %s itself: %s\n", types[t], kcmp_word(kcmp(me, me, t, 0, 0)));
    say("   type 8: %s\n", kcmp_word(kcmp(me, me, 8, 0, 0)));
    say("   type -1: %s\n", kcmp_word(kcmp(me, me, -1, 0, 0)));
    say("   pid 0: %s\n", kcmp_word(kcmp(0, me, KCMP_VM, 0, 0)));
    say("   pid -1: %s\n", kcmp_word(kcmp(me, -1, KCMP_VM, 0, 0)));
    say("   a bad type and pid 0: %s\n", kcmp_word(kcmp(me, 0, 99, 0, 0)));
    int go[2], done[2];
    pipe(go);
    pipe(done);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        close(other);
        char c;
        write(go[1], "r", 1);
        read(done[0], &c, 1);
        _exit(0);
    }
    char c;
    read(go[0], &c, 1);
    for (int t = KCMP_VM; t <= KCMP_SYSVSEM; t++)
        say("   %s with a forked child: %s\n", types[t], kcmp_word(kcmp(me, child, t, 0, 0)));
    say("   FILE fd inherited by the child: %s\n", kcmp_word(kcmp(me, child, KCMP_FILE, fd, fd)));
    say("   FILE fd the child closed: %s\n", kcmp_word(kcmp(me, child, KCMP_FILE, other, other)));
    int sem = semget(IPC_PRIVATE, 1, 0600);
    struct sembuf op = { 0, 1, SEM_UNDO };
    semop(sem, &op, 1);
    say("   SYSVSEM after a SEM_UNDO semop: %s\n", kcmp_word(kcmp(me, child, KCMP_SYSVSEM, 0, 0)));
    say("   SYSVSEM itself: %s\n", kcmp_word(kcmp(me, me, KCMP_SYSVSEM, 0, 0)));
    semctl(sem, 0, IPC_RMID);
    write(done[1], "d", 1);
    waitpid(child, NULL, 0);
    say("   VM with a reaped child: %s\n", kcmp_word(kcmp(me, child, KCMP_VM, 0, 0)));
    pid_t vf = vfork();
    if (vf == 0)
        _exit(0);
    fflush(stdout);
    pid_t low = fork();
    if (low == 0) {
        if (setgid(65534) || setuid(65534))
            _exit(3);
        say("   unprivileged: VM with its root parent: %s\n", kcmp_word(kcmp(getpid(), getppid(), KCMP_VM, 0, 0)));
        say("   unprivileged: VM with itself: %s\n", kcmp_word(kcmp(getpid(), getpid(), KCMP_VM, 0, 0)));
        _exit(0);
    }
    waitpid(low, NULL, 0);
    close(fd), close(dup1), close(other), close(opath), close(ep), close(pp[0]), close(pp[1]), close(pdup);
}

/* A volume's attributes (DIR holds f, with user.a, user.b and trusted.t, and d/): what a first
 * boot finds and changes, and a second finds (change false). */
static void section_volume(bool change)
{
    say("12. a volume%s\n", change ? "" : ", the next boot");
    list("f", "f");
    list("d", "d");
    get("f user.a", "f", "user.a");
    get("f trusted.t", "f", "trusted.t");
    if (!change)
        return;
    r("set user.new", setxattr("f", "user.new", "new", 3, 0));
    r("remove user.a", removexattr("f", "user.a"));
    r("CREATE user.b again", setxattr("f", "user.b", "b", 1, XATTR_CREATE));
    r("replace user.b", setxattr("f", "user.b", "bb", 2, XATTR_REPLACE));
    r("set a 3000-byte user.big", setxattr("f", "user.big", big, 3000, 0));
    r("set trusted.d on d", setxattr("d", "trusted.d", "d", 1, 0));
    r("set user.g on a new file", (close(open("g", O_CREAT | O_WRONLY, 0644)), setxattr("g", "user.g", "g", 1, 0)));
    list("f", "f");
    list("d", "d");
    sync();
}

/* `xattrconf WHAT DIR` runs in DIR: `xattr` sections 1-6 (the oracle: qemu-user on ext4),
 * `chroot` section 8 (qemu-user anywhere), `native` sections 10-11 (the probe built for the host:
 * qemu-user lacks them), `ro` section 7 (DIR a read-only mount), `all` every section but 7 and 12
 * (ours, one boot), `volume` and `volume-again` section 12 (DIR a volume, then the next boot). */
int main(int argc, char **argv)
{
    memset(big, 'b', sizeof(big));
    if (argc != 3 || chdir(argv[2])) {
        fprintf(stderr, "usage: xattrconf xattr|chroot|native|ro|all|volume|volume-again DIR\n");
        return 2;
    }
    const char *what = argv[1];
    bool all = !strcmp(what, "all");
    alarm(60);
    umask(022);
    if (!strcmp(what, "ro"))
        section_read_only();
    if (!strcmp(what, "volume") || !strcmp(what, "volume-again")) {
        section_volume(!strcmp(what, "volume"));
        list("g", "g");
    }
    if (all || !strcmp(what, "xattr")) {
        section_names();
        section_values();
        section_kinds();
        section_descriptors();
        section_changes();
        section_unprivileged();
    }
    if (all || !strcmp(what, "chroot"))
        section_chroot();
    if (all)
        section_pkeys();
    if (all || !strcmp(what, "native")) {
        section_process_vm();
        section_kcmp();
    }
    return 0;
}
