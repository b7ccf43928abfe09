/* File-system conformance sweep: `fsconf DIR` works inside DIR (an empty directory: /tmp in the
 * unikernel, a fresh tmpfs directory for the oracle: this program under qemu-aarch64-static on
 * the host's kernel) and prints, section by section, what each call answered: return values
 * and errno names, modes, sizes, link counts, and time stamps only as "changed" or "kept"
 * against values it set itself. Nothing that differs between two correct kernels is printed
 * (inode numbers, directory sizes, readdir order, pids, times themselves). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/falloc.h>

#include "probe_print.h"

static void put(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) < 0)
        say("   put %s: %s\n", path, strerrorname_np(errno));
    close(fd);
}

static void show(const char *label, const char *path, int flags)
{
    struct stat st;
    if (fstatat(AT_FDCWD, path, &st, flags)) {
        say("   %s: %s\n", label, strerrorname_np(errno));
        return;
    }
    int dir = S_ISDIR(st.st_mode);
    say("   %s: mode %o nlink %lu", label, st.st_mode, (unsigned long)st.st_nlink);
    if (!dir)   /* a directory's size is the filesystem's own (tmpfs: entries * 20) */
        say(" size %lld blocks %lld blksize %ld", (long long)st.st_size, (long long)st.st_blocks, (long)st.st_blksize);
    say("\n");
}

static void show_fd(const char *label, int fd)
{
    struct stat st;
    if (fstat(fd, &st)) {
        say("   %s: %s\n", label, strerrorname_np(errno));
        return;
    }
    say("   %s: mode %o nlink %lu size %lld\n", label, st.st_mode, (unsigned long)st.st_nlink, (long long)st.st_size);
}

static long long size_of(const char *path)
{
    struct stat st;
    return stat(path, &st) ? -1 : (long long)st.st_size;
}

static const char *contents(const char *path)
{
    static char buf[128];
    int fd = open(path, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n < 0)
        return strerrorname_np(errno);
    for (ssize_t i = 0; i < n; i++)
        if (buf[i] == 0)
            buf[i] = '.';
    buf[n] = 0;
    return buf;
}

static void section_open(void)
{
    say("1. openat\n");
    char name[300];
    r("O_CREAT|O_EXCL new", open("f", O_WRONLY | O_CREAT | O_EXCL, 0644));
    r("O_CREAT|O_EXCL existing", open("f", O_WRONLY | O_CREAT | O_EXCL, 0644));
    symlink("nowhere", "dangling");
    symlink("f", "lf");
    r("O_CREAT|O_EXCL on a dangling symlink", open("dangling", O_WRONLY | O_CREAT | O_EXCL, 0644));
    r("O_CREAT|O_EXCL on a symlink to a file", open("lf", O_WRONLY | O_CREAT | O_EXCL, 0644));
    r("O_CREAT through a dangling symlink", open("dangling", O_WRONLY | O_CREAT, 0600));
    show("   its target", "nowhere", 0);
    char cwd[1024], abs_target[1100];
    getcwd(cwd, sizeof(cwd));
    snprintf(abs_target, sizeof(abs_target), "%s/abs-target", cwd);
    symlink(abs_target, "dangling-abs");
    r("O_CREAT through a dangling absolute symlink", open("dangling-abs", O_WRONLY | O_CREAT, 0600) >= 0);
    show("   its target", "abs-target", 0);
    symlink("chain-b", "chain-a");
    symlink("chain-c", "chain-b");
    symlink("made-by-chain", "chain-c");
    r("O_CREAT through a chain of dangling symlinks", open("chain-a", O_WRONLY | O_CREAT, 0600) >= 0);
    show("   the chain's end", "made-by-chain", 0);
    symlink("missing-dir/x", "dangling-in-missing");
    r("O_CREAT through a symlink into a missing dir", open("dangling-in-missing", O_WRONLY | O_CREAT, 0600));
    symlink("newname/", "dangling-slash");
    r("O_CREAT through a symlink ending in /", open("dangling-slash", O_WRONLY | O_CREAT, 0600));
    symlink("f/x", "dangling-through-file");
    r("O_CREAT through a symlink through a file", open("dangling-through-file", O_WRONLY | O_CREAT, 0600));
    symlink("dloop2", "dloop1");
    symlink("dloop1", "dloop2");
    r("O_CREAT through a symlink loop", open("dloop1", O_WRONLY | O_CREAT, 0600));
    r("O_CREAT|O_NOFOLLOW on a dangling symlink", open("dangling-slash", O_WRONLY | O_CREAT | O_NOFOLLOW, 0600));
    r("O_DIRECTORY on a file", open("f", O_RDONLY | O_DIRECTORY));
    r("O_DIRECTORY on a symlink to a file", open("lf", O_RDONLY | O_DIRECTORY));
    r("O_DIRECTORY|O_CREAT new", open("newdir", O_RDONLY | O_DIRECTORY | O_CREAT, 0755));
    mkdir("d", 0755);
    r("O_DIRECTORY on a dir", open("d", O_RDONLY | O_DIRECTORY) >= 0);
    put("t", "some bytes");
    r("O_RDONLY|O_TRUNC", open("t", O_RDONLY | O_TRUNC) >= 0);
    say("   size after O_RDONLY|O_TRUNC %lld\n", size_of("t"));
    put("t", "some bytes");
    r("O_PATH|O_TRUNC", open("t", O_PATH | O_TRUNC) >= 0);
    say("   size after O_PATH|O_TRUNC %lld\n", size_of("t"));
    r("O_NOFOLLOW on a symlink", open("lf", O_RDONLY | O_NOFOLLOW));
    r("O_NOFOLLOW|O_CREAT on a symlink", open("lf", O_RDWR | O_NOFOLLOW | O_CREAT, 0644));
    symlink("d", "ld");
    put("d/in", "inside");
    r("O_NOFOLLOW with a symlink earlier in the path", open("ld/in", O_RDONLY | O_NOFOLLOW) >= 0);
    r("O_NOFOLLOW|O_PATH on a symlink", open("lf", O_PATH | O_NOFOLLOW) >= 0);
    r("empty path", open("", O_RDONLY));
    r("empty path O_CREAT", open("", O_RDWR | O_CREAT, 0644));
    r("O_WRONLY on a dir", open("d", O_WRONLY));
    r("O_RDWR on a dir", open("d", O_RDWR));
    r("O_CREAT on a dir", open("d", O_RDONLY | O_CREAT, 0644));
    r("O_CREAT on .", open(".", O_RDONLY | O_CREAT, 0644));
    r("O_RDONLY|O_TRUNC on a dir", open("d", O_RDONLY | O_TRUNC));
    r("file/ (trailing slash)", open("f/", O_RDONLY));
    r("file/ O_CREAT", open("f/", O_RDWR | O_CREAT, 0644));
    r("new/ O_CREAT", open("new/", O_RDWR | O_CREAT, 0644));
    r("dir/ O_RDONLY", open("d/", O_RDONLY) >= 0);
    r("symlink-to-file/", open("lf/", O_RDONLY));
    r("symlink-to-dir/", open("ld/", O_RDONLY) >= 0);
    r("file/x", open("f/x", O_RDONLY));
    r("file/x O_CREAT", open("f/x", O_RDWR | O_CREAT, 0644));
    r("missing/x O_CREAT", open("missing/x", O_RDWR | O_CREAT, 0644));
    memset(name, 'n', 255);
    name[255] = 0;
    r("255-byte name O_CREAT", open(name, O_RDWR | O_CREAT, 0644) >= 0);
    unlink(name);
    memset(name, 'n', 256);
    name[256] = 0;
    r("256-byte name O_CREAT", open(name, O_RDWR | O_CREAT, 0644));
    r("256-byte name lookup", open(name, O_RDONLY));
    char *longpath = malloc(5000);
    memset(longpath, 0, 5000);
    for (int i = 0; i < 4200; i += 2)
        memcpy(longpath + i, "./", 2);
    strcat(longpath, "f");
    r("4203-byte path", open(longpath, O_RDONLY));
    longpath[4094] = 0;
    r("4094-byte path of ./", open(longpath, O_RDONLY) >= 0);
    free(longpath);
    r("bad flags bits (0x80000000)", open("f", O_RDONLY | 0x80000000) >= 0);
    r("O_CREAT|O_EXCL|O_TRUNC new mode 0", open("m0", O_RDWR | O_CREAT | O_EXCL | O_TRUNC, 0) >= 0);
    show("   m0", "m0", 0);
    r("O_RDWR on a mode-0 file (root)", open("m0", O_RDWR) >= 0);
    r("O_ACCMODE 3", open("f", 3) >= 0);
    int fd = open("f", 3);
    say("   O_ACCMODE 3 F_GETFL accmode %d\n", fd < 0 ? -1 : fcntl(fd, F_GETFL) & O_ACCMODE);
    errno = 0;
    say("   read on it: %zd %s\n", read(fd, name, 1), strerrorname_np(errno));
    close(fd);

    say("   -- O_PATH\n");
    int p = open("t", O_PATH);
    char c;
    struct stat st;
    r("O_PATH open", p >= 0);
    r("fstat", fstat(p, &st));
    say("   fstat mode %o size %lld\n", st.st_mode, (long long)st.st_size);
    r("read", read(p, &c, 1));
    r("write", write(p, "x", 1));
    r("pread", pread(p, &c, 1, 0));
    r("lseek", lseek(p, 0, SEEK_SET));
    r("fchmod", fchmod(p, 0600));
    r("ftruncate", ftruncate(p, 0));
    r("fsync", fsync(p));
    r("mmap", mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, p, 0) == MAP_FAILED ? -1 : 0);
    r("ioctl FIONREAD", ioctl(p, FIONREAD, &fd));
    r("fstatat AT_EMPTY_PATH", fstatat(p, "", &st, AT_EMPTY_PATH));
    r("fstatat empty path without AT_EMPTY_PATH", fstatat(p, "", &st, 0));
    say("   F_GETFL %#x\n", fcntl(p, F_GETFL));
    r("F_SETFL O_APPEND", fcntl(p, F_SETFL, O_APPEND));
    r("F_GETFD", fcntl(p, F_GETFD));
    int pd = dup(p);
    r("dup", pd >= 0);
    close(pd);
    r("fchown same owner", fchown(p, -1, -1));
    r("faccessat AT_EMPTY_PATH", syscall(SYS_faccessat2, p, "", R_OK, AT_EMPTY_PATH));
    r("close", close(p));
    int dp = open("d", O_PATH | O_DIRECTORY);
    r("O_PATH|O_DIRECTORY on dir", dp >= 0);
    r("openat(O_PATH dir, \"in\")", (fd = openat(dp, "in", O_RDONLY)) >= 0);
    close(fd);
    char dbuf[256];
    r("getdents64 on O_PATH dir", syscall(SYS_getdents64, dp, dbuf, sizeof(dbuf)));
    int here = open(".", O_RDONLY | O_DIRECTORY);
    r("fchdir(O_PATH dir)", fchdir(dp));
    say("   in: %s\n", contents("in"));
    fchdir(here);
    close(here);
    close(dp);
    int lp = open("lf", O_PATH | O_NOFOLLOW);
    r("fstatat AT_EMPTY_PATH on O_PATH symlink", fstatat(lp, "", &st, AT_EMPTY_PATH));
    say("   mode %o size %lld\n", st.st_mode, (long long)st.st_size);
    r("readlinkat(O_PATH symlink, \"\")", readlinkat(lp, "", dbuf, sizeof(dbuf)));
    r("openat(O_PATH symlink, \"\", O_RDONLY)", openat(lp, "", O_RDONLY));
    close(lp);
    r("readlinkat(file fd, \"\")", (fd = open("f", O_RDONLY), readlinkat(fd, "", dbuf, sizeof(dbuf))));
    close(fd);

    say("   -- O_TMPFILE\n");
    umask(022);
    int t = open(".", O_TMPFILE | O_RDWR, 0666);
    r("O_TMPFILE|O_RDWR in .", t >= 0);
    show_fd("   it", t);
    r("write", write(t, "tmp", 3));
    r("O_TMPFILE|O_RDONLY", open(".", O_TMPFILE | O_RDONLY, 0600));
    r("O_TMPFILE on a file", open("f", O_TMPFILE | O_RDWR, 0600));
    r("O_TMPFILE on a missing dir", open("nodir", O_TMPFILE | O_RDWR, 0600));
    char proc_fd[64];
    snprintf(proc_fd, sizeof(proc_fd), "/proc/self/fd/%d", t);
    r("linkat /proc/self/fd/N AT_SYMLINK_FOLLOW", linkat(AT_FDCWD, proc_fd, AT_FDCWD, "named", AT_SYMLINK_FOLLOW));
    show("   named", "named", 0);
    say("   named: %s\n", contents("named"));
    close(t);
    t = open(".", O_TMPFILE | O_RDWR | O_EXCL, 0600);
    snprintf(proc_fd, sizeof(proc_fd), "/proc/self/fd/%d", t);
    r("O_TMPFILE|O_EXCL then linkat", linkat(AT_FDCWD, proc_fd, AT_FDCWD, "named2", AT_SYMLINK_FOLLOW));
    close(t);
    say("   listing of . has named2: %s\n", access("named2", F_OK) ? "no" : "yes");
}

