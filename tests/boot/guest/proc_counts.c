/* What /proc counts, as programs read it: /proc/self/smaps and /proc/stat. `proc_counts DIR` (an empty directory: /tmp in the unikernel,
 * a fresh tmpfs directory for the oracle) prints, for mappings the probe made itself, the fields
 * that count its pages (in pages: the page size is asked, never assumed) before and after a
 * fork, in the parent and the child. The first check is Redis's on arm64 (its
 * linuxMadvFreeForkBugCheck, which refuses to start the server when it fails): a page written,
 * MADV_FREEd and written again before a fork reads as Shared_Dirty in the child. /proc/stat is
 * node's os.cpus() (libuv's uv_cpu_info), top's and psutil's: its lines and their columns, one
 * cpuN line per online CPU, and the counters that must move (nothing host-specific printed). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_FREE
#define MADV_FREE 8
#endif

static long pg;

/* A VMA's first line ("lo-hi perms ..."), not a "Name: value" field. */
static int is_header(const char *line, unsigned long *lo)
{
    const char *colon = strchr(line, ':'), *space = strchr(line, ' ');
    return (!colon || (space && colon > space)) && sscanf(line, "%lx-", lo) == 1;
}

/* The smaps entry of the VMA starting at `start`: its counting fields, in pages ("-" when the
 * mapping is not found). */
static void entry(const char *what, const void *start)
{
    static const char *fields[] = {"Size", "Rss", "Pss", "Shared_Clean", "Shared_Dirty", "Private_Clean",
                                   "Private_Dirty", "Anonymous", "Locked"};
    long kb[sizeof fields / sizeof fields[0]];
    memset(kb, -1, sizeof kb);
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    int inside = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo;
        char name[64];
        long v;
        if (is_header(line, &lo))
            inside = lo == (unsigned long)start;
        else if (inside && sscanf(line, "%63[^:]: %ld kB", name, &v) == 2)
            for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
                if (!strcmp(name, fields[i]))
                    kb[i] = v;
    }
    if (f)
        fclose(f);
    printf("   %s:", what);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (kb[i] < 0)
            printf(" %s -", fields[i]);
        else
            printf(" %s %ld", fields[i], kb[i] * 1024 / pg);
    printf("\n");
}

/* The names of the fields of the entry at `start`, in order. */
static void field_names(const void *start)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    int inside = 0;
    printf("   fields:");
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo;
        char name[64];
        if (is_header(line, &lo))
            inside = lo == (unsigned long)start;
        else if (inside && sscanf(line, "%63[^:]:", name) == 1)
            printf(" %s", name);
    }
    printf("\n");
    if (f)
        fclose(f);
}

static void in_child(void (*fn)(void *), void *arg)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        fn(arg);
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
}

static char *cow_page;
static void child_cow(void *arg)
{
    entry("child, the RW page", cow_page);
    cow_page[1] = 2;
    entry("child, after its own write", cow_page);
}

