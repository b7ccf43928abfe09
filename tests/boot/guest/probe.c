/* A guest-side probe for the boot tests: each subcommand exercises one part of the Linux ABI and
 * prints what it saw, so the test can compare with the same program under qemu-aarch64-static
 * (real Linux syscall semantics) or with host-computed values. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static uint32_t crc32(const unsigned char *p, size_t n, uint32_t crc)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
    return ~crc;
}

static int cmd_args(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    for (char **e = environ; *e; e++)
        if (!strncmp(*e, "PROBE_", 6))
            printf("env %s\n", *e);
    return 0;
}

static int cmd_auxv(void)
{
    const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
    int nonzero = 0;
    for (int i = 0; rnd && i < 16; i++)
        nonzero |= rnd[i];
    printf("pagesz=%lu\n", getauxval(AT_PAGESZ));
    printf("sysconf_pagesize=%ld\n", sysconf(_SC_PAGESIZE));
    printf("hwcap_fp=%lu\n", getauxval(AT_HWCAP) & 1);
    printf("random_nonzero=%d\n", nonzero != 0);
    printf("platform=%s\n", (const char *)getauxval(AT_PLATFORM));
    printf("execfn=%s\n", (const char *)getauxval(AT_EXECFN));
    printf("secure=%lu\n", getauxval(AT_SECURE));
    printf("uid=%d euid=%d\n", getuid(), geteuid());
    struct utsname u;
    uname(&u);
    printf("machine=%s sysname=%s\n", u.machine, u.sysname);
    return 0;
}

static int cmd_read(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("open: %s\n", strerror(errno));
        return 1;
    }
    static unsigned char buf[65536];
    uint32_t crc = 0;
    size_t total = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        crc = crc32(buf, n, crc);
        total += n;
    }
    struct stat st;
    fstat(fd, &st);
    printf("size=%zu crc=%08x st_size=%lld regular=%d\n", total, crc, (long long)st.st_size, S_ISREG(st.st_mode));
    close(fd);
    return 0;
}

/* In-guest read throughput of a file (for bench/guest_read.py). */
static int cmd_readspeed(const char *path)
{
    static unsigned char buf[1 << 20];
    struct timespec a, b;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 1;
    size_t total = 0;
    ssize_t n;
    clock_gettime(CLOCK_MONOTONIC, &a);
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        total += n;
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    printf("read %zu bytes in %.3f s: %.1f MB/s\n", total, s, total / s / 1e6);
    return 0;
}

static int cmd_reserve(void)
{
    size_t size = 64UL << 30;
    char *base = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        printf("mmap: %s\n", strerror(errno));
        return 1;
    }
    char *piece = base + (32UL << 30);
    if (mprotect(piece, 1 << 20, PROT_READ | PROT_WRITE)) {
        printf("mprotect: %s\n", strerror(errno));
        return 1;
    }
    memset(piece, 0x5a, 1 << 20);
    printf("reserve ok %d\n", piece[12345] == 0x5a);
    return munmap(base, size) ? 1 : 0;
}

static int cmd_malloc(void)
{
    size_t size = 256UL << 20;
    unsigned char *p = malloc(size);
    if (!p) {
        printf("malloc failed\n");
        return 1;
    }
    for (size_t i = 0; i < size; i += 4096)
        p[i] = (unsigned char)i;
    printf("malloc ok %d\n", p[size - 4096] == (unsigned char)(size - 4096));
    free(p);
    return 0;
}