static void section_stat(void)
{
    say("2. stat and statx\n");
    struct stat st;
    struct statx sx;
    int fd = open("f", O_RDONLY);
    r("fstatat(fd, \"\", AT_EMPTY_PATH)", fstatat(fd, "", &st, AT_EMPTY_PATH));
    r("fstatat(AT_FDCWD, \"\", AT_EMPTY_PATH)", fstatat(AT_FDCWD, "", &st, AT_EMPTY_PATH));
    say("   is a dir: %d\n", S_ISDIR(st.st_mode));
    r("fstatat(fd, \"\", 0)", fstatat(fd, "", &st, 0));
    r("fstatat bad flag", fstatat(AT_FDCWD, "f", &st, 0x8000));
    r("fstatat(file fd, \"x\")", fstatat(fd, "x", &st, 0));
    r("fstatat(-5, \"x\")", fstatat(-5, "x", &st, 0));
    r("fstatat(-5, \"/\")", fstatat(-5, "/", &st, 0));
    close(fd);
    show("lf", "lf", AT_SYMLINK_NOFOLLOW);
    show("lf followed", "lf", 0);
    show("dangling nofollow", "dangling", AT_SYMLINK_NOFOLLOW);
    unlink("nowhere");
    show("dangling followed", "dangling", 0);
    r("stat f/ (trailing slash)", stat("f/", &st));
    r("lstat lf/ (trailing slash)", lstat("ld/", &st));
    say("   lstat ld/ is a dir: %d\n", S_ISDIR(st.st_mode));

    say("   -- statx masks\n");
    unsigned masks[] = { 0, STATX_TYPE, STATX_BASIC_STATS, STATX_ALL, STATX_SIZE | STATX_BLOCKS };
    for (unsigned i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
        memset(&sx, 0xee, sizeof(sx));
        int ret = statx(AT_FDCWD, "f", 0, masks[i], &sx);
        say("   statx mask %#x = %d: stx_mask & basic %#x, btime %d, size %lld nlink %u mode %o blksize %u\n", masks[i], ret,
            sx.stx_mask & STATX_BASIC_STATS, !!(sx.stx_mask & STATX_BTIME), (long long)sx.stx_size, sx.stx_nlink, sx.stx_mode,
            sx.stx_blksize);
    }
    /* The mount-id bits (0x1000, 0x4000) and btime (0x800) are left out: see the test. */
    const char *which[] = { "f", "d", "/dev/null" };
    for (unsigned i = 0; i < 3; i++)
        for (unsigned k = 0; k < 2; k++) {
            memset(&sx, 0, sizeof(sx));
            unsigned want = k ? STATX_BASIC_STATS : STATX_SIZE;
            int ret = statx(AT_FDCWD, which[i], 0, want, &sx);
            say("   statx %s mask %#x = %d: stx_mask %#x attributes %#llx of %#llx\n", which[i], want, ret,
                sx.stx_mask & ~0x5800u, (unsigned long long)sx.stx_attributes, (unsigned long long)sx.stx_attributes_mask);
        }
    put("born", "x");
    memset(&sx, 0, sizeof(sx));
    statx(AT_FDCWD, "born", 0, STATX_BTIME | STATX_CTIME, &sx);
    say("   STATX_BTIME of a new file: %d, no later than its ctime: %d\n", !!(sx.stx_mask & STATX_BTIME),
        sx.stx_btime.tv_sec > 100000 && (sx.stx_btime.tv_sec < sx.stx_ctime.tv_sec ||
        (sx.stx_btime.tv_sec == sx.stx_ctime.tv_sec && sx.stx_btime.tv_nsec <= sx.stx_ctime.tv_nsec)));
    memset(&sx, 0, sizeof(sx));   /* "/" is the oracle's host root: only what every mount root says */
    say("   statx / is a mount root: %d, . is not: %d\n", statx(AT_FDCWD, "/", 0, 0, &sx) == 0 && (sx.stx_attributes & 0x2000),
        statx(AT_FDCWD, ".", 0, 0, &sx) == 0 && !(sx.stx_attributes & 0x2000));
    r("statx STATX__RESERVED", statx(AT_FDCWD, "f", 0, 0x80000000u, &sx));
    r("statx FORCE_SYNC|DONT_SYNC", statx(AT_FDCWD, "f", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &sx));
    r("statx FORCE_SYNC", statx(AT_FDCWD, "f", AT_STATX_FORCE_SYNC, STATX_BASIC_STATS, &sx));
    r("statx bad flag", statx(AT_FDCWD, "f", 0x8000, STATX_BASIC_STATS, &sx));
    r("statx empty path no flag", statx(AT_FDCWD, "", 0, STATX_BASIC_STATS, &sx));
    r("statx NULL buffer", syscall(SYS_statx, AT_FDCWD, "f", 0, STATX_BASIC_STATS, NULL));
    r("statx AT_SYMLINK_NOFOLLOW", statx(AT_FDCWD, "lf", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx));
    say("   mode %o size %lld\n", sx.stx_mode, (long long)sx.stx_size);
    fd = open("d", O_RDONLY);
    r("statx(dirfd, \"\", AT_EMPTY_PATH)", statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx));
    say("   mode %o\n", sx.stx_mode);
    close(fd);

    say("   -- link counts\n");
    mkdir("nl", 0755);
    show("empty dir", "nl", 0);
    mkdir("nl/a", 0755);
    mkdir("nl/b", 0755);
    put("nl/file", "x");
    show("dir with 2 subdirs and a file", "nl", 0);
    rmdir("nl/a");
    show("after rmdir of one", "nl", 0);
    rename("nl/b", "d/b");
    show("after moving the other out", "nl", 0);
    show("its new parent", "d", 0);
    rename("d/b", "nl/b");
    link("nl/file", "nl/file2");
    show("a file with 2 names", "nl/file", 0);

    say("   -- blocks\n");
    fd = open("blk", O_RDWR | O_CREAT | O_TRUNC, 0644);
    show("empty", "blk", 0);
    write(fd, "x", 1);
    show("1 byte", "blk", 0);
    char page[4097] = { 1 };
    pwrite(fd, page, 4097, 0);
    show("4097 bytes", "blk", 0);
    ftruncate(fd, 1 << 20);
    show("grown to 1 MiB", "blk", 0);
    pwrite(fd, "y", 1, 65536);
    show("one byte written at 64 KiB", "blk", 0);
    ftruncate(fd, 100);
    show("shrunk to 100", "blk", 0);
    close(fd);
    show("a symlink", "lf", AT_SYMLINK_NOFOLLOW);
}

/* Times as "kept" or "changed" against what the probe set them to with utimensat. */
static void times(const char *label, const char *path, int flags)
{
    struct stat st;
    if (fstatat(AT_FDCWD, path, &st, flags)) {
        say("   %s: %s\n", label, strerrorname_np(errno));
        return;
    }
    say("   %s: atime %s mtime %s ctime %s\n", label,
        st.st_atim.tv_sec == 1000 && st.st_atim.tv_nsec == 5 ? "1000.5" : st.st_atim.tv_sec > 100000 ? "now" : "other",
        st.st_mtim.tv_sec == 2000 && st.st_mtim.tv_nsec == 7 ? "2000.7" : st.st_mtim.tv_sec > 100000 ? "now" : "other",
        st.st_ctim.tv_sec > 100000 ? "now" : "other");
}

static void old_times(const char *path, int flags)
{
    struct timespec ts[2] = { { 1000, 5 }, { 2000, 7 } };
    utimensat(AT_FDCWD, path, ts, flags);
}

static struct timespec ctime_of(const char *path)
{
    struct stat st;
    lstat(path, &st);
    return st.st_ctim;
}

static const char *same_time(struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec ? "kept" : "changed";
}

