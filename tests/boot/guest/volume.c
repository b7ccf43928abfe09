/* A volume's life across boots. Modes (argv[1]) on the directory argv[2]:
 *   change  - make every kind of change a file tree takes (files with holes, a large file,
 *             directories, renames, truncates, hard and symbolic links, chmod, utimensat,
 *             unlinks), then fsync; run on Linux and in the guest, then `list` both.
 *   list    - print the tree below the directory, sorted: type, mode, size, links, mtime and a
 *             content checksum of every entry (the test compares guest and Linux).
 *   append [N] - append numbered 64-byte records to DIR/log (numbering on from what is there),
 *             fsync each, and print "synced I" once fsync returned (the crash test kills the
 *             guest at a random moment).
 *   fill    - write until ENOSPC, fsync, report the statfs numbers before and after.
 *   churn   - 700 fsync'd renames in a directory of 300 entries: a log far larger than the tree.
 *   idle    - write a file without fsync and sleep (the write-back bound must get it out).
 *   statfs  - print statfs's block count and free blocks. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
    printf("FAIL %s: %s\n", what, strerror(errno));
    exit(1);
}

static void put(const char *path, const char *data, size_t len, off_t at)
{
    int fd = open(path, O_WRONLY | O_CREAT, 0644);
    if (fd < 0 || pwrite(fd, data, len, at) != (ssize_t)len || close(fd))
        die(path);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static uint32_t checksum(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        die(path);
    uint32_t h = 2166136261u;
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        for (ssize_t i = 0; i < n; i++)
            h = (h ^ (uint8_t)buf[i]) * 16777619u;
    close(fd);
    return h;
}

static void list(const char *dir, const char *rel)
{
    DIR *d = opendir(dir);
    if (!d)
        die(dir);
    char *names[512];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 512)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof(char *), cmp);
    for (int i = 0; i < n; i++) {
        char path[4096], sub[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        snprintf(sub, sizeof(sub), "%s/%s", rel, names[i]);
        struct stat st;
        if (lstat(path, &st))
            die(path);
        printf("%s %o", sub, st.st_mode);
        if (S_ISREG(st.st_mode))
            printf(" size %lld nlink %lu sum %08x", (long long)st.st_size, (unsigned long)st.st_nlink, checksum(path));
        if (S_ISLNK(st.st_mode)) {
            char t[4096];
            ssize_t k = readlink(path, t, sizeof(t) - 1);
            t[k < 0 ? 0 : k] = 0;
            printf(" -> %s", t);
        }
        if (!S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode) && st.st_mtim.tv_sec == 1234567890)
            printf(" mtime set");
        printf("\n");
        if (S_ISDIR(st.st_mode))
            list(path, sub);
        free(names[i]);
    }
}

static void change(const char *dir)
{
    char p[4096], q[4096];
    if (chdir(dir))
        die(dir);
    put("small", "hello, volume\n", 14, 0);
    put("holes", "end", 3, 3 * 4096 + 100);            /* three hole pages, then data */
    char *big = malloc(1 << 20);
    for (int i = 0; i < (1 << 20); i++)
        big[i] = (char)(i * 7 + (i >> 12));
    put("big", big, 1 << 20, 0);
    put("big", "patched", 7, 500000);                  /* an overwrite in the middle */
    if (mkdir("d", 0750) || mkdir("d/e", 0700) || mkdir("gone", 0755))
        die("mkdir");
    put("d/e/deep", "deep\n", 5, 0);
    put("d/moved-src", "moving\n", 7, 0);
    if (rename("d/moved-src", "moved") || rename("d/e", "d/f"))
        die("rename");
    put("trunc", big, 10000, 0);
    if (truncate("trunc", 5000))
        die("truncate");
    put("grow", "x", 1, 0);
    if (truncate("grow", 20000))
        die("truncate up");
    if (link("small", "small-link") || symlink("small", "sym") || symlink("/nowhere/at/all", "dangling"))
        die("links");
    if (chmod("small", 0600))
        die("chmod");
    struct timespec ts[2] = { { 1234567890, 0 }, { 1234567890, 0 } };
    if (utimensat(AT_FDCWD, "moved", ts, 0))
        die("utimensat");
    put("doomed", "bye", 3, 0);
    if (unlink("doomed") || rmdir("gone"))
        die("unlink");
    for (int i = 0; i < 40; i++) {                     /* a directory of many entries */
        snprintf(p, sizeof(p), "d/n%02d", i);
        put(p, p, strlen(p), 0);
    }
    for (int i = 0; i < 40; i += 2) {
        snprintf(p, sizeof(p), "d/n%02d", i);
        snprintf(q, sizeof(q), "d/r%02d", i);
        if (rename(p, q))
            die("rename many");
    }
    int fd = open(".", O_RDONLY | O_DIRECTORY);
    if (fd < 0 || syncfs(fd) || close(fd))
        die("syncfs");
    printf("changed\n");
}

