/* mount(2) and umount2 as Linux answers them, diffed against Linux (tests/boot/test_mount_conformance.py).
 * Every mount is made below the directory in argv[1] (on the host: a fresh tmpfs directory, the
 * probe under `unshare --mount --propagation private`, so nothing reaches the host's mounts).
 * Mount table lines are printed for the mounts below that directory only, with paths relative
 * to it and no ids or device numbers (those differ between any two systems). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/utsname.h>
#include <sched.h>
#include <pthread.h>
#include <dirent.h>
#include <unistd.h>
#include "probe_print.h"

static char W[512];

static const char *at(const char *rel)
{
    static char bufs[4][1024];
    static int i;
    char *b = bufs[i++ % 4];
    snprintf(b, sizeof(bufs[0]), "%s/%s", W, rel);
    return b;
}

static void show_statfs(const char *what, const char *path)
{
    struct statfs s;
    if (statfs(path, &s)) {
        r(what, -1);
        return;
    }
    say("   %s: type %#lx bsize %ld blocks %lu bfree %lu files %lu ffree %lu namelen %ld flags %#lx\n", what,
        (unsigned long)s.f_type, (long)s.f_bsize, (unsigned long)s.f_blocks, (unsigned long)s.f_bfree,
        (unsigned long)s.f_files, (unsigned long)s.f_ffree, (long)s.f_namelen, (unsigned long)s.f_flags);
}

/* The sizes a mount without size= has depend on the RAM: only its blocks when given. */
static void show_blocks(const char *what, const char *path)
{
    struct statfs s;
    if (statfs(path, &s))
        r(what, -1);
    else
        say("   %s: type %#lx blocks %lu bfree %lu\n", what, (unsigned long)s.f_type, (unsigned long)s.f_blocks,
            (unsigned long)s.f_bfree);
}

static void show_type(const char *what, const char *path)
{
    struct statfs s;
    if (statfs(path, &s))
        r(what, -1);
    else
        say("   %s: type %#lx flags %#lx\n", what, (unsigned long)s.f_type, (unsigned long)s.f_flags);
}

/* The mountinfo lines of mounts below W: mount point, root (a bind's, by its last component),
 * per-mount options, the parent (by mount point, or "outside"), type, and the super block
 * options of the file systems the probe made (a bind of W's own shows its host's). */
static void show_mountinfo(const char *what)
{
    FILE *f = fopen("/proc/self/mountinfo", "r");
    char line[1024];
    struct { int id; char point[512]; } seen[32];
    int n = 0;
    say("   %s:\n", what);
    if (!f) {
        r("open mountinfo", -1);
        return;
    }
    size_t wl = strlen(W);
    while (fgets(line, sizeof(line), f)) {
        int id, parent;
        char root[512], point[512], opts[256], rest[512];
        if (sscanf(line, "%d %d %*s %511s %511s %255s %511[^\n]", &id, &parent, root, point, opts, rest) != 6)
            continue;
        if (strncmp(point, W, wl) || (point[wl] != '/' && point[wl]))
            continue;
        const char *dash = strstr(rest, "- ");
        char type[64] = "", source[256] = "", sbopts[256] = "";
        if (dash)
            sscanf(dash + 2, "%63s %255s %255s", type, source, sbopts);
        const char *pp = "outside";
        for (int i = 0; i < n; i++)
            if (seen[i].id == parent)
                pp = seen[i].point;
        const char *base = strrchr(root, '/');
        const char *rel = point[wl] ? point + wl + 1 : ".";
        bool bind = strcmp(root, "/");
        say("     %s root %s opts %s parent %s type %s source %s sb %s%s\n", rel, bind ? base + 1 : "/", opts, pp,
            bind ? "(W's)" : type, bind ? "(W's)" : source, bind ? "(W's)" : sbopts,
            strstr(rest, "shared:") ? " shared" : strstr(rest, "unbindable") ? " unbindable" : "");
        if (n < 32) {
            seen[n].id = id;
            snprintf(seen[n].point, sizeof(seen[n].point), "%s", rel);
            n++;
        }
    }
    fclose(f);
}