static void section_times(void)
{
    say("3. time stamps\n");
    put("tm", "0123456789");
    old_times("tm", 0);
    times("set", "tm", 0);
    int fd = open("tm", O_RDWR);
    char buf[4];
    read(fd, buf, 4);
    times("after read (relatime: atime before mtime)", "tm", 0);
    old_times("tm", 0);
    write(fd, "ab", 2);
    times("after write", "tm", 0);
    old_times("tm", 0);
    write(fd, "", 0);
    times("after a zero-length write", "tm", 0);
    ftruncate(fd, 10);
    times("after ftruncate to the same size", "tm", 0);
    ftruncate(fd, 4);
    times("after ftruncate shrinking", "tm", 0);
    old_times("tm", 0);
    truncate("tm", 4);
    times("after truncate(path) to the same size", "tm", 0);
    truncate("tm", 8);
    times("after truncate(path) growing", "tm", 0);
    old_times("tm", 0);
    fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 8192);
    times("after fallocate KEEP_SIZE", "tm", 0);
    close(fd);
    old_times("tm", 0);
    fd = open("tm", O_RDWR | O_TRUNC);
    times("after O_TRUNC", "tm", 0);
    close(fd);
    old_times("tm", 0);
    chmod("tm", 0640);
    times("after chmod", "tm", 0);
    old_times("tm", 0);
    rename("tm", "tm2");
    times("after rename", "tm2", 0);
    old_times("tm2", 0);
    link("tm2", "tm3");
    times("after link", "tm2", 0);
    old_times("tm2", 0);
    unlink("tm3");
    times("after unlinking the other name", "tm2", 0);
    mkdir("td", 0755);
    old_times("td", 0);
    put("td/x", "");
    times("dir after a create in it", "td", 0);
    old_times("td", 0);
    rename("td/x", "td/y");
    times("dir after a rename in it", "td", 0);
    old_times("td", 0);
    unlink("td/y");
    times("dir after an unlink in it", "td", 0);
    old_times("td", 0);
    fd = open("td", O_RDONLY | O_DIRECTORY);
    syscall(SYS_getdents64, fd, buf, 0);
    char dents[1024];
    syscall(SYS_getdents64, fd, dents, sizeof(dents));
    close(fd);
    times("dir after getdents64", "td", 0);

    say("   -- utimensat\n");
    put("u", "u");
    old_times("u", 0);
    struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
    r("UTIME_OMIT, UTIME_NOW", utimensat(AT_FDCWD, "u", ts, 0));
    times("", "u", 0);
    old_times("u", 0);
    ts[0].tv_nsec = UTIME_NOW;
    ts[1].tv_nsec = UTIME_OMIT;
    r("UTIME_NOW, UTIME_OMIT", utimensat(AT_FDCWD, "u", ts, 0));
    times("", "u", 0);
    old_times("u", 0);
    struct timespec before = ctime_of("u");
    ts[0].tv_nsec = UTIME_OMIT;
    ts[1].tv_nsec = UTIME_OMIT;
    r("UTIME_OMIT, UTIME_OMIT", utimensat(AT_FDCWD, "u", ts, 0));
    times("", "u", 0);
    say("   ctime %s\n", same_time(before, ctime_of("u")));
    r("NULL times", utimensat(AT_FDCWD, "u", NULL, 0));
    times("", "u", 0);
    ts[0].tv_nsec = 1000000000;
    r("tv_nsec 1e9", utimensat(AT_FDCWD, "u", ts, 0));
    ts[0].tv_nsec = -1;
    r("tv_nsec -1", utimensat(AT_FDCWD, "u", ts, 0));
    ts[0].tv_sec = 5;
    ts[0].tv_nsec = UTIME_OMIT;
    ts[1].tv_sec = 5;
    ts[1].tv_nsec = UTIME_NOW;
    old_times("u", 0);
    r("tv_sec ignored with UTIME_*", utimensat(AT_FDCWD, "u", ts, 0));
    times("", "u", 0);
    r("bad flag", utimensat(AT_FDCWD, "u", NULL, 0x8000));
    r("missing file", utimensat(AT_FDCWD, "missing", NULL, 0));
    old_times("lf", AT_SYMLINK_NOFOLLOW);
    times("symlink itself AT_SYMLINK_NOFOLLOW", "lf", AT_SYMLINK_NOFOLLOW);
    fd = open("u", O_RDONLY);
    old_times("u", 0);
    r("futimens (fd, NULL path)", syscall(SYS_utimensat, fd, NULL, NULL, 0));
    times("", "u", 0);
    r("utimensat(AT_FDCWD, NULL)", syscall(SYS_utimensat, AT_FDCWD, NULL, NULL, 0));
    r("utimensat(fd, \"\", AT_EMPTY_PATH)", utimensat(fd, "", NULL, AT_EMPTY_PATH));
    r("utimensat(fd, \"\", 0)", utimensat(fd, "", NULL, 0));
    close(fd);
}

