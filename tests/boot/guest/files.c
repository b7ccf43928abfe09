/* Writable file tree probe: `files DIR` works inside DIR (an empty directory: /tmp in the
 * unikernel, a fresh temporary directory for the oracle, this program under qemu-aarch64-static
 * on the host's kernel) and prints what Linux would: errno names, sizes, modes, link counts,
 * contents, sorted listings. Nothing filesystem-specific (inode numbers, st_blocks, readdir
 * order) is printed. `files DIR copyup FILE` appends to an existing file and reads it back. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

static const char *res(int r) { return r < 0 ? strerrorname_np(errno) : "ok"; }

static sigjmp_buf jump;
static volatile int bus_code;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
    bus_code = si->si_code;
    siglongjmp(jump, 1);
}

static void show(const char *path)
{
    struct stat st;
    if (lstat(path, &st)) {
        say("   %s: %s\n", path, strerrorname_np(errno));
        return;
    }
    say("   %s: mode %o size %lld nlink %lu\n", path, st.st_mode, (long long)st.st_size, (unsigned long)st.st_nlink);
}

static void content(const char *path)
{
    char buf[64] = { 0 };
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        say("   %s: %s\n", path, strerrorname_np(errno));
        return;
    }
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    for (ssize_t i = 0; i < n; i++)
        if (buf[i] == 0)
            buf[i] = '.';
    say("   %s: \"%.*s\"\n", path, (int)(n < 0 ? 0 : n), buf);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *path)
{
    DIR *d = opendir(path);
    char *names[64];
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) && n < 64)
        names[n++] = strdup(e->d_name);
    if (d)
        closedir(d);
    qsort(names, n, sizeof(names[0]), by_name);
    say("   ls %s:", path);
    for (int i = 0; i < n; i++)
        say(" %s", names[i]);
    say("\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    umask(022);
    if (argc == 4 && !strcmp(argv[2], "copyup")) {
        int fd = open(argv[3], O_WRONLY | O_APPEND);
        say("append to an image file: %s, wrote %zd\n", res(fd), fd < 0 ? -1 : write(fd, "+more", 5));
        close(fd);
        content(argv[3]);
        return 0;
    }

    say("1. create, write, exclusive create\n");
    int fd = open("a", O_CREAT | O_EXCL | O_WRONLY, 0666);
    say("   open %s, write %zd\n", res(fd), write(fd, "hello", 5));
    close(fd);
    show("a");
    content("a");
    say("   again with O_EXCL: %s\n", res(open("a", O_CREAT | O_EXCL | O_WRONLY, 0644)));
    say("   O_CREAT with a trailing slash: %s\n", res(open("b/", O_CREAT | O_WRONLY, 0644)));
    say("   in a missing directory: %s\n", res(open("nodir/x", O_CREAT | O_WRONLY, 0644)));
    say("   under a file: %s\n", res(open("a/x", O_CREAT | O_WRONLY, 0644)));

    say("2. holes, pwrite, O_APPEND, truncate\n");
    fd = open("a", O_RDWR);
    say("   pwrite at 8192: %zd\n", pwrite(fd, "x", 1, 8192));
    char buf[16];
    say("   pread in the hole: %zd, zero %d\n", pread(fd, buf, 4, 100), buf[0] == 0 && buf[3] == 0);
    say("   lseek end: %lld\n", (long long)lseek(fd, 0, SEEK_END));
    close(fd);
    fd = open("a", O_WRONLY | O_APPEND);
    say("   append: %zd, position %lld\n", write(fd, "END", 3), (long long)lseek(fd, 0, SEEK_CUR));
    say("   ftruncate to 3: %s\n", res(ftruncate(fd, 3)));
    close(fd);
    show("a");
    say("   truncate to 6: %s\n", res(truncate("a", 6)));
    content("a");
    fd = open("a", O_RDONLY);
    say("   ftruncate on a read-only descriptor: %s\n", res(ftruncate(fd, 0)));
    say("   write on a read-only descriptor: %s\n", res((int)write(fd, "x", 1)));
    close(fd);
    fd = open("a", O_WRONLY | O_TRUNC);
    close(fd);
    show("a");

    say("3. directories\n");
    say("   mkdir d: %s, again: %s\n", res(mkdir("d", 0777)), res(mkdir("d", 0777)));
    say("   mkdir d/e/f: %s\n", res(mkdir("d/e/f", 0777)));
    say("   mkdir d/e: %s\n", res(mkdir("d/e", 0700)));
    show("d");
    show("d/e");
    say("   create d/e/file: %s\n", res(close(open("d/e/file", O_CREAT | O_WRONLY, 0600))));
    say("   rmdir d: %s\n", res(rmdir("d")));
    say("   unlink d: %s\n", res(unlink("d")));
    say("   rmdir d/e/file: %s\n", res(rmdir("d/e/file")));
    say("   rmdir .: %s\n", res(rmdir(".")));
    say("   open d for writing: %s\n", res(open("d", O_WRONLY)));
    list("d/e");

    say("4. rename\n");
    fd = open("b", O_CREAT | O_WRONLY, 0644);
    say("   write b: %zd\n", write(fd, "bee", 3));
    close(fd);
    say("   rename b over a: %s\n", res(rename("b", "a")));
    content("a");
    show("b");
    say("   rename missing: %s\n", res(rename("nope", "x")));
    say("   rename d into d/e: %s\n", res(rename("d", "d/e/x")));
    say("   rename file over dir: %s\n", res(rename("a", "d")));
    say("   rename dir over file: %s\n", res(rename("d", "a")));
    say("   rename dir over non-empty dir: %s\n", res(mkdir("z", 0755) || rename("z", "d")));
    say("   noreplace: %s\n", res(syscall(SYS_renameat2, AT_FDCWD, "a", AT_FDCWD, "z", 1) == 0 ? 0 :
                                       (int)syscall(SYS_renameat2, AT_FDCWD, "z", AT_FDCWD, "d", 1)));
    say("   exchange a and z: %s\n", res((int)syscall(SYS_renameat2, AT_FDCWD, "a", AT_FDCWD, "z", 2)));
    show("a");
    show("z");
    say("   move dir d to dd: %s\n", res(rename("d", "dd")));
    list("dd/e");
    list(".");

    say("5. links and symlinks\n");
    say("   link z l: %s\n", res(link("z", "l")));
    show("z");
    say("   link dir: %s\n", res(link("dd", "dl")));
    say("   link to existing: %s\n", res(link("z", "a")));
    say("   unlink l: %s\n", res(unlink("l")));
    show("z");
    say("   symlink s -> z: %s\n", res(symlink("z", "s")));
    char target[64] = { 0 };
    say("   readlink: %zd %s\n", readlink("s", target, sizeof(target)), target);
    show("s");
    content("s");
    say("   symlink over existing: %s\n", res(symlink("x", "s")));
    say("   dangling: %s, open: %s\n", res(symlink("missing", "dang")), res(open("dang", O_RDONLY)));

    say("6. unlinked but open\n");
    fd = open("gone", O_CREAT | O_RDWR, 0644);
    say("   write: %zd, unlink: %s\n", write(fd, "still here", 10), res(unlink("gone")));
    struct stat st;
    fstat(fd, &st);
    say("   fstat nlink %lu size %lld\n", (unsigned long)st.st_nlink, (long long)st.st_size);
    memset(buf, 0, sizeof(buf));
    say("   read back: %zd \"%s\"\n", pread(fd, buf, 10, 0), buf);
    show("gone");
    close(fd);

    say("7. attributes\n");
    say("   chmod a 0600: %s\n", res(chmod("a", 0600)));
    show("a");
    say("   chmod missing: %s\n", res(chmod("nope", 0600)));
    say("   access W_OK: %s, X_OK on a 0600 file: %s\n", res(access("a", W_OK)), res(access("a", X_OK)));
    struct timespec times[2] = { { 1000000000, 5 }, { 1234567890, 500 } };
    say("   utimensat: %s\n", res(utimensat(AT_FDCWD, "a", times, 0)));
    stat("a", &st);
    say("   atime %ld.%09ld mtime %ld.%09ld\n", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
        (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    struct timespec bad[2] = { { 0, 2000000000 }, { 0, 0 } };
    say("   utimensat bad nsec: %s\n", res(utimensat(AT_FDCWD, "a", bad, 0)));
    struct statfs sf;
    say("   statfs: %s, read-only %d\n", res(statfs(".", &sf)), (int)(sf.f_flags & 1));

    say("8. mmap of a written file\n");
    fd = open("m", O_CREAT | O_RDWR, 0644);
    say("   write: %zd\n", pwrite(fd, "mapped bytes", 12, 4096));
    char *p = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
    say("   mapped: %s, \"%.12s\", first page zero %d\n", p == MAP_FAILED ? "failed" : "ok",
        p == MAP_FAILED ? "" : p + 4096, p != MAP_FAILED && p[0] == 0);
    close(fd);

    say("9. shared mapping: one set of pages for the file and every mapping\n");
    fd = open("shm", O_CREAT | O_RDWR, 0644);
    say("   ftruncate: %s\n", res(ftruncate(fd, 6000)));
    char *w = mmap(NULL, 12288, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    say("   mmap: %s\n", w == MAP_FAILED ? strerrorname_np(errno) : "ok");
    memcpy(w + 10, "via memory", 10);
    memset(buf, 0, sizeof(buf));
    say("   read sees it: %zd \"%s\"\n", pread(fd, buf, 10, 10), buf);
    say("   pwrite: %zd\n", pwrite(fd, "via write", 9, 5000));
    say("   mapping sees it: \"%.9s\"\n", w + 5000);
    char *w2 = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    say("   second mapping sees the first's bytes: \"%.10s\"\n", w2 + 10);
    say("   msync: %s, bad flags: %s, unmapped: %s\n", res(msync(w, 4096, MS_SYNC)),
        res(msync(w, 4096, MS_SYNC | MS_ASYNC)), res(msync((char *)0x1000, 4096, MS_SYNC)));
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    if (sigsetjmp(jump, 1) == 0) {
        w[9000] = 1;                   /* the file ends at 6000: page 2 is past its end */
        say("   past the end: no signal\n");
    } else {
        say("   past the end: SIGBUS code %d\n", bus_code);
    }
    int ro = open("shm", O_RDONLY);
    say("   writable shared mapping of a read-only descriptor: %s\n",
        mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED ? strerrorname_np(errno) : "ok");
    close(ro);
    munmap(w, 12288);
    munmap(w2, 4096);
    close(fd);
    content("shm");

    say("10. clean up\n");
    const char *files[] = { "a", "z", "s", "dang", "m", "shm", "dd/e/file" };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        say("   unlink %s: %s\n", files[i], res(unlink(files[i])));
    say("   rmdir dd/e: %s, rmdir dd: %s\n", res(rmdir("dd/e")), res(rmdir("dd")));
    list(".");
    return 0;
}
