/* openat2 as Linux answers it, section by section: struct open_how's size rules, the flags it
 * refuses where openat ignores them, and each RESOLVE_* restriction on the walk. The oracle is
 * this program built for the host and run natively (qemu-user 7.2 has no openat2): nothing
 * printed depends on the architecture, only errno names and whether the expected file opened.
 * argv[1]: an empty directory of the probe's own. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe_print.h"

/* The kernel's O_LARGEFILE (glibc's is 0 on 64-bit targets), which a 64-bit kernel forces. */
#ifdef __aarch64__
#define KERNEL_O_LARGEFILE 0400000
#else
#define KERNEL_O_LARGEFILE 0100000
#endif

static int dir;                        /* the work directory, O_PATH */
static struct stat f_stat;             /* its file "f" */

static long o2(int at, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
    struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };
    return syscall(SYS_openat2, at, path, &how, sizeof how);
}

/* An open that should land on "f": "f" when it did, else its errno. */
static void lands(const char *what, long fd)
{
    if (fd < 0) {
        r(what, fd);
        return;
    }
    struct stat st;
    fstat((int)fd, &st);
    say("   %s = %s\n", what, st.st_ino == f_stat.st_ino && st.st_dev == f_stat.st_dev ? "f" : "another file");
    close((int)fd);
}

static void opened(const char *what, long fd)
{
    if (fd >= 0) {
        say("   %s = a descriptor\n", what);
        close((int)fd);
    } else {
        r(what, fd);
    }
}

static void section_how(void)
{
    say("1. struct open_how\n");
    struct { struct open_how how; uint64_t more; } big = { { .flags = O_RDONLY }, 0 };
    r("size 0", syscall(SYS_openat2, dir, "f", &big, 0));
    r("size 23", syscall(SYS_openat2, dir, "f", &big, 23));
    opened("size 24", syscall(SYS_openat2, dir, "f", &big, 24));
    opened("size 32, zero tail", syscall(SYS_openat2, dir, "f", &big, 32));
    big.more = 1;
    r("size 32, non-zero tail", syscall(SYS_openat2, dir, "f", &big, 32));
    r("size 4097", syscall(SYS_openat2, dir, "f", &big, 4097));
    r("bad pointer", syscall(SYS_openat2, dir, "f", (void *)8, 24));
    struct open_how how = { .flags = O_RDONLY };
    r("bad path", syscall(SYS_openat2, dir, (void *)8, &how, sizeof how));
    r("empty path", syscall(SYS_openat2, dir, "", &how, sizeof how));
    r("bad dirfd", syscall(SYS_openat2, 999, "f", &how, sizeof how));
}

static void section_flags(void)
{
    say("2. flags openat ignores, openat2 refuses\n");
    r("unknown flag bit 40", o2(dir, "f", 1ULL << 40, 0, 0));
    r("unknown flag 040000000", o2(dir, "f", 040000000, 0, 0));
    r("a mode without O_CREAT", o2(dir, "f", O_RDONLY, 0644, 0));
    r("O_CREAT with S_IFREG in the mode", o2(dir, "new0", O_CREAT | O_WRONLY, 0100644, 0));
    r("O_PATH with O_RDWR", o2(dir, "f", O_PATH | O_RDWR, 0, 0));
    opened("O_PATH with O_CLOEXEC and O_NOFOLLOW", o2(dir, "f", O_PATH | O_CLOEXEC | O_NOFOLLOW, 0, 0));
    r("unknown resolve flag", o2(dir, "f", O_RDONLY, 0, 0x40));
    r("BENEATH with IN_ROOT", o2(dir, "f", O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT));
    r("O_TMPFILE read-only", o2(dir, ".", O_TMPFILE | O_RDONLY, 0600, 0));
    opened("O_TMPFILE read-write", o2(dir, ".", O_TMPFILE | O_RDWR, 0600, 0));
    r("CACHED with O_CREAT", o2(dir, "new1", O_CREAT | O_WRONLY, 0600, RESOLVE_CACHED));
    r("CACHED with O_TRUNC", o2(dir, "f", O_TRUNC | O_WRONLY, 0, RESOLVE_CACHED));
    lands("CACHED, a file just made", o2(dir, "f", O_RDONLY, 0, RESOLVE_CACHED));
    long fd = o2(dir, "f", O_RDONLY, 0, 0);
    say("   F_GETFL has O_LARGEFILE: %d\n", (fcntl((int)fd, F_GETFL) & KERNEL_O_LARGEFILE) != 0);
    close((int)fd);
    fd = o2(dir, "f", O_PATH, 0, 0);
    say("   with O_PATH: %d\n", (fcntl((int)fd, F_GETFL) & KERNEL_O_LARGEFILE) != 0);
    close((int)fd);
    fd = o2(dir, "made", O_CREAT | O_WRONLY | O_EXCL, 0640, 0);
    struct stat st;
    fstat((int)fd, &st);
    say("   O_CREAT 0640 under umask 022: %o\n", st.st_mode & 07777);
    close((int)fd);
}