struct dent {
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

static const char *type_name(int t)
{
    switch (t) {
    case DT_REG: return "REG";
    case DT_DIR: return "DIR";
    case DT_LNK: return "LNK";
    case DT_CHR: return "CHR";
    case DT_FIFO: return "FIFO";
    case DT_SOCK: return "SOCK";
    default: return "UNKNOWN";
    }
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every remaining entry of fd, one getdents64 of `size` at a time, into names (sorted). */
static int drain(int fd, size_t size, char **names, int max)
{
    char buf[4096];
    int n = 0;
    for (;;) {
        long got = syscall(SYS_getdents64, fd, buf, size);
        if (got <= 0)
            break;
        for (long at = 0; at < got && n < max;) {
            struct dent *d = (struct dent *)(buf + at);
            names[n] = malloc(strlen(d->name) + 6);
            sprintf(names[n++], "%s/%s", d->name, type_name(d->type));
            at += d->reclen;
        }
    }
    qsort(names, n, sizeof(names[0]), by_name);
    return n;
}

static void print_names(const char *label, char **names, int n)
{
    say("   %s:", label);
    for (int i = 0; i < n; i++) {
        say(" %s", names[i]);
        free(names[i]);
    }
    say("\n");
}

static void section_getdents(void)
{
    say("4. getdents64\n");
    mkdir("g", 0755);
    put("g/reg", "r");
    mkdir("g/sub", 0755);
    symlink("reg", "g/lnk");
    char *names[64];
    int fd = open("g", O_RDONLY | O_DIRECTORY);
    int n = drain(fd, 4096, names, 64);
    print_names("entries", names, n);
    r("at the end", syscall(SYS_getdents64, fd, names, 4096));
    r("lseek 0", lseek(fd, 0, SEEK_SET));
    n = drain(fd, 4096, names, 64);
    print_names("again after lseek 0", names, n);
    char buf[4096];
    lseek(fd, 0, SEEK_SET);
    r("buffer of 0", syscall(SYS_getdents64, fd, buf, 0));
    r("buffer of 10", syscall(SYS_getdents64, fd, buf, 10));
    r("buffer of 24 (\".\" takes 24)", syscall(SYS_getdents64, fd, buf, 24));
    r("bad buffer", syscall(SYS_getdents64, fd, (void *)8, 4096));
    lseek(fd, 0, SEEK_SET);
    r("SEEK_END on a dir", lseek(fd, 0, SEEK_END));
    r("SEEK_CUR 0 on a dir", lseek(fd, 0, SEEK_CUR));
    r("SEEK_DATA on a dir", lseek(fd, 0, SEEK_DATA));
    r("negative SEEK_SET on a dir", lseek(fd, -1, SEEK_SET));

    /* d_off: seeking to an entry's d_off resumes right after that entry. */
    lseek(fd, 0, SEEK_SET);
    long got = syscall(SYS_getdents64, fd, buf, sizeof(buf));
    char after_second[256] = "", resumed[256] = "";
    int64_t second_off = 0;
    int k = 0;
    for (long at = 0; at < got; k++) {
        struct dent *d = (struct dent *)(buf + at);
        if (k == 1)
            second_off = d->off;
        if (k == 2)
            strcpy(after_second, d->name);
        at += d->reclen;
    }
    r("lseek to the 2nd entry's d_off", lseek(fd, second_off, SEEK_SET) == second_off);
    got = syscall(SYS_getdents64, fd, buf, sizeof(buf));
    if (got > 0)
        strcpy(resumed, ((struct dent *)buf)->name);
    say("   resumes at the 3rd entry: %s\n", strcmp(after_second, resumed) ? "no" : "yes");
    close(fd);

    /* Unlinking during the iteration: the entries not yet returned still come exactly once,
     * except the one removed before it was returned. */
    mkdir("u2", 0755);
    char path[64];
    for (int i = 0; i < 20; i++) {
        snprintf(path, sizeof(path), "u2/e%02d", i);
        put(path, "");
    }
    fd = open("u2", O_RDONLY | O_DIRECTORY);
    got = syscall(SYS_getdents64, fd, buf, 24 * 4);   /* four entries of 24 bytes at most */
    int first = 0;
    char seen[32][256];
    for (long at = 0; at < got; first++) {
        struct dent *d = (struct dent *)(buf + at);
        strcpy(seen[first], d->name);
        at += d->reclen;
    }
    say("   first read: %d entries\n", first);
    for (int i = 0; i < first; i++)   /* remove what was returned */
        if (seen[i][0] == 'e') {
            snprintf(path, sizeof(path), "u2/%s", seen[i]);
            unlink(path);
        }
    int rest = drain(fd, 100, names, 64);
    int dup = 0;
    for (int i = 0; i < rest; i++)
        for (int j = 0; j < first; j++)
            if (!strncmp(names[i], seen[j], strlen(seen[j])) && names[i][strlen(seen[j])] == '/')
                dup++;
    say("   the rest: %d entries, %d of them returned before\n", rest + first, dup);
    for (int i = 0; i < rest; i++)
        free(names[i]);
    close(fd);

    /* An entry removed before it is reached is not returned. */
    fd = open("u2", O_RDONLY | O_DIRECTORY);
    got = syscall(SYS_getdents64, fd, buf, 24 * 3);
    unlink("u2/e19");
    unlink("u2/e18");
    n = drain(fd, 100, names, 64);
    int late = 0;
    for (int i = 0; i < n; i++)
        late += !strncmp(names[i], "e19/", 4) || !strncmp(names[i], "e18/", 4);
    say("   entries removed ahead of the reader returned: %d\n", late);
    for (int i = 0; i < n; i++)
        free(names[i]);
    close(fd);

    /* A removed directory lists nothing. */
    mkdir("gone", 0755);
    fd = open("gone", O_RDONLY | O_DIRECTORY);
    rmdir("gone");
    r("getdents64 of a removed dir", syscall(SYS_getdents64, fd, buf, sizeof(buf)));
    r("fstat nlink of it", fstat(fd, &(struct stat){0}));
    struct stat st;
    fstat(fd, &st);
    say("   nlink %lu\n", (unsigned long)st.st_nlink);
    r("openat in it O_CREAT", openat(fd, "x", O_RDWR | O_CREAT, 0644));
    r("mkdirat in it", mkdirat(fd, "x", 0755));
    close(fd);
    fd = open("f", O_RDONLY);
    r("getdents64 on a file", syscall(SYS_getdents64, fd, buf, sizeof(buf)));
    close(fd);
    r("getdents64 on a bad fd", syscall(SYS_getdents64, 99, buf, sizeof(buf)));
}

static void section_names(void)
{
    say("5. rename, link, unlink, rmdir, symlink, readlink\n");
    put("ra", "A");
    put("rb", "B");
    mkdir("rd", 0755);
    mkdir("re", 0755);
    put("re/x", "x");
    mkdir("rf", 0755);
    r("NOREPLACE onto an existing file", renameat2(AT_FDCWD, "ra", AT_FDCWD, "rb", RENAME_NOREPLACE));
    r("NOREPLACE onto a new name", renameat2(AT_FDCWD, "ra", AT_FDCWD, "rc", RENAME_NOREPLACE));
    r("EXCHANGE file and dir", renameat2(AT_FDCWD, "rc", AT_FDCWD, "rd", RENAME_EXCHANGE));
    show("rc now", "rc", 0);
    show("rd now", "rd", 0);
    renameat2(AT_FDCWD, "rc", AT_FDCWD, "rd", RENAME_EXCHANGE);
    r("EXCHANGE with a missing name", renameat2(AT_FDCWD, "rc", AT_FDCWD, "missing", RENAME_EXCHANGE));
    r("NOREPLACE|EXCHANGE", renameat2(AT_FDCWD, "rb", AT_FDCWD, "rc", RENAME_NOREPLACE | RENAME_EXCHANGE));
    r("unknown flag", renameat2(AT_FDCWD, "rb", AT_FDCWD, "rc", 8));
    r("dir over a non-empty dir", rename("rd", "re"));
    r("dir over an empty dir", rename("rd", "rf"));
    show("rf", "rf", 0);
    show("rd", "rd", 0);
    mkdir("rf/sub", 0755);
    r("dir into its own subdir", rename("rf", "rf/sub/x"));
    r("dir onto its own subdir", rename("rf", "rf/sub"));
    r("subdir onto its parent", rename("rf/sub", "rf"));
    r("dir into itself", rename("rf", "rf/x"));
    r("file over a dir", rename("rb", "rf"));
    r("dir over a file", rename("rf", "rb"));
    r("file onto itself", rename("rb", "rb"));
    link("rb", "rb2");
    r("one name onto another of the same file", rename("rb", "rb2"));
    say("   rb %s, rb2 %s\n", access("rb", F_OK) ? "gone" : "kept", access("rb2", F_OK) ? "gone" : "kept");
    r("missing source", rename("missing", "x"));
    r("into a missing dir", rename("rb", "missing/x"));
    r("\".\" as the source", rename(".", "x"));
    r("\"..\" as the target", rename("rb", ".."));
    r("rf/. as the source", rename("rf/.", "x"));
    r("file/ (trailing slash) as the source", rename("rb/", "x"));
    r("file to new/ (trailing slash)", rename("rb", "new/"));
    r("dir/ to newdir/", rename("rf/", "rg/"));
    rename("rg", "rf");
    r("symlink-to-dir/ as source", rename("ld/", "x"));
    r("a path through a file", rename("rb/x", "y"));
    r("\"\" as the source", rename("", "x"));
    char longname[300];
    memset(longname, 'l', 256);
    longname[256] = 0;
    r("onto a 256-byte name", rename("rb", longname));

    say("   -- link\n");
    r("a dir", link("rf", "rf-link"));
    r("onto an existing name", link("rb", "ra2"));
    put("ra2", "");
    r("onto an existing file", link("rb", "ra2"));
    r("a missing file", link("missing", "x"));
    r("into a missing dir", link("rb", "missing/x"));
    r("new/ (trailing slash)", link("rb", "lnk/"));
    r("file/ as source", link("rb/", "lnk"));
    r("a symlink (not followed)", link("lf", "lf-hard"));
    show("lf-hard", "lf-hard", AT_SYMLINK_NOFOLLOW);
    r("linkat AT_SYMLINK_FOLLOW a symlink", linkat(AT_FDCWD, "lf", AT_FDCWD, "lf-followed", AT_SYMLINK_FOLLOW));
    show("lf-followed", "lf-followed", AT_SYMLINK_NOFOLLOW);
    r("linkat bad flag", linkat(AT_FDCWD, "rb", AT_FDCWD, "q", 0x1));
    r("linkat dangling AT_SYMLINK_FOLLOW", linkat(AT_FDCWD, "dangling", AT_FDCWD, "q", AT_SYMLINK_FOLLOW));

    say("   -- unlink and rmdir\n");
    r("unlink a dir", unlink("rf"));
    r("unlinkat a dir without AT_REMOVEDIR", unlinkat(AT_FDCWD, "rf", 0));
    r("unlinkat a file with AT_REMOVEDIR", unlinkat(AT_FDCWD, "rb2", AT_REMOVEDIR));
    r("unlinkat bad flag", unlinkat(AT_FDCWD, "rb2", 0x1));
    r("unlink /", unlink("/"));
    r("unlink .", unlink("."));
    r("unlink ..", unlink(".."));
    r("unlink a missing file", unlink("missing"));
    r("unlink file/ (trailing slash)", unlink("rb2/"));
    r("unlink symlink-to-dir/", unlink("ld/"));
    r("unlink \"\"", unlink(""));
    r("rmdir a non-empty dir", rmdir("rf"));
    r("rmdir a file", rmdir("rb2"));
    r("rmdir a symlink to a dir", rmdir("ld"));
    r("rmdir /", rmdir("/"));
    r("rmdir .", rmdir("."));
    r("rmdir ..", rmdir(".."));
    r("rmdir rf/.", rmdir("rf/."));
    r("rmdir rf/..", rmdir("rf/.."));
    r("rmdir a missing dir", rmdir("missing"));
    r("rmdir an empty dir with a trailing slash", rmdir("rf/sub/"));
    r("rmdir \"\"", rmdir(""));
    r("unlink a symlink to a dir", unlink("ld"));
    r("the dir is still there", access("d", F_OK));
    symlink("d", "ld");

    say("   -- symlinks\n");
    symlink("loop2", "loop1");
    symlink("loop1", "loop2");
    symlink("self", "self");
    struct stat st;
    r("open a loop", open("loop1", O_RDONLY));
    r("stat a loop", stat("loop1", &st));
    r("lstat a loop", lstat("loop1", &st));
    r("stat self", stat("self", &st));
    r("stat self/x", stat("self/x", &st));
    r("O_CREAT through a loop", open("loop1", O_RDWR | O_CREAT, 0644));
    r("mkdir a loop's name", mkdir("loop1", 0755));
    char name[32], target[32];
    for (int i = 0; i < 41; i++) {
        snprintf(name, sizeof(name), "chain%d", i);
        snprintf(target, sizeof(target), i == 40 ? "f" : "chain%d", i + 1);
        symlink(target, name);
    }
    r("40 symlinks to follow", stat("chain1", &st));
    r("41 symlinks to follow", stat("chain0", &st));
    r("symlink onto an existing name", symlink("x", "rb2"));
    r("symlink with an empty target", symlink("", "empty-target"));
    r("symlink new/ (trailing slash)", symlink("x", "sl/"));
    r("symlink into a missing dir", symlink("x", "missing/sl"));
    char big[5000];
    memset(big, 'x', 4095);
    big[4095] = 0;
    r("symlink with a 4095-byte target", symlink(big, "big-target"));
    big[4095] = 'x';
    big[4096] = 0;
    r("symlink with a 4096-byte target", symlink(big, "big-target2"));

    say("   -- readlink\n");
    char buf[64];
    symlink("0123456789", "ten");
    r("buffer of 64", readlink("ten", buf, 64));
    r("buffer of 3", readlink("ten", buf, 3));
    say("   got \"%.3s\"\n", buf);
    r("buffer of 0", readlink("ten", buf, 0));
    r("buffer of -1", syscall(SYS_readlinkat, AT_FDCWD, "ten", buf, -1L));
    r("a file", readlink("rb2", buf, 64));
    r("a dir", readlink("d", buf, 64));
    r("a missing name", readlink("missing", buf, 64));
    r("symlink/ (trailing slash)", readlink("ld/", buf, 64));
    r("through a symlinked dir", readlink("ld/in", buf, 64));
    r("empty path", readlink("", buf, 64));
    r("bad buffer", readlink("ten", (char *)8, 64));

    say("   -- mkdir\n");
    r("existing dir", mkdir("d", 0755));
    r("existing file", mkdir("rb2", 0755));
    r("dangling symlink", mkdir("dangling", 0755));
    r("new/ (trailing slash)", mkdir("mk/", 0755));
    r("into a missing dir", mkdir("missing/x", 0755));
    r("through a file", mkdir("rb2/x", 0755));
    r("\".\"", mkdir(".", 0755));
    r("\"\"", mkdir("", 0755));
    r("256-byte name", mkdir(longname, 0755));
    r("mknod a regular file", mknod("mknod-reg", S_IFREG | 0600, 0));
    show("mknod-reg", "mknod-reg", 0);
    r("mknod mode 0 (regular)", mknod("mknod-zero", 0600, 0));
    r("mknod a dir", mknod("mknod-dir", S_IFDIR | 0700, 0));
    r("mknod bad type", mknod("mknod-bad", 0170000 | 0600, 0));
    r("mknod existing", mknod("rb2", S_IFIFO | 0600, 0));
}

static void section_data(void)
{
    say("6. lseek, pread/pwrite, truncate, fallocate, readv/writev\n");
    int fd = open("sp", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char buf[8192];
    pwrite(fd, "A", 1, 0);
    pwrite(fd, "B", 1, 16 * 4096 + 10);
    ftruncate(fd, 40 * 4096);
    r("size", lseek(fd, 0, SEEK_END));
    long offs[] = { 0, 1, 4095, 4096, 60000, 16 * 4096, 16 * 4096 + 10, 17 * 4096, 40 * 4096 - 1, 40 * 4096, 50 * 4096, -1 };
    for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        char w[64];
        snprintf(w, sizeof(w), "SEEK_DATA from %ld", offs[i]);
        r(w, lseek(fd, offs[i], SEEK_DATA));
        snprintf(w, sizeof(w), "SEEK_HOLE from %ld", offs[i]);
        r(w, lseek(fd, offs[i], SEEK_HOLE));
    }
    r("SEEK_SET beyond EOF", lseek(fd, 1 << 30, SEEK_SET));
    r("SEEK_END +10", lseek(fd, 10, SEEK_END));
    r("SEEK_CUR -5", lseek(fd, -5, SEEK_CUR));
    r("SEEK_SET -1", lseek(fd, -1, SEEK_SET));
    r("SEEK_CUR to negative", lseek(fd, -(1L << 40), SEEK_CUR));
    r("whence 5", lseek(fd, 0, 5));
    r("SEEK_SET to LONG_MAX", lseek(fd, LONG_MAX, SEEK_SET));
    r("SEEK_CUR overflowing", lseek(fd, 10, SEEK_CUR));
    r("read at a far offset", (lseek(fd, 1 << 30, SEEK_SET), read(fd, buf, 10)));
    r("pread beyond EOF", pread(fd, buf, 10, 1 << 30));
    r("pread at EOF", pread(fd, buf, 10, 40 * 4096));
    r("pread straddling EOF", pread(fd, buf, 10, 40 * 4096 - 4));
    memset(buf, 'z', 100);
    r("pread in the hole", pread(fd, buf, 100, 8192));
    int zeros = 1;
    for (int i = 0; i < 100; i++)
        zeros &= buf[i] == 0;
    say("   zeros: %d\n", zeros);
    r("pread negative offset", pread(fd, buf, 1, -1));
    r("pwrite negative offset", pwrite(fd, buf, 1, -1));
    r("pread of 0 bytes at a negative offset", pread(fd, buf, 0, -1));
    close(fd);

    fd = open("pw", O_RDWR | O_CREAT | O_TRUNC, 0644);
    r("pwrite at 10000 into an empty file", pwrite(fd, "tail", 4, 10000));
    r("size", lseek(fd, 0, SEEK_END));
    r("file offset after pwrite", (lseek(fd, 0, SEEK_SET), lseek(fd, 0, SEEK_CUR)));
    r("pread of the hole before it", pread(fd, buf, 8, 9996));
    say("   bytes: %d %d %d %d %c\n", buf[0], buf[1], buf[2], buf[3], buf[4]);
    close(fd);

    put("ap", "base");
    fd = open("ap", O_RDWR | O_APPEND);
    r("O_APPEND pwrite at 0", pwrite(fd, "XY", 2, 0));
    say("   contents %s, offset %ld\n", contents("ap"), (long)lseek(fd, 0, SEEK_CUR));
    lseek(fd, 1, SEEK_SET);
    r("O_APPEND write after lseek 1", write(fd, "Z", 1));
    say("   contents %s, offset %ld\n", contents("ap"), (long)lseek(fd, 0, SEEK_CUR));
    r("O_APPEND pwritev at 0", pwritev(fd, &(struct iovec){ "V", 1 }, 1, 0));
    say("   contents %s\n", contents("ap"));
    close(fd);

    say("   -- truncate\n");
    put("tr", "0123456789");
    fd = open("tr", O_RDWR);
    r("ftruncate to 4", ftruncate(fd, 4));
    r("ftruncate to 8", ftruncate(fd, 8));
    say("   contents %s\n", contents("tr"));
    r("ftruncate -1", ftruncate(fd, -1));
    r("ftruncate huge", ftruncate(fd, LONG_MAX));
    close(fd);
    fd = open("tr", O_RDONLY);
    r("ftruncate on O_RDONLY", ftruncate(fd, 0));
    close(fd);
    fd = open("d", O_RDONLY);
    r("ftruncate on a dir", ftruncate(fd, 0));
    close(fd);
    r("truncate a dir", truncate("d", 0));
    r("truncate a missing file", truncate("missing", 0));
    r("truncate -1", truncate("tr", -1));
    r("truncate a symlink to a file", truncate("lf", 3));
    int pfd[2];
    pipe(pfd);
    r("ftruncate on a pipe", ftruncate(pfd[1], 0));

    say("   -- fallocate\n");
    fd = open("fa", O_RDWR | O_CREAT | O_TRUNC, 0644);
    r("mode 0, 0..10000", fallocate(fd, 0, 0, 10000));
    show("fa", "fa", 0);
    r("KEEP_SIZE 10000..30000", fallocate(fd, FALLOC_FL_KEEP_SIZE, 10000, 20000));
    show("fa", "fa", 0);
    pwrite(fd, "abcdefghij", 10, 4090);
    r("PUNCH_HOLE without KEEP_SIZE", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096));
    r("PUNCH_HOLE|KEEP_SIZE 4092..4096+8192", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4092, 8192));
    show("fa", "fa", 0);
    pread(fd, buf, 10, 4090);
    say("   bytes at 4090: %d %d %d %d %d\n", buf[0], buf[1], buf[2], buf[3], buf[4]);
    r("SEEK_DATA from 4096 after the punch", lseek(fd, 4096, SEEK_DATA));
    r("PUNCH_HOLE|KEEP_SIZE past EOF", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1 << 20, 4096));
    r("len 0", fallocate(fd, 0, 0, 0));
    r("len -1", fallocate(fd, 0, 0, -1));
    r("offset -1", fallocate(fd, 0, -1, 10));
    r("offset+len overflowing", fallocate(fd, 0, LONG_MAX - 10, 100));
    r("COLLAPSE_RANGE", fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 4096));
    r("ZERO_RANGE", fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 4096));
    r("INSERT_RANGE", fallocate(fd, FALLOC_FL_INSERT_RANGE, 0, 4096));
    r("unknown mode 0x100", fallocate(fd, 0x100, 0, 4096));
    close(fd);
    fd = open("fa", O_RDONLY);
    r("on O_RDONLY", fallocate(fd, 0, 0, 10));
    close(fd);
    fd = open("fa", O_WRONLY | O_APPEND);
    r("on O_APPEND", fallocate(fd, 0, 0, 10));
    r("PUNCH_HOLE on O_APPEND", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 10));
    close(fd);
    r("on a pipe", fallocate(pfd[1], 0, 0, 10));
    fd = open("d", O_RDONLY);
    r("on a dir", fallocate(fd, 0, 0, 10));
    close(fd);
    close(pfd[0]);
    close(pfd[1]);

    say("   -- readv and writev\n");
    fd = open("vec", O_RDWR | O_CREAT | O_TRUNC, 0644);
    struct iovec iov[4] = { { "ab", 2 }, { NULL, 0 }, { "cde", 3 }, { (void *)8, 0 } };
    r("writev with zero-length vectors", writev(fd, iov, 4));
    r("writev of 0 vectors", writev(fd, iov, 0));
    r("writev of -1 vectors", writev(fd, iov, -1));
    r("writev of 1025 vectors", writev(fd, iov, 1025));
    struct iovec *many = calloc(1024, sizeof(*many));
    many[0] = (struct iovec){ "q", 1 };
    r("writev of 1024 vectors", writev(fd, many, 1024));
    free(many);
    struct iovec bad[2] = { { "x", 1 }, { "y", (size_t)-1 } };
    r("writev with a negative length", writev(fd, bad, 2));
    struct iovec fault[2] = { { "x", 1 }, { (void *)8, 4 } };
    r("writev with a bad second buffer", writev(fd, fault, 2));
    r("writev with a bad array", writev(fd, (void *)8, 2));
    char a[3], b[3];
    struct iovec rv[3] = { { a, 3 }, { NULL, 0 }, { b, 3 } };
    lseek(fd, 0, SEEK_SET);
    r("readv", readv(fd, rv, 3));
    say("   read \"%.3s\" \"%.3s\"\n", a, b);
    r("readv at EOF", readv(fd, rv, 3));
    r("readv of 1025 vectors", readv(fd, rv, 1025));
    r("preadv at 1", preadv(fd, rv, 1, 1));
    r("preadv at -1", preadv(fd, rv, 1, -1));
    close(fd);

    say("   -- read and write\n");
    fd = open("vec", O_RDONLY);
    r("write on O_RDONLY", write(fd, "x", 1));
    r("read of 0 bytes", read(fd, buf, 0));
    r("read into a bad buffer", read(fd, (void *)8, 10));
    close(fd);
    fd = open("vec", O_WRONLY);
    r("read on O_WRONLY", read(fd, buf, 1));
    r("write from a bad buffer", write(fd, (void *)8, 10));
    r("write of 0 bytes from a bad buffer", write(fd, (void *)8, 0));
    close(fd);
    fd = open("d", O_RDONLY);
    r("read on a dir", read(fd, buf, 10));
    r("pread on a dir", pread(fd, buf, 10, 0));
    r("write on a dir fd", write(fd, buf, 10));
    close(fd);
    r("read on a closed fd", read(fd, buf, 1));
    r("read on fd -1", read(-1, buf, 1));
}