static void show_mounts(const char *what)
{
    FILE *f = fopen("/proc/mounts", "r");
    char line[1024];
    say("   %s:\n", what);
    if (!f) {
        r("open /proc/mounts", -1);
        return;
    }
    size_t wl = strlen(W);
    while (fgets(line, sizeof(line), f)) {
        char source[256], point[512], type[64], opts[256];
        if (sscanf(line, "%255s %511s %63s %255s", source, point, type, opts) != 4)
            continue;
        if (strncmp(point, W, wl) || (point[wl] != '/' && point[wl]) || strcmp(type, "tmpfs"))
            continue;
        say("     %s %s %s %s\n", source, point + wl + 1, type, opts);
    }
    fclose(f);
}

static int make_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    ssize_t w = write(fd, text, strlen(text));
    close(fd);
    return w < 0 ? -1 : 0;
}

static void show_file(const char *what, const char *path)
{
    char buf[128] = "";
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        r(what, -1);
        return;
    }
    ssize_t got = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[got > 0 ? got : 0] = 0;
    buf[strcspn(buf, "\n")] = 0;
    say("   %s: \"%s\"\n", what, buf);
}

static void errors(void)
{
    say("1. errors\n");
    mkdir(at("e"), 0755);
    make_file(at("efile"), "x\n");
    r("unknown type", mount("none", at("e"), "nosuchfs", 0, NULL));
    r("no type", mount("none", at("e"), NULL, 0, NULL));
    r("missing target", mount("none", at("nope/x"), "tmpfs", 0, NULL));
    r("target below a file", mount("none", at("efile/x"), "tmpfs", 0, NULL));
    r("tmpfs on a file", mount("none", at("efile"), "tmpfs", 0, NULL));
    r("MS_NOUSER", mount("none", at("e"), "tmpfs", MS_NOUSER, NULL));
    r("unknown tmpfs option", mount("none", at("e"), "tmpfs", 0, "bogus=1"));
    r("bad size", mount("none", at("e"), "tmpfs", 0, "size=12q"));
    r("bad mode", mount("none", at("e"), "tmpfs", 0, "mode=9"));
    r("bind without a source", mount("", at("e"), NULL, MS_BIND, NULL));
    r("bind of a missing source", mount(at("nope"), at("e"), NULL, MS_BIND, NULL));
    r("bind a directory on a file", mount(at("e"), at("efile"), NULL, MS_BIND, NULL));
    r("remount of a plain directory", mount("none", at("e"), NULL, MS_REMOUNT, NULL));
    r("remount,bind of a plain directory", mount("none", at("e"), NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
    r("private on a plain directory", mount("none", at("e"), NULL, MS_PRIVATE, NULL));
    r("move of a plain directory", mount(at("e"), at("efile"), NULL, MS_MOVE, NULL));
    r("umount of a plain directory", umount2(at("e"), 0));
    r("umount of a missing path", umount2(at("nope"), 0));
    r("umount with bad flags", umount2(at("e"), 0x100));
    r("mount with a bad type pointer", syscall(SYS_mount, "none", at("e"), (char *)8, 0, NULL));
    r("mount with a bad target pointer", syscall(SYS_mount, "none", (char *)8, "tmpfs", 0, NULL));
}

static void tmpfs(void)
{
    say("2. tmpfs\n");
    mkdir(at("t"), 0755);
    r("mount size=1m,mode=700,nr_inodes=100,uid=5,gid=6",
      mount("tmpfs-t", at("t"), "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=700,nr_inodes=100,uid=5,gid=6"));
    struct stat st;
    if (!stat(at("t"), &st))
        say("   root: mode %o uid %u gid %u nlink %lu\n", st.st_mode, st.st_uid, st.st_gid, (unsigned long)st.st_nlink);
    show_statfs("statfs empty", at("t"));
    char page[4096];
    memset(page, 'a', sizeof(page));
    int fd = open(at("t/f"), O_WRONLY | O_CREAT, 0644);
    for (int i = 0; i < 3; i++)
        if (write(fd, page, sizeof(page)) < 0)
            r("write", -1);
    close(fd);
    mkdir(at("t/d"), 0755);
    show_statfs("statfs with 3 pages in a file and a directory", at("t"));
    struct stat sw, sm, sf;
    if (!stat(W, &sw) && !stat(at("t"), &sm) && !stat(at("t/f"), &sf))
        say("   st_dev: the mount's %s W's, its file's %s the mount's\n", sm.st_dev == sw.st_dev ? "is" : "is not",
            sf.st_dev == sm.st_dev ? "is" : "is not");
    struct statx sx;
    if (!statx(AT_FDCWD, at("t"), 0, STATX_BASIC_STATS, &sx))
        say("   statx of the mount point: mount root %s\n", sx.stx_attributes & STATX_ATTR_MOUNT_ROOT ? "yes" : "no");
    if (!statx(AT_FDCWD, at("t/d"), 0, STATX_BASIC_STATS, &sx))
        say("   statx of a directory in it: mount root %s\n", sx.stx_attributes & STATX_ATTR_MOUNT_ROOT ? "yes" : "no");
    show_statfs("statfs of the file", at("t/f"));
    show_mountinfo("mountinfo");
    show_mounts("/proc/mounts");
    r("remount ro", mount("none", at("t"), NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL));
    show_type("statfs after remount ro", at("t"));
    r("create on it", open(at("t/g"), O_WRONLY | O_CREAT, 0644));
    r("open for writing", open(at("t/f"), O_WRONLY));
    r("mkdir", mkdir(at("t/e"), 0755));
    r("unlink", unlink(at("t/f")));
    show_mountinfo("mountinfo ro");
    r("remount rw, size=2m", mount("none", at("t"), NULL, MS_REMOUNT, "size=2m"));
    show_statfs("statfs after size=2m", at("t"));
    r("remount with a bad option", mount("none", at("t"), NULL, MS_REMOUNT, "bogus"));
    r("create after rw", make_file(at("t/g"), "g\n"));
    r("rename out of the mount", rename(at("t/g"), at("g")));
    r("link out of the mount", link(at("t/g"), at("g")));
    r("rmdir of the mount point", rmdir(at("t")));
    r("rename of the mount point", rename(at("t"), at("t2")));
    mkdir(at("t/sub"), 0755);
    r("a tmpfs below it", mount("inner", at("t/sub"), "tmpfs", 0, "size=64k"));
    show_mountinfo("stacked");
    r("umount with a mount below", umount2(at("t"), 0));
    r("umount the inner one", umount2(at("t/sub"), 0));
    r("chdir into it", chdir(at("t")));
    r("umount while it is a cwd", umount2(at("t"), 0));
    r("MNT_FORCE while it is a cwd", umount2(at("t"), MNT_FORCE));
    r("chdir out", chdir(W));
    fd = open(at("t/f"), O_RDONLY);
    r("umount with an open file", umount2(at("t"), 0));
    r("MNT_EXPIRE|MNT_DETACH", umount2(at("t"), MNT_EXPIRE | MNT_DETACH));
    r("MNT_DETACH with an open file", umount2(at("t"), MNT_DETACH));
    char c = 0;
    r("read through the detached file", read(fd, &c, 1));
    say("   read byte: %c\n", c);
    close(fd);
    r("stat of the file after the detach", stat(at("t/f"), &st));
    show_mountinfo("after the detach");
    r("mount again", mount("again", at("t"), "tmpfs", 0, NULL));
    r("MNT_EXPIRE first", umount2(at("t"), MNT_EXPIRE));
    r("MNT_EXPIRE second", umount2(at("t"), MNT_EXPIRE));
    r("umount after it", umount2(at("t"), 0));
    r("stacked twice", mount("one", at("t"), "tmpfs", 0, "size=4k"));
    r("stacked twice, second", mount("two", at("t"), "tmpfs", 0, "size=8k"));
    show_blocks("top one", at("t"));
    r("umount top", umount2(at("t"), 0));
    show_blocks("the one below", at("t"));
    r("umount below", umount2(at("t"), 0));
}

static void binds(void)
{
    say("3. bind mounts\n");
    mkdir(at("src"), 0755);
    mkdir(at("src/d"), 0755);
    make_file(at("src/file"), "source file\n");
    mkdir(at("dst"), 0755);
    r("self bind", mount(at("src"), at("src"), NULL, MS_BIND, NULL));
    r("remount,bind,ro", mount("none", at("src"), NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
    struct statfs sw, ss;
    if (!statfs(W, &sw) && !statfs(at("src"), &ss))
        say("   statfs ro bind: W's type %s, flags %#lx\n", sw.f_type == ss.f_type ? "yes" : "no",
            (unsigned long)ss.f_flags);
    r("create in it", open(at("src/new"), O_WRONLY | O_CREAT, 0644));
    r("write-open in it", open(at("src/file"), O_WRONLY));
    r("mkdir in it", mkdir(at("src/d2"), 0755));
    r("access W_OK", access(at("src/file"), W_OK));
    show_file("read in it", at("src/file"));
    show_mountinfo("mountinfo self bind ro");
    r("remount,bind rw", mount("none", at("src"), NULL, MS_REMOUNT | MS_BIND, NULL));
    r("write after rw", make_file(at("src/file"), "changed\n"));
    r("umount the self bind", umount2(at("src"), 0));
    r("bind a directory", mount(at("src"), at("dst"), NULL, MS_BIND | MS_REC, NULL));
    show_file("through it", at("dst/file"));
    r("create through it", make_file(at("dst/made"), "made\n"));
    show_file("seen in the source", at("src/made"));
    show_mountinfo("mountinfo bind");
    r("umount the bind", umount2(at("dst"), 0));
    r("dst empty again", access(at("dst/file"), F_OK));
    make_file(at("ffile"), "target file\n");
    r("bind a file on a file", mount(at("src/file"), at("ffile"), NULL, MS_BIND, NULL));
    show_file("the file", at("ffile"));
    r("unlink the bound file", unlink(at("ffile")));
    r("bind a file on a directory", mount(at("src/file"), at("dst"), NULL, MS_BIND, NULL));
    r("umount the file bind", umount2(at("ffile"), 0));
    show_file("the file after", at("ffile"));
    symlink("dst", at("lnk"));
    r("bind then umount through a symlink, NOFOLLOW", mount(at("src"), at("dst"), NULL, MS_BIND, NULL));
    r("umount2 UMOUNT_NOFOLLOW on the link", umount2(at("lnk"), UMOUNT_NOFOLLOW));
    r("umount2 on the link", umount2(at("lnk"), 0));
}

static void flags_and_propagation(void)
{
    say("4. flags and propagation\n");
    mkdir(at("x"), 0755);
    r("tmpfs noexec,nosuid,nodev,noatime", mount("x", at("x"), "tmpfs", MS_NOEXEC | MS_NOSUID | MS_NODEV | MS_NOATIME,
                                                 "mode=755"));
    show_type("statfs", at("x"));
    int in = open("/proc/self/exe", O_RDONLY), out = open(at("x/prog"), O_WRONLY | O_CREAT, 0755);
    char buf[65536];
    ssize_t n;
    while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, n) != n)
            break;
    close(in);
    close(out);
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[] = { "prog", NULL };
        execv(at("x/prog"), argv);
        _exit(errno);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    say("   execve on noexec: %s\n", strerrorname_np(WEXITSTATUS(status)));
    r("MS_PRIVATE", mount("none", at("x"), NULL, MS_PRIVATE, NULL));
    r("MS_SHARED", mount("none", at("x"), NULL, MS_SHARED, NULL));
    show_mountinfo("shared");
    r("MS_SLAVE", mount("none", at("x"), NULL, MS_SLAVE, NULL));
    r("MS_PRIVATE|MS_REC", mount("none", at("x"), NULL, MS_PRIVATE | MS_REC, NULL));
    r("MS_PRIVATE|MS_SHARED", mount("none", at("x"), NULL, MS_PRIVATE | MS_SHARED, NULL));
    r("MS_UNBINDABLE", mount("none", at("x"), NULL, MS_UNBINDABLE, NULL));
    show_mountinfo("unbindable");
    r("MS_PRIVATE again", mount("none", at("x"), NULL, MS_PRIVATE, NULL));
    mkdir(at("y"), 0755);
    r("MS_MOVE", mount(at("x"), at("y"), NULL, MS_MOVE, NULL));
    r("the file at its new place", access(at("y/prog"), F_OK));
    r("not at the old", access(at("x/prog"), F_OK));
    show_mountinfo("moved");
    r("umount", umount2(at("y"), 0));
    r("ramfs", mount("r", at("x"), "ramfs", 0, NULL));
    show_type("ramfs statfs", at("x"));
    r("umount ramfs", umount2(at("x"), 0));
    mkdir(at("p"), 0755);
    r("proc", mount("proc", at("p"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
    show_type("proc statfs", at("p"));
    r("its meminfo", access(at("p/meminfo"), R_OK));
    r("umount proc", umount2(at("p"), 0));
    r("sysfs", mount("sysfs", at("p"), "sysfs", 0, NULL));
    show_type("sysfs statfs", at("p"));
    r("umount sysfs", umount2(at("p"), 0));
}

static void unprivileged(void)
{
    say("5. an unprivileged caller\n");
    pid_t pid = fork();
    if (pid == 0) {
        if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
            _exit(1);
        r("mount tmpfs", mount("none", at("e"), "tmpfs", 0, NULL));
        r("mount on a missing path", mount("none", at("nope/x"), "tmpfs", 0, NULL));
        r("bind", mount(at("src"), at("dst"), NULL, MS_BIND, NULL));
        r("umount2", umount2(at("e"), 0));
        r("umount2 bad flags", umount2(at("e"), 0x100));
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
}

static void show_names(const char *what, const char *want)
{
    struct utsname u;
    char proc[128] = "";
    int fd = open("/proc/sys/kernel/hostname", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, proc, sizeof(proc) - 1) : -1;
    if (fd >= 0)
        close(fd);
    proc[n > 0 ? n : 0] = 0;
    proc[strcspn(proc, "\n")] = 0;
    uname(&u);
    say("   %s: uname %s, /proc/sys/kernel/hostname %s\n", what, !strcmp(u.nodename, want) ? "as set" : "other",
        !strcmp(proc, want) ? "as set" : "other");
}

static void *idle_thread(void *arg)
{
    (void)arg;
    pause();
    return NULL;
}

static int in_new_uts(void *arg)
{
    (void)arg;
    r("  clone's child: sethostname", sethostname("cloned", 6));
    show_names("  clone's child", "cloned");
    return 0;
}

static void namespaces(void)
{
    say("6. unshare and UTS namespaces\n");
    struct utsname before, after;
    uname(&before);
    r("unshare(0)", unshare(0));
    r("unshare(CSIGNAL bits)", unshare(0x11));
    r("unshare(CLONE_FS)", unshare(CLONE_FS));
    r("unshare(CLONE_FILES)", unshare(CLONE_FILES));
    r("unshare(CLONE_SYSVSEM)", unshare(CLONE_SYSVSEM));
    r("unshare(CLONE_THREAD) alone", unshare(CLONE_THREAD));
    r("unshare(CLONE_VM) alone", unshare(CLONE_VM));
    r("unshare(CLONE_SIGHAND) alone", unshare(CLONE_SIGHAND));
    pid_t pid = fork();
    if (pid == 0) {
        r("  child: unshare(CLONE_NEWUTS)", unshare(CLONE_NEWUTS));
        r("  child: sethostname", sethostname("inner", 5));
        r("  child: setdomainname", setdomainname("dom", 3));
        show_names("  child", "inner");
        pid_t grandchild = fork();
        if (grandchild == 0) {
            show_names("  grandchild inherits", "inner");
            _exit(0);
        }
        waitpid(grandchild, NULL, 0);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    uname(&after);
    say("   parent's names unchanged: %s\n", !strcmp(before.nodename, after.nodename) &&
        !strcmp(before.domainname, after.domainname) ? "yes" : "no");
    static char stack[65536] __attribute__((aligned(16)));
    pid = clone(in_new_uts, stack + sizeof(stack), CLONE_NEWUTS | SIGCHLD, NULL);
    if (pid > 0)
        waitpid(pid, NULL, 0);         /* its lines first, whatever the scheduling */
    r("clone(CLONE_NEWUTS)", pid > 0 ? 0 : -1);
    uname(&after);
    say("   parent's names still unchanged: %s\n", !strcmp(before.nodename, after.nodename) ? "yes" : "no");
    pthread_t t;
    pthread_create(&t, NULL, idle_thread, NULL);
    r("unshare(CLONE_THREAD) with two threads", unshare(CLONE_THREAD));
    r("unshare(CLONE_VM) with two threads", unshare(CLONE_VM));
    r("unshare(CLONE_NEWUTS|CLONE_THREAD) with two threads", unshare(CLONE_NEWUTS | CLONE_THREAD));
    pid = fork();
    if (pid == 0) {
        if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
            _exit(1);
        r("  unprivileged: unshare(CLONE_NEWUTS)", unshare(CLONE_NEWUTS));
        r("  unprivileged: unshare(CLONE_FS|CLONE_FILES)", unshare(CLONE_FS | CLONE_FILES));
        r("  unprivileged: sethostname", sethostname("x", 1));
        _exit(0);
    }
    waitpid(pid, NULL, 0);
}

static void mount_namespaces(void)
{
    say("7. mount namespaces\n");
    mkdir(at("ns1"), 0755);
    mkdir(at("ns2"), 0755);
    r("a tmpfs before the unshare", mount("before", at("ns2"), "tmpfs", 0, "size=16k"));
    r("its marker", make_file(at("ns2/marker"), "m\n"));
    pid_t pid = fork();
    if (pid == 0) {
        r("  child: unshare(CLONE_NEWNS)", unshare(CLONE_NEWNS));
        show_mountinfo("  child's copy");
        r("  child: a tmpfs of its own", mount("own", at("ns1"), "tmpfs", 0, "size=8k"));
        r("  child: its file", make_file(at("ns1/file"), "f\n"));
        r("  child: umount the copied one", umount2(at("ns2"), 0));
        /* The root's own mount, in this namespace only: MS_BIND changes no super block (never
         * the host's, under the oracle). */
        int ro = mount("none", "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
        r("  child: remount,bind,ro of /", ro);
        if (!ro) {
            r("  child: access(/, W_OK)", access("/", W_OK));
            struct statfs sf;
            if (!statfs("/", &sf))
                say("  child: / read-only in statfs: %s\n", sf.f_flags & ST_RDONLY ? "yes" : "no");
            r("  child: remount,bind,rw of /", mount("none", "/", NULL, MS_REMOUNT | MS_BIND, NULL));
        }
        r("  child: private on /", mount("none", "/", NULL, MS_PRIVATE | MS_REC, NULL));
        r("  child: the marker after", access(at("ns2/marker"), F_OK));
        show_mountinfo("  child's table");
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    r("parent: the child's file", access(at("ns1/file"), F_OK));
    r("parent: its marker", access(at("ns2/marker"), F_OK));
    show_mountinfo("parent's table");
    r("parent: umount", umount2(at("ns2"), 0));
    /* An entry another namespace mounted on: removing it here unmounts it there (detach_mounts). */
    mkdir(at("ns3"), 0755);
    int up[2], down[2];
    if (pipe(up) || pipe(down))
        r("pipe", -1);
    pid = fork();
    if (pid == 0) {
        char b = 0;
        unshare(CLONE_NEWNS);
        r("  child: a tmpfs on ns3", mount("three", at("ns3"), "tmpfs", 0, "size=4k"));
        if (write(up[1], "x", 1) != 1 || read(down[0], &b, 1) != 1)
            _exit(1);
        show_mountinfo("  child's table after the parent's rmdir");
        r("  child: ns3", access(at("ns3"), F_OK));
        _exit(0);
    }
    char b;
    if (read(up[0], &b, 1) == 1)
        r("parent: rmdir of ns3", rmdir(at("ns3")));
    if (write(down[1], "x", 1) != 1)
        r("write", -1);
    waitpid(pid, NULL, 0);
    close(up[0]), close(up[1]), close(down[0]), close(down[1]);
    pid = fork();
    if (pid == 0) {
        if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
            _exit(1);
        r("  unprivileged: unshare(CLONE_NEWNS)", unshare(CLONE_NEWNS));
        _exit(0);
    }
    waitpid(pid, NULL, 0);
}

/* "uts:[4026531838]" -> its number; 0 when the link is not of that form. */
static unsigned long ns_number(const char *link_path, char *text, size_t size)
{
    ssize_t n = readlink(link_path, text, size - 1);
    text[n > 0 ? n : 0] = 0;
    const char *open = strchr(text, '[');
    return open ? strtoul(open + 1, NULL, 10) : 0;
}

/* The link's text with its number as N. */
static const char *masked(const char *text)
{
    static char out[128];
    size_t o = 0;
    for (const char *c = text; *c && o < sizeof(out) - 2; c++) {
        if (*c >= '0' && *c <= '9') {
            out[o++] = 'N';
            while (c[1] >= '0' && c[1] <= '9')
                c++;
        } else {
            out[o++] = *c;
        }
    }
    out[o] = 0;
    return out;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void ns_files(void)
{
    say("8. /proc/<pid>/ns and setns\n");
    DIR *d = opendir("/proc/self/ns");
    char *names[32];
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) && n < 32)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    if (d)
        closedir(d);
    qsort(names, n, sizeof(names[0]), by_name);
    for (int i = 0; i < n; i++) {
        char path[64], text[128];
        snprintf(path, sizeof(path), "/proc/self/ns/%s", names[i]);
        unsigned long num = ns_number(path, text, sizeof(text));
        struct stat st;
        int sr = stat(path, &st);
        say("   %s -> %s; stat: %s, mode %o\n", names[i], masked(text), sr ? strerrorname_np(errno) :
            st.st_ino == num ? "its number" : "another number", sr ? 0 : st.st_mode);
        free(names[i]);
    }
    char text[128], again[128];
    unsigned long uts0 = ns_number("/proc/self/ns/uts", text, sizeof(text));
    unsigned long mnt0 = ns_number("/proc/self/ns/mnt", text, sizeof(text));
    unsigned long ipc0 = ns_number("/proc/self/ns/ipc", text, sizeof(text));
    int uts_fd = open("/proc/self/ns/uts", O_RDONLY), mnt_fd = open("/proc/self/ns/mnt", O_RDONLY);
    int ipc_fd = open("/proc/self/ns/ipc", O_RDONLY), user_fd = open("/proc/self/ns/user", O_RDONLY);
    r("open uts", uts_fd >= 0 ? 0 : -1);
    struct stat st;
    r("fstat", fstat(uts_fd, &st));
    say("   fstat: %s, mode %o\n", st.st_ino == uts0 ? "its number" : "another number", st.st_mode);
    char c;
    r("read", read(uts_fd, &c, 1));
    char fdpath[64];
    snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", uts_fd);
    ssize_t len = readlink(fdpath, again, sizeof(again) - 1);
    again[len > 0 ? len : 0] = 0;
    say("   its /proc/self/fd link: %s\n", masked(again));
    int file_fd = open(W, O_RDONLY);
    r("setns of a directory", setns(file_fd, 0));
    r("setns of a closed descriptor", setns(1000, 0));
    r("setns with the wrong type", setns(uts_fd, CLONE_NEWNS));
    r("setns into the user namespace it is in", setns(user_fd, 0));
    pid_t pid = fork();
    if (pid == 0) {
        r("  child: unshare(CLONE_NEWUTS|CLONE_NEWNS)", unshare(CLONE_NEWUTS | CLONE_NEWNS));
        say("  child: uts %s, mnt %s, ipc %s\n",
            ns_number("/proc/self/ns/uts", text, sizeof(text)) != uts0 ? "new" : "same",
            ns_number("/proc/self/ns/mnt", text, sizeof(text)) != mnt0 ? "new" : "same",
            ns_number("/proc/self/ns/ipc", text, sizeof(text)) != ipc0 ? "new" : "same");
        struct utsname before;
        uname(&before);
        r("  child: sethostname", sethostname("elsewhere", 9));
        r("  child: setns back into the parent's uts", setns(uts_fd, CLONE_NEWUTS));
        struct utsname after;
        uname(&after);
        say("  child: name back: %s, uts %s\n", !strcmp(before.nodename, after.nodename) ? "yes" : "no",
            ns_number("/proc/self/ns/uts", text, sizeof(text)) == uts0 ? "the parent's" : "another");
        r("  child: chdir", chdir(W));
        r("  child: setns back into the parent's mnt", setns(mnt_fd, 0));
        char cwd[256] = "";
        say("  child: mnt %s, cwd %s\n", ns_number("/proc/self/ns/mnt", text, sizeof(text)) == mnt0 ? "the parent's" :
            "another", getcwd(cwd, sizeof(cwd)) ? cwd : strerrorname_np(errno));
        r("  child: setns into its own ipc", setns(ipc_fd, CLONE_NEWIPC));
        if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
            _exit(1);
        r("  unprivileged: setns", setns(uts_fd, 0));
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    close(uts_fd);
    close(mnt_fd);
    close(ipc_fd);
    close(user_fd);
    close(file_fd);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    alarm(60);
    snprintf(W, sizeof(W), "%s", argv[1]);
    chmod(W, 0755);                    /* section 5's unprivileged child walks into it */
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (getenv("MOUNTCONF_ONLY") && !strcmp(getenv("MOUNTCONF_ONLY"), "6")) {
        namespaces();                  /* built for the host: qemu-user's own threads and clone differ */
        ns_files();
        fflush(stdout);
        _exit(0);
    }
    errors();
    tmpfs();
    binds();
    flags_and_propagation();
    unprivileged();
    namespaces();
    mount_namespaces();
    ns_files();
    fflush(stdout);
    _exit(0);                          /* the idle thread stays paused */
}
