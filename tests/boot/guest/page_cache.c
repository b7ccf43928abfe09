/* What a page cache must not change: a file's bytes read the same through read(), pread() and
 * private mappings; a write to a private mapping stays in that mapping (in this process, in a
 * second mapping, in a forked child, in the file); a change of the file is seen by later reads
 * and mappings, and by the pages of earlier private mappings they did not write; a truncation
 * takes the pages past the end from them (SIGBUS); and memory the cache holds is given back when
 * a program needs it.
 * Usage: page_cache DATA BIG — DATA a file of some pages, BIG a large one (both unchanged
 * copies, DATA is written to). Prints numbered sections; the oracle is Linux. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static long page;

static const char *yes(int ok) { return ok ? "yes" : "NO"; }

static char *slurp(const char *path, size_t *size)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st)) {
        perror(path);
        exit(2);
    }
    char *buf = malloc(st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, st.st_size - got);
        if (n <= 0)
            break;
        got += n;
    }
    close(fd);
    *size = got;
    return buf;
}

static char *map_private(const char *path, size_t size, int prot)
{
    int fd = open(path, O_RDONLY);
    char *m = mmap(NULL, size, prot, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    return m;
}

static uint64_t sum(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;       /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

static void reads_and_mappings_agree(const char *path)
{
    size_t size;
    char *bytes = slurp(path, &size);
    char *m = map_private(path, size, PROT_READ);
    printf("1. read and mmap agree: %s (%zu bytes)\n", yes(!memcmp(bytes, m, size)), size);
    int fd = open(path, O_RDONLY), ok = 1;
    /* Offsets and lengths that start and end inside pages and cross them. */
    size_t offs[] = { 0, 1, page - 1, page, page + 7, 3 * page - 5 }, lens[] = { 1, page - 1, page + 1, 2 * page + 3 };
    for (size_t i = 0; i < sizeof(offs) / sizeof(*offs); i++)
        for (size_t j = 0; j < sizeof(lens) / sizeof(*lens); j++) {
            char buf[3 * 65536];
            size_t want = offs[i] + lens[j] <= size ? lens[j] : size - offs[i];
            ok &= pread(fd, buf, lens[j], offs[i]) == (ssize_t)want && !memcmp(buf, bytes + offs[i], want);
        }
    char buf[16];
    printf("   pread across pages: %s, at the end: %zd\n", yes(ok), pread(fd, buf, sizeof(buf), size));
    close(fd);
    munmap(m, size);
    free(bytes);
}

static void private_writes_stay_private(const char *path)
{
    size_t size;
    char *bytes = slurp(path, &size);
    char *a = map_private(path, size, PROT_READ | PROT_WRITE);
    char *b = map_private(path, size, PROT_READ);
    char first = a[0];                        /* a read first: the page is mapped before the write */
    a[0] = (char)~first;
    a[2 * page + 1] = 'x';
    printf("2. own write seen: %s, other mapping unchanged: %s\n", yes(a[0] == (char)~first && a[2 * page + 1] == 'x'),
           yes(!memcmp(b, bytes, size)));
    size_t again;
    char *reread = slurp(path, &again);
    printf("   file unchanged: %s\n", yes(again == size && !memcmp(reread, bytes, size)));
    char *c = map_private(path, size, PROT_READ | PROT_WRITE);
    (void)c[page];
    pid_t pid = fork();
    if (pid == 0) {
        c[page] ^= 0x55;                      /* breaks the sharing with the parent and the cache */
        char *d = map_private(path, size, PROT_READ);
        _exit(c[page] == (char)(bytes[page] ^ 0x55) && !memcmp(d, bytes, size) ? 0 : 1);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("   child's write private: %s, parent unchanged: %s\n", yes(WIFEXITED(status) && !WEXITSTATUS(status)),
           yes(!memcmp(c, bytes, size)));
    c[page + 3] = 'y';                        /* the parent's own copy now */
    printf("   parent's write private: %s\n", yes(c[page + 3] == 'y' && !memcmp(b, bytes, size)));
    munmap(a, size);
    munmap(b, size);
    munmap(c, size);
    free(bytes);
    free(reread);
}

static sigjmp_buf bus;
static void on_bus(int sig) { siglongjmp(bus, sig); }

static const char *signal_at(volatile const char *p)
{
    int sig = sigsetjmp(bus, 1);
    if (!sig)
        (void)*p;
    return sig == SIGBUS ? "SIGBUS" : sig ? "another signal" : "none";
}

static void file_changes_are_seen(const char *path)
{
    size_t size;
    char *bytes = slurp(path, &size);
    /* Mapped and read before the file's first change: the pages are the cache's then. */
    char *early = map_private(path, size, PROT_READ), *early_w = map_private(path, size, PROT_READ | PROT_WRITE);
    int ok = early[page + 10] == bytes[page + 10] && early_w[page + 10] == bytes[page + 10];
    early_w[0] = 'W';
    int fd = open(path, O_RDWR);
    if (pwrite(fd, "changed", 7, page + 10) != 7)
        perror("pwrite");
    memcpy(bytes + page + 10, "changed", 7);
    printf("3. mappings made before the change see it: %s, a page written before it stays its own: %s\n",
           yes(ok && !memcmp(early + page + 10, "changed", 7) && !memcmp(early_w + page + 10, "changed", 7)),
           yes(early_w[0] == 'W' && early[0] == bytes[0]));
    size_t after;
    char *reread = slurp(path, &after);
    char *m = map_private(path, size, PROT_READ);
    printf("   change read back: %s, mapped after it: %s\n", yes(after == size && !memcmp(reread, bytes, size)),
           yes(!memcmp(m, bytes, size)));
    char *s = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    s[5] = 'S';
    char c;
    printf("   shared write read back: %s, and in the earlier private mapping: %s\n",
           yes(pread(fd, &c, 1, 5) == 1 && c == 'S'), yes(early[5] == 'S' && early_w[5] == bytes[5]));
    /* Truncated to one page: every mapping loses the pages past it, its own copies too. */
    early_w[2 * page] = 'X';
    signal(SIGBUS, on_bus);
    ftruncate(fd, page);
    printf("   truncated to a page: page 3 of a private mapping %s, its own copy of page 3 %s, of page 1 %s\n",
           signal_at(early + 2 * page), signal_at(early_w + 2 * page), signal_at(early_w));
    munmap(s, size);
    munmap(m, size);
    munmap(early, size);
    munmap(early_w, size);
    close(fd);
    free(bytes);
    free(reread);
}

/* BIG read whole fills the cache; then more anonymous memory than is left beside it. */
static void memory_comes_back(const char *path, size_t anon_mib)
{
    size_t size;
    char *bytes = slurp(path, &size);
    uint64_t h = sum(bytes, size);
    free(bytes);
    size_t n = anon_mib << 20;
    char *anon = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (size_t i = 0; i < n; i += page)
        anon[i] = 1;
    munmap(anon, n);
    bytes = slurp(path, &size);
    printf("4. %zu MiB after reading %zu MiB: yes, read again the same: %s\n", anon_mib, size >> 20,
           yes(sum(bytes, size) == h));
    free(bytes);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: page_cache DATA BIG ANON_MIB\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    page = sysconf(_SC_PAGESIZE);
    reads_and_mappings_agree(argv[1]);
    private_writes_stay_private(argv[1]);
    file_changes_are_seen(argv[1]);
    memory_comes_back(argv[2], strtoul(argv[3], NULL, 10));
    return 0;
}