static void show_lock(const char *what, int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
    int ret = fcntl(fd, cmd, &fl);
    if (ret < 0) {
        say("   %s = -1 %s\n", what, strerrorname_np(errno));
        return;
    }
    say("   %s = %d: type %s start %ld len %ld pid %s\n", what, ret,
        fl.l_type == F_UNLCK ? "UNLCK" : fl.l_type == F_RDLCK ? "RDLCK" : "WRLCK", (long)fl.l_start, (long)fl.l_len,
        fl.l_pid == -1 ? "-1" : fl.l_pid == 0 ? "0" : fl.l_pid == getppid() ? "parent" : fl.l_pid == getpid() ? "self" : "other");
}

static void section_fcntl(void)
{
    say("7. fcntl, dup\n");
    put("fc", "data");
    int fd = open("fc", O_RDWR);
    int fl = fcntl(fd, F_GETFL);
    say("   F_GETFL of O_RDWR %#x\n", fl);
    int sticky[] = { O_APPEND, O_NONBLOCK, O_ASYNC, O_NOATIME, O_DIRECT, O_SYNC, O_DSYNC, O_CREAT, O_EXCL, O_TRUNC, O_NOCTTY,
                     O_WRONLY, O_CLOEXEC, O_DIRECTORY, O_NOFOLLOW, O_PATH };
    const char *names[] = { "O_APPEND", "O_NONBLOCK", "O_ASYNC", "O_NOATIME", "O_DIRECT", "O_SYNC", "O_DSYNC", "O_CREAT", "O_EXCL",
                            "O_TRUNC", "O_NOCTTY", "O_WRONLY", "O_CLOEXEC", "O_DIRECTORY", "O_NOFOLLOW", "O_PATH" };
    for (unsigned i = 0; i < sizeof(sticky) / sizeof(sticky[0]); i++) {
        int ret = fcntl(fd, F_SETFL, sticky[i]);
        int now = fcntl(fd, F_GETFL);
        say("   F_SETFL %s = %d%s%s: sticks %s\n", names[i], ret, ret < 0 ? " " : "", ret < 0 ? strerrorname_np(errno) : "",
            (now & sticky[i]) == sticky[i] ? "yes" : "no");
        fcntl(fd, F_SETFL, 0);
    }
    say("   F_GETFL after F_SETFL 0 %#x\n", fcntl(fd, F_GETFL));
    close(fd);
    fd = open("fc", O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC | O_SYNC);
    say("   F_GETFL of O_WRONLY|O_APPEND|O_NONBLOCK|O_CLOEXEC|O_SYNC %#x\n", fcntl(fd, F_GETFL));
    say("   F_GETFD %d\n", fcntl(fd, F_GETFD));
    r("F_SETFD 3", fcntl(fd, F_SETFD, 3));
    say("   F_GETFD after F_SETFD 3: %d\n", fcntl(fd, F_GETFD));
    r("F_SETFD 0", fcntl(fd, F_SETFD, 0));
    say("   F_GETFD %d\n", fcntl(fd, F_GETFD));
    int d = fcntl(fd, F_DUPFD_CLOEXEC, 50);
    say("   F_DUPFD_CLOEXEC 50 = %s, F_GETFD %d, shares flags %s\n", d >= 50 ? ">=50" : "<50", fcntl(d, F_GETFD),
        fcntl(d, F_GETFL) == fcntl(fd, F_GETFL) ? "yes" : "no");
    int d2 = fcntl(fd, F_DUPFD, 50);
    say("   F_DUPFD 50 again = %s, F_GETFD %d\n", d2 == d + 1 ? "next" : "other", fcntl(d2, F_GETFD));
    close(d);
    close(d2);
    r("F_DUPFD -1", fcntl(fd, F_DUPFD, -1));
    r("F_DUPFD 1<<20", fcntl(fd, F_DUPFD, 1 << 20));
    r("F_DUPFD on a bad fd", fcntl(99, F_DUPFD, 0));
    r("unknown command 9999", fcntl(fd, 9999));
    r("F_GETFL on a bad fd", fcntl(99, F_GETFL));
    r("F_GETPIPE_SZ on a file", fcntl(fd, F_GETPIPE_SZ));
    r("F_GETLEASE", fcntl(fd, F_GETLEASE));
    r("F_GETOWN", fcntl(fd, F_GETOWN));
    r("F_GETSIG", fcntl(fd, F_GETSIG));
    r("dup2 onto itself returns it", dup2(fd, fd) == fd);
    r("dup2 of a bad fd onto itself", dup2(99, 99));
    r("dup2 of a bad fd", dup2(99, 60));
    r("dup3 onto itself", dup3(fd, fd, 0));
    r("dup3 O_CLOEXEC", (d = dup3(fd, 60, O_CLOEXEC)));
    say("   F_GETFD %d\n", fcntl(60, F_GETFD));
    r("dup3 bad flags", dup3(fd, 61, O_APPEND));
    r("dup2 to -1", dup2(fd, -1));
    r("dup2 to 1<<20", dup2(fd, 1 << 20));
    r("dup of a bad fd", dup(99));
    r("close of a bad fd", close(99));
    r("close -1", close(-1));
    close(60);
    close(fd);

    say("   -- record locks\n");
    put("lk", "0123456789abcdef");
    fd = open("lk", O_RDWR);
    show_lock("F_SETLK WRLCK 0..10", fd, F_SETLK, F_WRLCK, 0, 10);
    show_lock("F_GETLK WRLCK 5..15 (own lock)", fd, F_GETLK, F_WRLCK, 5, 10);
    show_lock("F_SETLK RDLCK 20..30", fd, F_SETLK, F_RDLCK, 20, 10);
    int other = open("lk", O_RDWR);
    show_lock("F_OFD_GETLK WRLCK 5..15 (another open file)", other, F_OFD_GETLK, F_WRLCK, 5, 10);
    show_lock("F_OFD_SETLK WRLCK 5..15", other, F_OFD_SETLK, F_WRLCK, 5, 10);
    show_lock("F_OFD_SETLK RDLCK 20..25", other, F_OFD_SETLK, F_RDLCK, 20, 5);
    show_lock("F_OFD_SETLK WRLCK 40..50", other, F_OFD_SETLK, F_WRLCK, 40, 10);
    show_lock("F_GETLK WRLCK 45..46 (an OFD lock)", fd, F_GETLK, F_WRLCK, 45, 1);
    struct flock bad = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1, .l_pid = 5 };
    r("F_OFD_SETLK with l_pid set", fcntl(other, F_OFD_SETLK, &bad));
    r("F_OFD_GETLK with l_pid set", fcntl(other, F_OFD_GETLK, &bad));
    bad.l_pid = 0;
    bad.l_whence = 7;
    r("F_SETLK l_whence 7", fcntl(fd, F_SETLK, &bad));
    bad.l_whence = SEEK_SET;
    bad.l_type = 9;
    r("F_SETLK l_type 9", fcntl(fd, F_SETLK, &bad));
    r("F_GETLK l_type 9", fcntl(fd, F_GETLK, &bad));
    bad.l_type = F_WRLCK;
    bad.l_start = -5;
    r("F_SETLK start -5", fcntl(fd, F_SETLK, &bad));
    bad.l_start = 10;
    bad.l_len = -20;
    r("F_SETLK start 10 len -20", fcntl(fd, F_SETLK, &bad));
    bad.l_len = -5;
    show_lock("F_SETLK start 10 len -5", fd, F_SETLK, F_WRLCK, 10, -5);
    show_lock("F_OFD_GETLK 7..8", other, F_OFD_GETLK, F_WRLCK, 7, 1);
    show_lock("F_SETLK SEEK_END-relative", fd, F_GETLK, F_WRLCK, 0, 0);
    r("F_SETLK NULL", fcntl(fd, F_SETLK, NULL));
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        int c = open("lk", O_RDWR);
        show_lock("child F_GETLK WRLCK 5..15", c, F_GETLK, F_WRLCK, 5, 10);
        show_lock("child F_GETLK RDLCK 20..22", c, F_GETLK, F_RDLCK, 20, 2);
        show_lock("child F_GETLK WRLCK 20..22", c, F_GETLK, F_WRLCK, 20, 2);
        show_lock("child F_SETLK WRLCK 0..1", c, F_SETLK, F_WRLCK, 0, 1);
        show_lock("child F_SETLK RDLCK 20..21", c, F_SETLK, F_RDLCK, 20, 1);
        show_lock("child F_GETLK whole file", c, F_GETLK, F_WRLCK, 0, 0);
        show_lock("child F_SETLK UNLCK 0..10 (not its lock)", c, F_SETLK, F_UNLCK, 0, 10);
        show_lock("child F_OFD_GETLK whole file", c, F_OFD_GETLK, F_WRLCK, 0, 0);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    close(other);
    show_lock("F_GETLK 40..50 after the OFD holder closed", fd, F_GETLK, F_WRLCK, 40, 10);
    int ro = open("lk", O_RDONLY);
    show_lock("F_SETLK WRLCK on O_RDONLY", ro, F_SETLK, F_WRLCK, 100, 1);
    show_lock("F_OFD_SETLK WRLCK on O_RDONLY", ro, F_OFD_SETLK, F_WRLCK, 100, 1);
    show_lock("F_GETLK WRLCK on O_RDONLY", ro, F_GETLK, F_WRLCK, 100, 1);
    close(ro);
    show_lock("F_GETLK after closing another fd of the file (POSIX locks gone)", other = open("lk", O_RDWR), F_OFD_GETLK,
              F_WRLCK, 0, 100);
    close(other);
    close(fd);
}