static int cmd_clock(void)
{
    struct timespec a, b, req = { 0, 50 * 1000 * 1000 };
    clock_gettime(CLOCK_MONOTONIC, &a);
    nanosleep(&req, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    printf("slept_at_least_50ms=%d\n", ms >= 50);
    return 0;
}

/* The wall clock: time(NULL), for a loose comparison with the host's. */
static int cmd_time(void)
{
    printf("time=%lld\n", (long long)time(NULL));
    return 0;
}

static int cmd_efault(void)
{
    long r = syscall(SYS_write, 1, (void *)8, 10);
    printf("write_bad_pointer=%ld errno=%s\n", r, r < 0 ? strerrorname_np(errno) : "-");
    r = syscall(SYS_openat, AT_FDCWD, (void *)8, O_RDONLY);
    printf("openat_bad_pointer=%ld errno=%s\n", r, r < 0 ? strerrorname_np(errno) : "-");
    return 0;
}

static int cmd_stat(const char *path)
{
    struct stat st;
    if (stat(path, &st)) {
        printf("stat: %s\n", strerrorname_np(errno));
        return 0;
    }
    printf("mode=%o size=%lld nlink_positive=%d\n", st.st_mode, (long long)st.st_size, st.st_nlink > 0);
    return 0;
}

static int cmd_ls(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    if (!d) {
        printf("opendir: %s\n", strerrorname_np(errno));
        return 0;
    }
    while ((e = readdir(d)))
        printf("%s %d\n", e->d_name, e->d_type);
    closedir(d);
    return 0;
}

static void report(const char *what, long r)
{
    printf("%s=%ld %s\n", what, r, r < 0 ? strerrorname_np(errno) : "-");
}

static int cmd_errors(void)
{
    /* Errors whose exact errno Linux defines: the test compares with qemu-aarch64-static. */
    report("open_missing", open("/no/such/file", O_RDONLY));
    report("open_enotdir", open("/etc/passwd/x", O_RDONLY));
    report("open_dir_for_write", open("/etc", O_WRONLY));
    report("open_file_as_dir", open("/etc/passwd", O_RDONLY | O_DIRECTORY));
    report("close_bad", close(999));
    report("read_bad_fd", read(999, NULL, 0));
    report("lseek_console_bad_whence", lseek(0, 0, 42));
    report("dup3_same", dup3(1, 1, 0));
    report("dup3_bad_flags", dup3(1, 5, 1));
    report("mprotect_unmapped", mprotect((void *)0x1000, 4096, PROT_READ));
    report("munmap_unaligned", munmap((void *)0x1001, 4096));
    report("mmap_zero_len", (long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    report("readlink_not_link", readlink("/etc/passwd", (char[16]){0}, 16));
    report("chdir_file", chdir("/etc/passwd"));
    report("fcntl_bad_cmd", fcntl(1, 12345));
    report("getcwd_small", (long)getcwd((char[1]){0}, 1));
    return 0;
}

static int cmd_misc(void)
{
    char exe[256] = "";
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    printf("exe=%s len=%zd\n", exe, n);
    char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 7, 4096);
    char *q = mremap(p, 4096, 3 * 4096, MREMAP_MAYMOVE);
    q[3 * 4096 - 1] = 9;
    printf("mremap_kept=%d grown=%d\n", q != MAP_FAILED && q[4095] == 7, q[3 * 4096 - 1] == 9);
    unsigned char rnd[64];
    printf("getrandom=%zd\n", getrandom(rnd, sizeof(rnd), 0));
    printf("nprocs=%ld\n", sysconf(_SC_NPROCESSORS_ONLN));
    printf("access_x_bin=%d\n", access("/probe", X_OK));
    char cwd[64];
    printf("cwd=%s\n", getcwd(cwd, sizeof(cwd)));
    printf("chdir_etc=%d\n", chdir("/etc"));
    printf("relative_open=%d\n", open("passwd", O_RDONLY) >= 0);
    printf("cwd=%s\n", getcwd(cwd, sizeof(cwd)));
    return 0;
}

/* The image is writable (changes stay in memory): the same calls succeed as on a writable
 * Linux root, and the lookup errors stay what they were. */
static int cmd_writes(void)
{
    report("mkdir_existing", mkdir("/etc", 0755));
    report("mkdir_new", mkdir("/newdir", 0755));
    report("mkdir_missing_parent", mkdir("/nope/x", 0755));
    report("unlink_existing", unlink("/etc/passwd"));
    report("unlink_missing", unlink("/nope"));
    report("create_file", open("/newfile", O_CREAT | O_WRONLY, 0644) >= 0 ? 0 : -1);
    report("rename_existing", rename("/etc/passwd", "/etc/p2"));
    report("fsync_readonly_fd", fsync(open("/etc/passwd", O_RDONLY)));
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    /* "online CMD ...": an AF_INET socket first, then CMD. The kernel waits for the boot's DHCP
     * lease where an address is first needed (kernel/net/lease_wait.c), so a test that wants the
     * NIC shown working beside CMD's device gets its lease line this way. */
    if (!strcmp(cmd, "online") && argc > 2) {
        int s = socket(AF_INET, SOCK_DGRAM, 0);
        if (s < 0) {
            perror("socket");
            return 1;
        }
        close(s);
        return main(argc - 1, argv + 1);
    }
    if (!strcmp(cmd, "args")) return cmd_args(argc, argv);
    if (!strcmp(cmd, "auxv")) return cmd_auxv();
    if (!strcmp(cmd, "exit")) return argc > 2 ? atoi(argv[2]) : 0;
    if (!strcmp(cmd, "segv")) { volatile uintptr_t bad = 8; *(volatile int *)bad = 1; return 0; }
    if (!strcmp(cmd, "read") && argc > 2) return cmd_read(argv[2]);
    if (!strcmp(cmd, "reserve")) return cmd_reserve();
    if (!strcmp(cmd, "malloc")) return cmd_malloc();
    if (!strcmp(cmd, "clock")) return cmd_clock();
    if (!strcmp(cmd, "time")) return cmd_time();
    if (!strcmp(cmd, "efault")) return cmd_efault();
    if (!strcmp(cmd, "stat") && argc > 2) return cmd_stat(argv[2]);
    if (!strcmp(cmd, "ls") && argc > 2) return cmd_ls(argv[2]);
    if (!strcmp(cmd, "errors")) return cmd_errors();
    if (!strcmp(cmd, "writes")) return cmd_writes();
    if (!strcmp(cmd, "misc")) return cmd_misc();
    if (!strcmp(cmd, "cat") && argc > 2) {
        FILE *f = fopen(argv[2], "r");
        struct stat st;
        char line[256];
        if (!f || fstat(fileno(f), &st))
            return 1;
        printf("size=%lld\n", (long long)st.st_size);
        while (fgets(line, sizeof(line), f))
            fputs(line, stdout);
        return 0;
    }
    if (!strcmp(cmd, "readspeed") && argc > 2) return cmd_readspeed(argv[2]);
    if (!strcmp(cmd, "abort")) { printf("before abort\n"); fflush(stdout); abort(); }
    if (!strcmp(cmd, "raise") && argc > 2) {
        int sig = atoi(argv[2]);
        if (argc > 3 && !strcmp(argv[3], "ignore"))
            signal(sig, SIG_IGN);
        printf("raise=%d\n", raise(sig));
        return 0;
    }
    fprintf(stderr, "probe: unknown command %s\n", cmd);
    return 2;
}