static void append(const char *dir, long count)
{
    char path[4096], rec[64];
    snprintf(path, sizeof(path), "%s/log", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    struct stat st;
    if (fd < 0 || fstat(fd, &st))
        die(path);
    for (long i = st.st_size / 64; i < count; i++) {   /* numbering goes on after a crash */
        memset(rec, '.', sizeof(rec));
        int n = snprintf(rec, sizeof(rec), "record %08ld", i);
        rec[n] = ' ';
        rec[63] = '\n';
        if (write(fd, rec, sizeof(rec)) != sizeof(rec))
            die("write");
        if (fsync(fd))
            die("fsync");
        printf("synced %ld\n", i);
        fflush(stdout);
    }
}

static void show_statfs(const char *dir, const char *when)
{
    struct statfs s;
    if (statfs(dir, &s))
        die("statfs");
    printf("%s: bsize %ld blocks %llu free %llu\n", when, (long)s.f_bsize, (unsigned long long)s.f_blocks,
           (unsigned long long)s.f_bfree);
}

static void fill(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/filler", dir);
    show_statfs(dir, "before");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        die(path);
    static char buf[65536];
    memset(buf, 'f', sizeof(buf));
    long long total = 0;
    for (;;) {
        ssize_t n = write(fd, buf, sizeof(buf));
        if (n < 0) {
            printf("write: %s after %lld bytes\n", strerror(errno), total);
            break;
        }
        total += n;
    }
    printf("fsync: %s\n", fsync(fd) ? strerror(errno) : "ok");
    close(fd);
    show_statfs(dir, "full");
    if (unlink(path))
        die("unlink filler");
    sync();
    show_statfs(dir, "after");
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void bench(const char *dir, int mib)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/seq", dir);
    static char buf[1 << 20];
    memset(buf, 'w', sizeof(buf));
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        die(path);
    double t0 = now_s();
    for (int i = 0; i < mib; i++)
        if (write(fd, buf, sizeof(buf)) != sizeof(buf))
            die("write");
    if (fsync(fd))
        die("fsync");
    double t1 = now_s();
    close(fd);
    printf("sequential write %d MiB + fsync: %.1f MB/s\n", mib, mib * 1.048576 / (t1 - t0));
    snprintf(path, sizeof(path), "%s/small", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    enum { N = 200 };
    double lat[N];
    for (int i = 0; i < N; i++) {
        if (write(fd, buf, 4096) != 4096)
            die("write");
        double a = now_s();
        if (fsync(fd))
            die("fsync");
        lat[i] = now_s() - a;
    }
    close(fd);
    qsort(lat, N, sizeof(double), cmp_double);
    printf("fsync after a 4 KiB append: median %.3f ms, p90 %.3f ms\n", lat[N / 2] * 1e3, lat[N * 9 / 10] * 1e3);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!strcmp(argv[1], "change"))
        change(argv[2]);
    else if (!strcmp(argv[1], "list"))
        list(argv[2], "");
    else if (!strcmp(argv[1], "append"))
        append(argv[2], argc > 3 ? atol(argv[3]) : 1000000);
    else if (!strcmp(argv[1], "fill"))
        fill(argv[2]);
    else if (!strcmp(argv[1], "bench")) {     /* bench/volume.py: sequential write, fsync latency */
        bench(argv[2], argc > 3 ? atoi(argv[3]) : 64);
    } else if (!strcmp(argv[1], "churn")) {     /* many commits of a large directory: compaction */
        char p[4096], q[4096];
        snprintf(p, sizeof(p), "%s/many", argv[2]);
        if (mkdir(p, 0755))
            die("mkdir many");
        for (int i = 0; i < 300; i++) {
            snprintf(p, sizeof(p), "%s/many/file-with-a-longish-name-%04d", argv[2], i);
            put(p, p, strlen(p), 0);
        }
        snprintf(p, sizeof(p), "%s/many/file-with-a-longish-name-0000", argv[2]);
        snprintf(q, sizeof(q), "%s/many/renamed", argv[2]);
        int dfd = open(argv[2], O_RDONLY | O_DIRECTORY);
        for (int i = 0; i < 700; i++) {
            if (rename(i % 2 ? q : p, i % 2 ? p : q) || fsync(dfd))
                die("churn");
        }
        printf("churned\n");
    } else if (!strcmp(argv[1], "idle")) {      /* write without fsync, then sleep: write-back */
        char path[4096];
        snprintf(path, sizeof(path), "%s/unsynced", argv[2]);
        put(path, "written, never fsynced\n", 23, 0);
        printf("written\n");
        sleep(60);
    } else if (!strcmp(argv[1], "statfs"))
        show_statfs(argv[2], "statfs");
    else
        return 2;
    return 0;
}