static void section_perms(void)
{
    say("8. access, chmod, umask, mkdir modes\n");
    r("umask(077) returns the old mask", umask(077));
    close(open("um", O_RDWR | O_CREAT, 0666));
    show("created 0666", "um", 0);
    mkdir("umd", 0777);
    show("mkdir 0777", "umd", 0);
    mkdir("umd2", 07777);
    show("mkdir 07777", "umd2", 0);
    close(open("um2", O_RDWR | O_CREAT, 07777));
    show("created 07777", "um2", 0);
    symlink("x", "uml");
    show("symlink", "uml", AT_SYMLINK_NOFOLLOW);
    r("umask(0) returns", umask(0));
    close(open("um3", O_RDWR | O_CREAT, 0777));
    show("created 0777 with umask 0", "um3", 0);
    r("umask(01777) returns", umask(01777));
    r("umask(022) returns", umask(022));

    chmod("um", 0644);
    r("chmod 07777", chmod("um", 07777));
    show("um", "um", 0);
    r("chmod 0170777 (type bits ignored)", chmod("um", 0170777));
    show("um", "um", 0);
    r("chmod a missing file", chmod("missing", 0644));
    r("chmod through a symlink", chmod("lf", 0600));
    show("f", "f", 0);
    show("lf", "lf", AT_SYMLINK_NOFOLLOW);
    r("fchmodat AT_SYMLINK_NOFOLLOW (raw, flags ignored)", syscall(SYS_fchmodat, AT_FDCWD, "lf", 0640, AT_SYMLINK_NOFOLLOW));
    show("f", "f", 0);
    int fd = open("um", O_RDONLY);
    r("fchmod", fchmod(fd, 0600));
    show("um", "um", 0);
    close(fd);
    r("fchmod on a bad fd", fchmod(99, 0600));
    fd = open("d", O_RDONLY);
    r("fchmodat(dirfd, \"in\")", fchmodat(fd, "in", 0604, 0));
    show("d/in", "d/in", 0);
    close(fd);
    int p[2];
    pipe(p);
    r("fchmod on a pipe", fchmod(p[0], 0600));
    close(p[0]);
    close(p[1]);

    say("   -- access\n");
    chmod("um", 0644);
    r("F_OK", access("um", F_OK));
    r("R_OK|W_OK on 0644", access("um", R_OK | W_OK));
    r("X_OK on 0644", access("um", X_OK));
    chmod("um", 0);
    r("R_OK|W_OK on 0000 (root)", access("um", R_OK | W_OK));
    r("X_OK on 0000", access("um", X_OK));
    chmod("um", 0010);
    r("X_OK on 0010", access("um", X_OK));
    chmod("um", 0644);
    r("X_OK on a 0700 dir", access("umd", X_OK));
    chmod("umd", 0);
    r("X_OK on a 0000 dir (root)", access("umd", X_OK));
    chmod("umd", 0700);
    r("bad mode 8", access("um", 8));
    r("missing file", access("missing", F_OK));
    r("through a file", access("um/x", F_OK));
    r("dangling symlink", access("dangling", F_OK));
    r("faccessat2 AT_SYMLINK_NOFOLLOW dangling", syscall(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW));
    r("faccessat2 AT_EACCESS", syscall(SYS_faccessat2, AT_FDCWD, "um", R_OK, AT_EACCESS));
    r("faccessat2 bad flag", syscall(SYS_faccessat2, AT_FDCWD, "um", R_OK, 0x1));
    r("faccessat flags ignored (raw)", syscall(SYS_faccessat, AT_FDCWD, "um", R_OK, 0x1));
    r("faccessat2 empty path no flag", syscall(SYS_faccessat2, AT_FDCWD, "", R_OK, 0));
    fd = open("um", O_RDONLY);
    r("faccessat2(fd, \"\", AT_EMPTY_PATH)", syscall(SYS_faccessat2, fd, "", W_OK, AT_EMPTY_PATH));
    r("faccessat2(file fd, \"x\")", syscall(SYS_faccessat2, fd, "x", F_OK, 0));
    close(fd);
    r("access /dev/null W_OK", access("/dev/null", W_OK));
    r("access /proc/self/status X_OK", access("/proc/self/status", X_OK));
    r("access / X_OK", access("/", X_OK));

    say("   -- owners of what another user creates\n");
    struct stat here;
    stat(".", &here);
    chmod(".", 0755);                  /* the oracle's directory is mkdtemp's 0700 */
    mkdir("shared", 0777);
    chmod("shared", 0777);
    mkdir("sgid", 0777);
    chown("sgid", 0, 4321);
    chmod("sgid", 02777);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {                  /* only this child changes its ids */
        if (setresgid(1234, 1234, 1234) || setresuid(1234, 1234, 1234))
            _exit(1);
        close(open("shared/f", O_RDWR | O_CREAT, 0644));
        mkdir("shared/d", 0755);
        symlink("f", "shared/l");
        close(open("sgid/f", O_RDWR | O_CREAT, 0644));
        mkdir("sgid/d", 0755);
        _exit(0);
    }
    int status = -1;
    waitpid(child, &status, 0);
    say("   the child: %d\n", status);
    const char *made[] = {"shared/f", "shared/d", "shared/l", "sgid/f", "sgid/d"};
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
        struct stat st;
        if (fstatat(AT_FDCWD, made[i], &st, AT_SYMLINK_NOFOLLOW))
            say("   %s: %s\n", made[i], strerrorname_np(errno));
        else
            say("   %s: uid %u gid %u mode %04o\n", made[i], st.st_uid, st.st_gid, st.st_mode & 07777);
    }
    chmod(".", here.st_mode & 07777);
}