static void section_no_symlinks(void)
{
    say("3. RESOLVE_NO_SYMLINKS\n");
    lands("a file", o2(dir, "f", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
    r("a symlink to it", o2(dir, "lnk", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
    r("one on the way", o2(dir, "sub/back", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
    r("a directory link on the way", o2(dir, "subl/x", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
    opened("the link itself, O_PATH|O_NOFOLLOW", o2(dir, "lnk", O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS));
    r("the link with O_NOFOLLOW", o2(dir, "lnk", O_RDONLY | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS));
    r("O_CREAT through a dangling link", o2(dir, "dangling", O_CREAT | O_WRONLY, 0600, RESOLVE_NO_SYMLINKS));
    r("O_CREAT|O_EXCL on a link", o2(dir, "lnk", O_CREAT | O_EXCL | O_WRONLY, 0600, RESOLVE_NO_SYMLINKS));
    lands("without the flag", o2(dir, "lnk", O_RDONLY, 0, 0));
}

static void section_beneath(void)
{
    say("4. RESOLVE_BENEATH\n");
    lands("a file", o2(dir, "f", O_RDONLY, 0, RESOLVE_BENEATH));
    lands("down and up", o2(dir, "sub/../f", O_RDONLY, 0, RESOLVE_BENEATH));
    lands("a relative link inside", o2(dir, "sub/back", O_RDONLY, 0, RESOLVE_BENEATH));
    r("an absolute path", o2(dir, "/etc/passwd", O_RDONLY, 0, RESOLVE_BENEATH));
    r("\"..\" of the start", o2(dir, "../x", O_RDONLY, 0, RESOLVE_BENEATH));
    r("down, then two up", o2(dir, "sub/../../x", O_RDONLY, 0, RESOLVE_BENEATH));
    r("an absolute link", o2(dir, "abs", O_RDONLY, 0, RESOLVE_BENEATH));
    r("a link going up", o2(dir, "up/f", O_RDONLY, 0, RESOLVE_BENEATH));
    r("O_CREAT of an absolute path", o2(dir, "/tmp/nope", O_CREAT | O_WRONLY, 0600, RESOLVE_BENEATH));
    opened("O_CREAT inside", o2(dir, "sub/new2", O_CREAT | O_WRONLY, 0600, RESOLVE_BENEATH));
    lands("from the cwd", o2(AT_FDCWD, "f", O_RDONLY, 0, RESOLVE_BENEATH));
    r("from the cwd, \"..\"", o2(AT_FDCWD, "../f", O_RDONLY, 0, RESOLVE_BENEATH));
}

static void section_in_root(void)
{
    say("5. RESOLVE_IN_ROOT\n");
    lands("\"/f\"", o2(dir, "/f", O_RDONLY, 0, RESOLVE_IN_ROOT));
    lands("\"../../f\"", o2(dir, "../../f", O_RDONLY, 0, RESOLVE_IN_ROOT));
    lands("a link going up, then f", o2(dir, "up/f", O_RDONLY, 0, RESOLVE_IN_ROOT));
    r("an absolute link to /etc", o2(dir, "abs/passwd", O_RDONLY, 0, RESOLVE_IN_ROOT));
    lands("an absolute link to /f", o2(dir, "rootf", O_RDONLY, 0, RESOLVE_IN_ROOT));
    opened("O_CREAT of \"/made2\"", o2(dir, "/made2", O_CREAT | O_WRONLY, 0600, RESOLVE_IN_ROOT));
    say("   made inside: %d\n", faccessat(dir, "made2", F_OK, 0) == 0);
}

static void section_magic(void)
{
    say("6. RESOLVE_NO_MAGICLINKS and /proc's links\n");
    int f = openat(dir, "f", O_RDONLY);
    char fdpath[64];
    snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", f);
    lands("fd link", o2(AT_FDCWD, fdpath, O_RDONLY, 0, 0));
    r("fd link, NO_MAGICLINKS", o2(AT_FDCWD, fdpath, O_RDONLY, 0, RESOLVE_NO_MAGICLINKS));
    r("exe, NO_MAGICLINKS", o2(AT_FDCWD, "/proc/self/exe", O_RDONLY, 0, RESOLVE_NO_MAGICLINKS));
    opened("/proc/self/status, NO_MAGICLINKS", o2(AT_FDCWD, "/proc/self/status", O_RDONLY, 0, RESOLVE_NO_MAGICLINKS));
    opened("fd link with O_PATH|O_NOFOLLOW, NO_MAGICLINKS", o2(AT_FDCWD, fdpath, O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_MAGICLINKS));
    r("fd link, NO_SYMLINKS", o2(AT_FDCWD, fdpath, O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
    int proc = open("/proc", O_PATH | O_DIRECTORY);
    opened("self/status beneath /proc", o2(proc, "self/status", O_RDONLY, 0, RESOLVE_BENEATH));
    r("an fd link beneath /proc", o2(proc, fdpath + 6, O_RDONLY, 0, RESOLVE_BENEATH));
    r("an fd link in /proc as root", o2(proc, fdpath + 6, O_RDONLY, 0, RESOLVE_IN_ROOT));
    close(proc);
    close(f);
}

static void section_no_xdev(void)
{
    say("7. RESOLVE_NO_XDEV\n");
    lands("a file on the same mount", o2(dir, "sub/../f", O_RDONLY, 0, RESOLVE_NO_XDEV));
    r("into /proc", o2(AT_FDCWD, "/proc/self/status", O_RDONLY, 0, RESOLVE_NO_XDEV));
    r("/proc itself", o2(AT_FDCWD, "/proc", O_RDONLY | O_DIRECTORY, 0, RESOLVE_NO_XDEV));
    int root = open("/", O_PATH | O_DIRECTORY);
    r("proc from /", o2(root, "proc", O_RDONLY | O_DIRECTORY, 0, RESOLVE_NO_XDEV));
    close(root);
    int proc = open("/proc", O_PATH | O_DIRECTORY);
    opened("self/status from /proc", o2(proc, "self/status", O_RDONLY, 0, RESOLVE_NO_XDEV));
    r("\"..\" out of /proc", o2(proc, "../proc", O_RDONLY | O_DIRECTORY, 0, RESOLVE_NO_XDEV));
    int f = openat(dir, "f", O_RDONLY);
    char fdpath[64];
    snprintf(fdpath, sizeof fdpath, "self/fd/%d", f);
    r("an fd link out of /proc", o2(proc, fdpath, O_RDONLY, 0, RESOLVE_NO_XDEV));
    close(f);
    close(proc);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 2 || chdir(argv[1]))
        return 2;
    umask(022);
    close(open("f", O_CREAT | O_WRONLY, 0644));
    stat("f", &f_stat);
    mkdir("sub", 0755);
    symlink("f", "lnk");
    symlink("sub", "subl");
    symlink("/etc", "abs");
    symlink("/f", "rootf");
    symlink("..", "up");
    symlink("../f", "sub/back");
    symlink("nothere", "dangling");
    dir = open(".", O_PATH | O_DIRECTORY);
    section_how();
    section_flags();
    section_no_symlinks();
    section_beneath();
    section_in_root();
    section_magic();
    section_no_xdev();
    return 0;
}