static void section_anonymous(void)
{
    printf("1. anonymous memory and fork\n");
    char *p = mmap(NULL, 3 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *q = p + pg;
    mprotect(q, pg, PROT_READ | PROT_WRITE);
    entry("untouched", q);
    *(volatile char *)q = 0;
    entry("written", q);
    madvise(q, pg, MADV_FREE);
    *(volatile char *)q = 1;
    entry("MADV_FREE, written again", q);
    cow_page = q;
    in_child(child_cow, NULL);
    entry("parent, after the child ended", q);
    field_names(q);
    munmap(p, 3 * pg);

    char *four = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    four[0] = four[2 * pg] = 1;
    mlock(four, 4 * pg);
    entry("4 pages, 2 written, then mlocked", four);
    munlock(four, 4 * pg);
    munmap(four, 4 * pg);
}

static void section_shared_and_files(void)
{
    printf("2. shared and file mappings\n");
    char *s = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    s[0] = 1;
    entry("shared anonymous, one page written", s);
    munmap(s, 2 * pg);

    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char *buf = calloc(1, 3 * pg);
    write(fd, buf, 3 * pg);
    free(buf);
    char *sp = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    sp[0] = 1;
    entry("shared file mapping, page 0 written", sp);
    munmap(sp, 3 * pg);
    close(fd);
}

/* /proc/stat's lines: the key and how many numbers follow ("intr" and "softirq": at least one). */
static void stat_shape(int print, long *processes, long *ctxt, long *btime)
{
    FILE *f = fopen("/proc/stat", "r");
    char line[8192];
    int cpus = 0;
    while (f && fgets(line, sizeof line, f)) {
        char key[32];
        int used, fields = 0;
        if (sscanf(line, "%31s%n", key, &used) != 1)
            continue;
        for (char *p = line + used, *end; ; p = end) {
            long v = strtol(p, &end, 10);
            if (end == p)
                break;
            fields++;
            if (!strcmp(key, "processes"))
                *processes = v;
            else if (!strcmp(key, "ctxt"))
                *ctxt = v;
            else if (!strcmp(key, "btime"))
                *btime = v;
        }
        if (!strncmp(key, "cpu", 3) && key[3]) {
            if (cpus++)
                continue;   /* the first cpuN line stands for all: their number is printed below */
            strcpy(key, "cpuN");
        }
        if (!print)
            continue;
        if (!strcmp(key, "intr") || !strcmp(key, "softirq"))
            printf("   %s: %s\n", key, fields >= 1 ? "at least one number" : "none");
        else
            printf("   %s: %d numbers\n", key, fields);
    }
    if (f)
        fclose(f);
    if (print)
        printf("   cpuN lines are the online CPUs: %d\n", cpus == sysconf(_SC_NPROCESSORS_ONLN));
}

static void section_stat(void)
{
    printf("3. /proc/stat\n");
    long processes = -1, ctxt = -1, btime = -1, processes2 = -1, ctxt2 = -1;
    stat_shape(1, &processes, &ctxt, &btime);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
    usleep(20000);
    long ignored;
    stat_shape(0, &processes2, &ctxt2, &ignored);
    struct timespec up, now;
    clock_gettime(CLOCK_BOOTTIME, &up);
    clock_gettime(CLOCK_REALTIME, &now);
    long boot = now.tv_sec - up.tv_sec;
    printf("   processes counts the fork: %d\n", processes2 > processes);
    printf("   ctxt counts the wait: %d\n", ctxt2 > ctxt);
    printf("   btime is now less the time since boot: %d\n", btime >= boot - 2 && btime <= boot + 2);
}

/* /proc/self/maps's layout for the program's own first line (a non-PIE static program sits at
 * 0x400000): how many hex digits each address has and the column its path starts at. */
static void section_maps_layout(void)
{
    printf("4. /proc/self/maps line layout\n");
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    if (!f || !fgets(line, sizeof line, f)) {
        printf("   no line\n");
        return;
    }
    fclose(f);
    size_t lo = strcspn(line, "-"), hi = strcspn(line + lo + 1, " "), name = strcspn(line, "/[");
    printf("   address digits %zu-%zu, the name at column %zu\n", lo, hi, name + 1);
    /* the heap grown by malloc and twice by sbrk stays one VMA (do_brk_flags extends it) */
    free(malloc(1000));
    sbrk(3 * pg);
    sbrk(5 * pg);
    int heaps = 0;
    f = fopen("/proc/self/maps", "r");
    while (f && fgets(line, sizeof line, f))
        heaps += strstr(line, "[heap]") != NULL;
    if (f)
        fclose(f);
    printf("   [heap] lines: %d\n", heaps);
}

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1])) {
        fprintf(stderr, "usage: proc_counts DIR\n");
        return 2;
    }
    alarm(30);
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    pg = sysconf(_SC_PAGESIZE);
    if (argc > 2 && !strcmp(argv[2], "layout")) {   /* the host's own kernel answers this one */
        section_maps_layout();
        return 0;
    }
    section_anonymous();
    section_shared_and_files();
    section_stat();
    section_maps_layout();
    return 0;
}