static void section_devices(void)
{
    say("9. /dev/null, /dev/zero, /dev/full, /dev/urandom\n");
    const char *devs[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/urandom", "/dev/random" };
    char buf[256];
    for (unsigned i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
        struct stat st;
        int fd = open(devs[i], O_RDWR);
        if (fd < 0 || fstat(fd, &st)) {
            say("   %s: %s\n", devs[i], strerrorname_np(errno));
            continue;
        }
        memset(buf, 'q', sizeof(buf));
        errno = 0;
        ssize_t rd = read(fd, buf, sizeof(buf));
        const char *rerr = rd < 0 ? strerrorname_np(errno) : "";
        int zeros = 0;
        for (int k = 0; k < (int)sizeof(buf); k++)
            zeros += buf[k] == 0;
        errno = 0;
        ssize_t wr = write(fd, buf, 100);
        const char *werr = wr < 0 ? strerrorname_np(errno) : "";
        say("   %s: mode %o rdev %u:%u read %zd%s %s zeros write %zd%s\n", devs[i], st.st_mode, major(st.st_rdev),
            minor(st.st_rdev), rd, rerr, zeros == 256 ? "all" : zeros > 32 ? "many" : "few", wr, werr);
        say("      lseek 100 = %ld, lseek SEEK_END = %ld, pread = %zd, pwrite = %zd, ftruncate = %d %s\n",
            (long)lseek(fd, 100, SEEK_SET), (long)lseek(fd, 0, SEEK_END), pread(fd, buf, 10, 5), pwrite(fd, buf, 10, 5),
            ftruncate(fd, 0), strerrorname_np(errno));
        char link[64], target[64] = "";
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        ssize_t tl = readlink(link, target, sizeof(target) - 1);
        say("      /proc/self/fd link: %s\n", tl > 0 ? target : strerrorname_np(errno));
        struct iovec iov[2] = { { buf, 10 }, { buf + 10, 10 } };
        errno = 0;
        ssize_t wv = writev(fd, iov, 2);
        say("      writev = %zd %s, read 0 = %zd, fstat size %lld blksize %ld\n", wv, wv < 0 ? strerrorname_np(errno) : "",
            read(fd, buf, 0), (long long)st.st_size, (long)st.st_blksize);
        close(fd);
    }
    r("/dev/null O_DIRECTORY", open("/dev/null", O_RDONLY | O_DIRECTORY));
    r("/dev/null/x", open("/dev/null/x", O_RDONLY));
    r("/dev/null O_CREAT|O_EXCL", open("/dev/null", O_RDWR | O_CREAT | O_EXCL, 0644));
    r("/dev/null O_TRUNC", open("/dev/null", O_WRONLY | O_TRUNC) >= 0);
    r("/dev/null O_APPEND write", (write(open("/dev/null", O_WRONLY | O_APPEND), "x", 1)));
    char u1[16], u2[16];
    int fd = open("/dev/urandom", O_RDONLY);
    read(fd, u1, 16);
    read(fd, u2, 16);
    say("   two urandom reads differ: %s\n", memcmp(u1, u2, 16) ? "yes" : "no");
    r("urandom read of 1 MiB", read(fd, malloc(1 << 20), 1 << 20));
    close(fd);
    fd = open("/dev/zero", O_RDONLY);
    void *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    say("   mmap /dev/zero: %s, reads %d\n", m == MAP_FAILED ? strerrorname_np(errno) : "ok", m == MAP_FAILED ? -1 : ((char *)m)[100]);
    close(fd);
}

static volatile sig_atomic_t pipe_signals;
static void on_sigpipe(int sig) { pipe_signals++; }

static void section_pipes(void)
{
    say("10. pipes\n");
    int p[2];
    char buf[70000];
    r("pipe2 bad flags", pipe2(p, O_APPEND));
    r("pipe2 O_CLOEXEC|O_NONBLOCK|O_DIRECT", pipe2(p, O_CLOEXEC | O_NONBLOCK | O_DIRECT));
    say("   F_GETFL read end %#x write end %#x, F_GETFD %d\n", fcntl(p[0], F_GETFL), fcntl(p[1], F_GETFL), fcntl(p[0], F_GETFD));
    close(p[0]);
    close(p[1]);
    pipe(p);
    struct stat st;
    fstat(p[0], &st);
    say("   fstat: mode %o size %lld blksize %ld nlink %lu\n", st.st_mode, (long long)st.st_size, (long)st.st_blksize,
        (unsigned long)st.st_nlink);
    r("write on the read end", write(p[0], "x", 1));
    r("read on the write end", read(p[1], buf, 1));
    r("lseek", lseek(p[0], 0, SEEK_SET));
    r("pread", pread(p[0], buf, 1, 0));
    r("pwrite", pwrite(p[1], buf, 1, 0));
    r("write 5", write(p[1], "hello", 5));
    int avail;
    ioctl(p[0], FIONREAD, &avail);
    say("   FIONREAD %d\n", avail);
    close(p[1]);
    r("read after the writer closed", read(p[0], buf, 100));
    r("read at EOF", read(p[0], buf, 100));
    close(p[0]);

    pipe(p);
    close(p[0]);
    signal(SIGPIPE, on_sigpipe);
    r("write with no reader", write(p[1], "x", 1));
    say("   SIGPIPE delivered %d\n", pipe_signals);
    r("write of 0 bytes with no reader", write(p[1], "x", 0));
    say("   SIGPIPE delivered %d\n", pipe_signals);
    signal(SIGPIPE, SIG_IGN);
    r("write with no reader, SIGPIPE ignored", write(p[1], "x", 1));
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    r("O_NONBLOCK write with no reader", write(p[1], "x", 1));
    close(p[1]);
    signal(SIGPIPE, SIG_DFL);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        pipe(p);
        close(p[0]);
        write(p[1], "x", 1);
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    say("   a writer with SIGPIPE at its default: %s %d\n", WIFSIGNALED(status) ? "killed by" : "exited", WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));

    pipe2(p, O_NONBLOCK);
    r("O_NONBLOCK read of an empty pipe", read(p[0], buf, 1));
    r("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));
    long total = 0, n;
    while ((n = write(p[1], buf, 1000)) > 0)
        total += n;
    say("   1000-byte writes until %s: %ld bytes\n", strerrorname_np(errno), total);
    r("FIONREAD", (ioctl(p[0], FIONREAD, &avail), avail));
    r("write of 1 byte to the full pipe", write(p[1], "x", 1));
    r("F_SETPIPE_SZ below what it holds", fcntl(p[1], F_SETPIPE_SZ, 4096));
    r("read 5000", read(p[0], buf, 5000));
    r("write 5000 (one page free)", write(p[1], buf, 5000));
    r("write 100", write(p[1], buf, 100));
    while (read(p[0], buf, sizeof(buf)) > 0)
        ;
    r("write 65436", write(p[1], buf, 65436));
    r("write 200 (PIPE_BUF: all or nothing)", write(p[1], buf, 200));
    r("write 30 (fits the last page)", write(p[1], buf, 30));
    r("write 5000 (more than PIPE_BUF, no room)", write(p[1], buf, 5000));
    while (read(p[0], buf, sizeof(buf)) > 0)
        ;
    r("write 70000 into an empty pipe", write(p[1], buf, 70000));
    while (read(p[0], buf, sizeof(buf)) > 0)
        ;
    r("F_SETPIPE_SZ 0", fcntl(p[1], F_SETPIPE_SZ, 0));
    r("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));
    r("F_SETPIPE_SZ 5000", fcntl(p[1], F_SETPIPE_SZ, 5000));
    r("F_SETPIPE_SZ 65537", fcntl(p[1], F_SETPIPE_SZ, 65537));
    r("F_SETPIPE_SZ 1 MiB", fcntl(p[1], F_SETPIPE_SZ, 1 << 20));
    r("F_SETPIPE_SZ -1", fcntl(p[1], F_SETPIPE_SZ, -1));
    r("F_SETPIPE_SZ 4096", fcntl(p[1], F_SETPIPE_SZ, 4096));
    r("write 5000 into a one-page pipe", write(p[1], buf, 5000));
    r("write 1 into the full one-page pipe", write(p[1], buf, 1));
    while (read(p[0], buf, sizeof(buf)) > 0)
        ;
    close(p[1]);
    r("O_NONBLOCK read with no writer", read(p[0], buf, 1));
    close(p[0]);

    /* PIPE_BUF atomicity with two writers: each 4096-byte record arrives whole. */
    pipe(p);
    fflush(stdout);
    for (int w = 0; w < 2; w++)
        if (fork() == 0) {
            char rec[4096];
            memset(rec, 'a' + w, sizeof(rec));
            for (int i = 0; i < 40; i++)
                write(p[1], rec, sizeof(rec));
            _exit(0);
        }
    close(p[1]);
    int torn = 0, records = 0;
    char rec[4096];
    for (;;) {
        size_t got = 0;
        while (got < sizeof(rec) && (n = read(p[0], rec + got, sizeof(rec) - got)) > 0)
            got += n;
        if (got < sizeof(rec))
            break;
        records++;
        for (int i = 1; i < 4096; i++)
            torn += rec[i] != rec[0];
    }
    close(p[0]);
    while (wait(NULL) > 0)
        ;
    say("   two writers of 40 records of 4096 bytes: %d records, %d torn bytes\n", records, torn);
}

static void section_descriptors(void)
{
    say("12. working directory, dirfds, descriptors\n");
    char buf[4096];
    int here = open(".", O_RDONLY | O_DIRECTORY);
    r("chdir to a file", chdir("f"));
    r("chdir to a missing dir", chdir("missing"));
    r("chdir \"\"", chdir(""));
    int fd = open("f", O_RDONLY);
    r("fchdir to a file", fchdir(fd));
    r("openat(file fd, relative)", openat(fd, "x", O_RDONLY));
    r("openat(file fd, absolute)", openat(fd, "/", O_RDONLY) >= 0);
    r("openat(bad fd, relative)", openat(99, "x", O_RDONLY));
    r("openat(bad fd, absolute)", openat(99, "/", O_RDONLY) >= 0);
    r("mkdirat(file fd, relative)", mkdirat(fd, "x", 0755));
    r("mmap of a dir", mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, here, 0) == MAP_FAILED ? -1 : 0);
    close(fd);
    fd = open("f", O_WRONLY);
    r("mmap of an O_WRONLY file", mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED ? -1 : 0);
    r("pwrite at LONG_MAX - 1 of 10 (overflowing)", pwrite(fd, "abcdefghij", 10, LONG_MAX - 1));
    close(fd);
    mkdir("cwdgone", 0755);
    chdir("cwdgone");
    rmdir("../cwdgone");
    r("getcwd in a removed dir", syscall(SYS_getcwd, buf, sizeof(buf)));
    r("open . in a removed dir", open(".", O_RDONLY) >= 0);
    r("creat in a removed dir", open("x", O_RDWR | O_CREAT, 0644));
    r("stat ..", stat("..", &(struct stat){0}));
    fchdir(here);
    r("getcwd into 1 byte", syscall(SYS_getcwd, buf, 1));
    r("getcwd into 0 bytes", syscall(SYS_getcwd, buf, 0));
    r("chdir .. from / stays at /", (chdir("/"), chdir(".."), syscall(SYS_getcwd, buf, sizeof(buf))));
    say("   cwd %s\n", buf);
    fchdir(here);
    put("gone", "data");
    fd = open("gone", O_RDWR);
    unlink("gone");
    show_fd("an unlinked open file", fd);
    r("write to it", write(fd, "more", 4));
    r("linkat AT_EMPTY_PATH of it", linkat(fd, "", AT_FDCWD, "back", AT_EMPTY_PATH));
    r("fchmod of it", fchmod(fd, 0600));
    close(fd);
    int p = open("f", O_PATH);
    struct pollfd pf = { .fd = p, .events = POLLIN };
    r("poll an O_PATH fd", poll(&pf, 1, 0));
    say("   revents %#x\n", pf.revents);
    pf.fd = 99;
    r("poll a closed fd", poll(&pf, 1, 0));
    say("   revents %#x\n", pf.revents);
    r("fstatfs on O_PATH", fstatfs(p, &(struct statfs){0}));
    close(p);
    int pp[2];
    pipe(pp);
    struct statfs sf;
    r("fstatfs on a pipe", fstatfs(pp[0], &sf));
    close(pp[0]);
    close(pp[1]);
    fd = open("d", O_RDONLY | O_DIRECTORY);
    r("getdents64 position after a full read is past 0", (syscall(SYS_getdents64, fd, buf, sizeof(buf)), lseek(fd, 0, SEEK_CUR) > 0));
    r("getdents64 after lseek 0 again", syscall(SYS_getdents64, fd, buf, sizeof(buf)) > 0);
    close(fd);
    put("ot", "0123456789");
    fd = open("ot", O_WRONLY | O_APPEND | O_TRUNC);
    say("   O_APPEND|O_TRUNC: size %lld\n", size_of("ot"));
    r("ftruncate on O_APPEND", ftruncate(fd, 3));
    close(fd);
    close(here);
}

static void on_kind(const char *kind, int fd)
{
    struct stat st;
    errno = 0;
    int s1 = fsync(fd);
    const char *e1 = s1 ? strerrorname_np(errno) : "ok";
    int s2 = fdatasync(fd);
    const char *e2 = s2 ? strerrorname_np(errno) : "ok";
    int s3 = syncfs(fd);
    const char *e3 = s3 ? strerrorname_np(errno) : "ok";
    off_t l = lseek(fd, 0, SEEK_CUR);
    const char *e4 = l < 0 ? strerrorname_np(errno) : "ok";
    int t = ftruncate(fd, 0);
    const char *e5 = t ? strerrorname_np(errno) : "ok";
    int fa = fallocate(fd, 0, 0, 1);
    const char *e6 = fa ? strerrorname_np(errno) : "ok";
    int fs = fstat(fd, &st);
    say("   %s: fsync %s fdatasync %s syncfs %s lseek %s ftruncate %s fallocate %s type %o\n", kind, e1, e2, e3, e4, e5, e6,
        fs ? 0 : st.st_mode & S_IFMT);
}

static void section_kinds(void)
{
    say("13. calls on descriptors that are not files\n");
    int p[2], s[2];
    pipe(p);
    on_kind("pipe read end", p[0]);
    on_kind("pipe write end", p[1]);
    socketpair(AF_UNIX, SOCK_STREAM, 0, s);
    on_kind("socket", s[0]);
    int e = eventfd(0, 0);
    on_kind("eventfd", e);
    int ep = epoll_create1(0);
    on_kind("epoll", ep);
    int n = open("/dev/null", O_RDWR);
    on_kind("/dev/null", n);
    int z = open("/dev/zero", O_RDWR);
    on_kind("/dev/zero", z);
    int d = open("d", O_RDONLY | O_DIRECTORY);
    on_kind("a dir", d);
    int m = memfd_create("m", 0);
    on_kind("memfd", m);
    int ro = open("f", O_RDONLY);
    on_kind("a file opened O_RDONLY", ro);
}

/* `fsconf ro DIR`: DIR is a read-only mount holding file ("hi\n"), dir/x and link -> file. */
static void section_read_only(void)
{
    say("11. a read-only mount\n");
    struct stat st;
    struct statfs sf;
    r("statfs ST_RDONLY", statfs(".", &sf) ? -1 : (long)(sf.f_flags & ST_RDONLY));
    r("O_RDONLY", open("file", O_RDONLY) >= 0);
    r("O_WRONLY", open("file", O_WRONLY));
    r("O_RDWR", open("file", O_RDWR));
    r("O_RDONLY|O_TRUNC", open("file", O_RDONLY | O_TRUNC));
    r("O_CREAT of a new name", open("new", O_RDWR | O_CREAT, 0644));
    r("O_CREAT|O_RDONLY of an existing file", open("file", O_RDONLY | O_CREAT, 0644) >= 0);
    r("O_CREAT|O_EXCL of an existing file", open("file", O_RDONLY | O_CREAT | O_EXCL, 0644));
    r("O_CREAT of a missing dir's name", open("missing/x", O_RDWR | O_CREAT, 0644));
    r("O_TMPFILE", open(".", O_TMPFILE | O_RDWR, 0600));
    r("O_WRONLY on the dir", open("dir", O_WRONLY));
    r("mkdir new", mkdir("newdir", 0755));
    r("mkdir existing", mkdir("dir", 0755));
    r("mkdir in a missing dir", mkdir("missing/x", 0755));
    r("mknod", mknod("node", S_IFREG | 0600, 0));
    r("mkfifo new", mkfifo("fifo", 0600));
    r("mkfifo existing", mkfifo("file", 0600));
    r("mknod S_IFSOCK new", mknod("sock", S_IFSOCK | 0600, 0));
    r("symlink new", symlink("file", "sl"));
    r("symlink existing", symlink("file", "link"));
    r("link new", link("file", "hard"));
    r("link existing", link("file", "link"));
    r("link of a missing file", link("missing", "hard"));
    r("unlink a file", unlink("file"));
    r("unlink a missing name", unlink("missing"));
    r("unlink the dir", unlink("dir"));
    r("rmdir a non-empty dir", rmdir("dir"));
    r("rmdir a missing dir", rmdir("missing"));
    r("rename a file", rename("file", "moved"));
    r("rename a missing name", rename("missing", "moved"));
    r("rename onto itself", rename("file", "file"));
    r("RENAME_EXCHANGE", renameat2(AT_FDCWD, "file", AT_FDCWD, "link", RENAME_EXCHANGE));
    r("chmod", chmod("file", 0600));
    r("chown to the same owner", chown("file", -1, -1));
    r("utimensat", utimensat(AT_FDCWD, "file", NULL, 0));
    r("truncate", truncate("file", 0));
    r("access R_OK", access("file", R_OK));
    r("access W_OK", access("file", W_OK));
    r("access W_OK of the dir", access("dir", W_OK));
    r("access X_OK of the dir", access("dir", X_OK));
    r("access W_OK through the symlink", access("link", W_OK));
    int fd = open("file", O_RDONLY);
    r("ftruncate", ftruncate(fd, 0));
    r("fchmod", fchmod(fd, 0600));
    r("fallocate", fallocate(fd, 0, 0, 10));
    r("flock LOCK_EX", flock(fd, LOCK_EX));
    r("F_SETLK RDLCK", fcntl(fd, F_SETLK, &(struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET }));
    void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    r("mmap MAP_SHARED writable of O_RDONLY", m == MAP_FAILED ? -1 : 0);
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    r("mmap MAP_PRIVATE writable", m == MAP_FAILED ? -1 : 0);
    r("fsync", fsync(fd));
    char buf[16] = { 0 };
    r("read", read(fd, buf, sizeof(buf)));
    say("   \"%.3s\"\n", buf);
    close(fd);
    show("file", "file", 0);
    show("link", "link", AT_SYMLINK_NOFOLLOW);
    char *names[16];
    fd = open("dir", O_RDONLY | O_DIRECTORY);
    int n = drain(fd, 4096, names, 16);
    print_names("dir", names, n);
    close(fd);
    r("statx", statx(AT_FDCWD, "file", 0, STATX_BASIC_STATS, &(struct statx){0}));
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "ro")) {
        if (chdir(argv[2]))
            return 2;
        section_read_only();
        return 0;
    }
    if (argc < 2 || chdir(argv[1])) {
        fprintf(stderr, "usage: fsconf DIR (an empty, writable directory)\n");
        return 2;
    }
    umask(022);
    section_open();
    umask(022);
    section_stat();
    section_times();
    section_getdents();
    section_names();
    section_data();
    section_fcntl();
    section_perms();
    section_devices();
    section_pipes();
    section_descriptors();
    section_kinds();
    return 0;
}
