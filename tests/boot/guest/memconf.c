/* Memory-mapping conformance sweep: `memconf DIR` (an empty directory: /tmp in the unikernel, a
 * fresh tmpfs directory for the oracle: this program under qemu-aarch64-static on the host's
 * kernel) prints, section by section, what mmap, munmap, mprotect, mremap, madvise, msync,
 * mincore, mlock, brk and /proc/self/maps answered. Nothing that depends on where a kernel
 * places things is printed: addresses only relative to a mapping the probe made itself, sizes
 * in pages (the page size is asked, never assumed), a signal as its number and si_code. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe_print.h"

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#endif

static long pg;   /* the page size, as the kernel says it */

/* An mmap's answer without its address: "map" or "-1 ENAME". */
static char *m(const char *what, void *p)
{
    if (p == MAP_FAILED)
        say("   %s = -1 %s\n", what, strerrorname_np(errno));
    else
        say("   %s = map\n", what);
    return p == MAP_FAILED ? NULL : p;
}

static char *anon(size_t pages, int prot)
{
    char *p = mmap(NULL, pages * pg, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Touching memory: what signal (and si_code) an access raised, or "ok". */
static sigjmp_buf jump;
static volatile int caught_sig, caught_code;
static volatile uintptr_t caught_addr;

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    caught_sig = sig;
    caught_code = si->si_code;
    caught_addr = (uintptr_t)si->si_addr;
    siglongjmp(jump, 1);
}

static const char *code_name(int sig, int code)
{
    if (sig == SIGSEGV)
        return code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
    if (sig == SIGBUS)
        return code == BUS_ADRERR ? "BUS_ADRERR" : code == BUS_OBJERR ? "BUS_OBJERR" : "other";
    return "other";
}

/* Read (write == 0) or write a byte at p: prints "ok [value]" or the signal. */
static void touch(const char *what, volatile char *p, int write)
{
    caught_sig = 0;
    if (sigsetjmp(jump, 1) == 0) {
        int v = 0;
        if (write)
            *p = 'w';
        else
            v = *p;
        say("   %s: ok %d\n", what, v);
    } else {
        say("   %s: %s %s%s\n", what, strsignal(caught_sig), code_name(caught_sig, caught_code),
            caught_addr == (uintptr_t)p ? "" : " (elsewhere)");
    }
}

static void exec_at(const char *what, void *p)
{
    caught_sig = 0;
    if (sigsetjmp(jump, 1) == 0) {
        int v = ((int (*)(void))p)();
        say("   %s: ok %d\n", what, v);
    } else {
        say("   %s: %s %s\n", what, strsignal(caught_sig), code_name(caught_sig, caught_code));
    }
}

static int file_of(const char *name, size_t bytes, char fill)
{
    int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
    char buf[4096];
    memset(buf, fill, sizeof buf);
    for (size_t done = 0; done < bytes;) {
        size_t n = bytes - done < sizeof buf ? bytes - done : sizeof buf;
        if (write(fd, buf, n) != (ssize_t)n)
            say("   write %s: %s\n", name, strerrorname_np(errno));
        done += n;
    }
    return fd;
}

/* /proc/self/maps lines that overlap [base, base+len), addresses in pages from base. */
static void maps_of(const char *what, const void *base, size_t len)
{
    say("   maps %s:\n", what);
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    uintptr_t b = (uintptr_t)base;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi, off;
        char perms[8], name[400] = "";
        if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %399[^\n]", &lo, &hi, perms, &off, name) < 4)
            continue;
        if (hi <= b || lo >= b + len)
            continue;
        /* clipped to the range asked: whether a kernel merged a neighbour outside it depends on
         * where it put the neighbour */
        if (lo < b) {
            if (name[0] && name[0] != '[')
                off += b - lo;
            lo = b;
        }
        if (hi > b + len)
            hi = b + len;
        char *slash = strrchr(name, '/');
        say("    %+ld..%+ld %s off %ld %.60s\n", ((long)lo - (long)b) / pg, ((long)hi - (long)b) / pg, perms,
            (long)off / pg, slash ? slash + 1 : name);
    }
    if (f)
        fclose(f);
}

/* Named lines of /proc/self/maps ([heap], [stack], [vdso]...): each name once, with its perms. */
static void maps_names(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512], seen[1024] = "";
    while (f && fgets(line, sizeof line, f)) {
        char perms[8], name[400] = "";
        if (sscanf(line, "%*x-%*x %7s %*s %*s %*s %399[^\n]", perms, name) < 2 || name[0] != '[')
            continue;
        if (!strncmp(name, "[vvar", 5) || !strcmp(name, "[vsyscall]"))
            continue;   /* the vDSO's data pages and x86's legacy page: arch- and version-specific */
        if (strstr(seen, name))
            continue;
        strncat(seen, name, sizeof seen - strlen(seen) - 1);
        say("   %s %s\n", name, perms);
    }
    if (f)
        fclose(f);
}

static void section_mmap_errors(void)
{
    say("1. mmap errors\n");
    int fd = file_of("f", 2 * pg, 'f');
    int ro = open("f", O_RDONLY), wo = open("f", O_WRONLY);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    int pipes[2];
    pipe(pipes);
    m("len 0", mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    m("unaligned offset", mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 1));
    m("offset of half a page", mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, pg / 2));
    char *p = m("MAP_SHARED|MAP_PRIVATE (MAP_SHARED_VALIDATE)", mmap(NULL, pg, PROT_READ, MAP_SHARED | MAP_PRIVATE, fd, 0));
    if (p)
        say("   it reads %c\n", p[0]);
    m("neither MAP_SHARED nor MAP_PRIVATE", mmap(NULL, pg, PROT_READ, MAP_ANONYMOUS, -1, 0));
    m("type 0 on a file", mmap(NULL, pg, PROT_READ, 0, fd, 0));
    m("bad fd", mmap(NULL, pg, PROT_READ, MAP_PRIVATE, 999, 0));
    m("fd -1 without MAP_ANONYMOUS", mmap(NULL, pg, PROT_READ, MAP_PRIVATE, -1, 0));
    m("O_RDONLY fd, MAP_SHARED PROT_WRITE", mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
    m("O_RDONLY fd, MAP_SHARED PROT_READ", mmap(NULL, pg, PROT_READ, MAP_SHARED, ro, 0));
    m("O_RDONLY fd, MAP_PRIVATE PROT_WRITE", mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0));
    m("O_WRONLY fd, MAP_SHARED PROT_WRITE", mmap(NULL, pg, PROT_WRITE, MAP_SHARED, wo, 0));
    m("O_WRONLY fd, MAP_PRIVATE PROT_READ", mmap(NULL, pg, PROT_READ, MAP_PRIVATE, wo, 0));
    m("a directory", mmap(NULL, pg, PROT_READ, MAP_PRIVATE, dir, 0));
    m("a pipe", mmap(NULL, pg, PROT_READ, MAP_PRIVATE, pipes[0], 0));
    m("a pipe's write end, MAP_SHARED", mmap(NULL, pg, PROT_WRITE, MAP_SHARED, pipes[1], 0));
    char *base = anon(4, PROT_READ);
    m("MAP_FIXED unaligned", mmap(base + 1, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    m("MAP_FIXED_NOREPLACE over a mapping",
      mmap(base + pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
    m("MAP_FIXED_NOREPLACE unaligned",
      mmap(base + 1, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
    munmap(base + 2 * pg, 2 * pg);
    p = mmap(base + 2 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    m("MAP_FIXED_NOREPLACE in a hole", p);
    say("   at the address asked: %d\n", p == base + 2 * pg);
    m("MAP_FIXED_NOREPLACE straddling a mapping's end",
      mmap(base + 2 * pg, 2 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
    munmap(base, 4 * pg);
    m("huge length", mmap(NULL, (size_t)1 << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    m("length -1", mmap(NULL, (size_t)-1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    m("length past the page rounding", mmap(NULL, (size_t)-pg + 1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    m("bad prot bits", mmap(NULL, pg, 0x100, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    m("file offset past 2^63", mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, (off_t)0x7ffffffffffff000LL));
    m("file offset past EOF", mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 16 * pg));
    m("MAP_SHARED_VALIDATE with an unknown flag",
      mmap(NULL, pg, PROT_READ, MAP_SHARED_VALIDATE | 0x800000, fd, 0));
    m("MAP_SHARED with an unknown flag", mmap(NULL, pg, PROT_READ, MAP_SHARED | 0x800000, fd, 0));
    close(fd);
    close(ro);
    close(wo);
    close(dir);
    close(pipes[0]);
    close(pipes[1]);
}

static void section_mmap_flags(void)
{
    say("2. mmap flags\n");
    char *base = anon(16, PROT_READ);
    munmap(base, 16 * pg);
    char *p = mmap(base + 4 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("   a free hint is honoured: %d\n", p == base + 4 * pg);
    char *q = mmap(base + 4 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("   a taken hint is not: %d, nor replaced: %d\n", q != MAP_FAILED && q != p, p[0] == 0);
    munmap(q, pg);
    q = mmap(base + 4 * pg + 1, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("   an unaligned hint works: %d\n", q != MAP_FAILED);
    munmap(q, pg);
    munmap(p, pg);
    p = m("MAP_POPULATE", mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0));
    unsigned char vec[16];
    if (p && mincore(p, 4 * pg, vec) == 0)
        say("   resident after MAP_POPULATE: %d %d %d %d\n", vec[0] & 1, vec[1] & 1, vec[2] & 1, vec[3] & 1);
    munmap(p, 4 * pg);
    p = m("MAP_NORESERVE", mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
    if (p) {
        p[pg] = 7;
        say("   writable: %d\n", p[pg]);
    }
    munmap(p, 4 * pg);
    p = m("MAP_ANONYMOUS with fd 5 and an offset",
          mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, 5, 3 * pg));
    if (p)
        say("   zero: %d\n", p[0] == 0);
    munmap(p, pg);
    p = m("MAP_ANONYMOUS with fd -1 and an unaligned offset",
          mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 5));
    munmap(p, pg);
    p = m("MAP_SHARED|MAP_ANONYMOUS with an offset",
          mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 3 * pg));
    if (p)
        maps_of("MAP_SHARED|MAP_ANONYMOUS", p, pg);
    munmap(p, pg);
    p = m("MAP_STACK", mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0));
    if (p) {
        p[0] = 1;
        maps_of("MAP_STACK", p, 4 * pg);
    }
    munmap(p, 4 * pg);
    /* MAP_GROWSDOWN in a hole of its own (a guard page far below): the page under it grows it. */
    char *hole = anon(64, PROT_NONE);
    munmap(hole + pg, 63 * pg);
    p = mmap(hole + 60 * pg, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, -1, 0);
    m("MAP_GROWSDOWN", p);
    if (p) {
        touch("its lowest page", p, 1);
        maps_of("MAP_GROWSDOWN", hole + pg, 63 * pg);
    }
    munmap(hole, 64 * pg);
    p = m("MAP_GROWSDOWN on a file", mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, file_of("g", pg, 'g'), 0));
    munmap(p, pg);
    m("MAP_HUGETLB anonymous", mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0));
    m("MAP_HUGETLB anonymous shared",
      mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0));
    int fd = file_of("h", pg, 'h');
    m("MAP_HUGETLB on a file", mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, fd, 0));
    p = m("MAP_SYNC with MAP_SHARED (ignored)", mmap(NULL, pg, PROT_READ, MAP_SHARED | MAP_SYNC, fd, 0));
    munmap(p, pg);
    m("MAP_SYNC with MAP_SHARED_VALIDATE", mmap(NULL, pg, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0));
    p = m("MAP_SHARED_VALIDATE", mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE, fd, 0));
    if (p) {
        p[0] = 'V';
        char c = 0;
        pread(fd, &c, 1, 0);
        say("   a write through it reaches the file: %c\n", c);
    }
    munmap(p, pg);
    m("MAP_SHARED_VALIDATE|MAP_ANONYMOUS", mmap(NULL, pg, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0));
    m("MAP_PRIVATE|MAP_SYNC", mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_SYNC, fd, 0));
    close(fd);
}

static void section_file_mappings(void)
{
    say("3. file mappings\n");
    int fd = file_of("e", pg + 100, 'e');
    char *p = m("3 pages of a file of 1 page + 100 bytes", mmap(NULL, 3 * pg, PROT_READ, MAP_PRIVATE, fd, 0));
    if (p) {
        touch("byte 99 of page 2", p + pg + 99, 0);
        touch("byte 100 of page 2 (past EOF)", p + pg + 100, 0);
        touch("last byte of page 2", p + 2 * pg - 1, 0);
        touch("page 3", p + 2 * pg, 0);
        maps_of("beyond EOF", p, 3 * pg);
    }
    munmap(p, 3 * pg);
    p = m("MAP_SHARED beyond EOF", mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    if (p) {
        touch("write in the tail of page 2", p + pg + 200, 1);
        say("   file size after: %lld\n", (long long)lseek(fd, 0, SEEK_END));
        touch("write in page 3", p + 2 * pg, 1);
        ftruncate(fd, 3 * pg);
        touch("page 3 after ftruncate grew the file", p + 2 * pg, 0);
        char c = 0;
        pread(fd, &c, 1, pg + 200);
        say("   the tail write is in the file now: %c\n", c ? c : '0');
        ftruncate(fd, pg / 2);
        touch("page 1 past the new EOF", p + pg / 2 + 10, 0);
        ftruncate(fd, 2 * pg);
        touch("page 1's tail after growing again", p + pg / 2 + 10, 0);
    }
    munmap(p, 3 * pg);
    close(fd);

    fd = file_of("x", pg, 0);
#ifdef __aarch64__
    unsigned int ret42[] = {0x52800540, 0xd65f03c0};   /* mov w0, #42; ret */
#else   /* the host's own compiler, to look at what its kernel answers natively */
    unsigned char ret42[] = {0xb8, 42, 0, 0, 0, 0xc3};
#endif
    pwrite(fd, ret42, sizeof ret42, 0);
    p = m("PROT_EXEC of a file", mmap(NULL, pg, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0));
    if (p)
        exec_at("call into it", p);
    munmap(p, pg);
    close(fd);
}

static void section_fork(void)
{
    say("4. across fork\n");
    char *shared = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char *priv = anon(2, PROT_READ | PROT_WRITE);
    int fd = file_of("k", pg, 'k');
    char *fshared = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *fpriv = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    shared[0] = 'a';
    priv[0] = 'a';
    fpriv[0] = 'a';
    int go[2], back[2];
    pipe(go);
    pipe(back);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        alarm(10);
        shared[0] = 'c';
        shared[pg] = 'c';   /* a page the parent never touched */
        priv[0] = 'c';
        priv[pg] = 'c';
        fshared[0] = 'c';
        fpriv[0] = 'c';
        write(back[1], "x", 1);
        read(go[0], &c, 1);
        char out[8] = {shared[0], shared[pg], priv[0], priv[pg], fshared[0], fpriv[0], 0};
        write(back[1], out, 6);
        _exit(0);
    }
    char c, out[8] = "";
    read(back[0], &c, 1);
    say("   parent sees the child's stores: shared %c %c, private %c %c, file shared %c, file private %c\n",
        shared[0], shared[pg] ? shared[pg] : '0', priv[0], priv[pg] ? priv[pg] : '0', fshared[0], fpriv[0]);
    shared[0] = 'p';
    priv[0] = 'p';
    fshared[0] = 'p';
    fpriv[0] = 'p';
    write(go[1], "x", 1);
    read(back[0], out, 6);
    say("   child sees the parent's later stores: %s\n", out);
    int status;
    waitpid(pid, &status, 0);
    say("   child status %d\n", status);
    munmap(shared, 2 * pg);
    munmap(priv, 2 * pg);
    munmap(fshared, pg);
    munmap(fpriv, pg);
    close(fd);
    close(go[0]);
    close(go[1]);
    close(back[0]);
    close(back[1]);
}

static void section_munmap(void)
{
    say("5. munmap\n");
    char *p = anon(8, PROT_READ | PROT_WRITE);
    r("unaligned", munmap(p + 1, pg));
    r("len 0", munmap(p, 0));
    r("len of 1 byte", munmap(p + 7 * pg, 1));
    touch("the page it unmapped", p + 7 * pg, 0);
    r("a hole", munmap(p + 7 * pg, pg));
    r("past the user address space", munmap((void *)(1UL << 60), pg));
    r("wrapping around", munmap(p, (size_t)-pg));
    for (int i = 0; i < 7; i++)
        p[i * pg] = 'a' + i;
    r("the middle page", munmap(p + 3 * pg, pg));
    maps_of("after the middle page went", p, 8 * pg);
    touch("it", p + 3 * pg, 0);
    say("   its neighbours: %c %c\n", p[2 * pg], p[4 * pg]);
    r("across the hole", munmap(p + pg, 4 * pg));
    maps_of("after across the hole", p, 8 * pg);
    say("   what is left: %c %c %c\n", p[0], p[5 * pg], p[6 * pg]);
    r("all of it and more", munmap(p, 8 * pg));
    maps_of("after all of it", p, 8 * pg);
}

static void section_mprotect(void)
{
    say("6. mprotect\n");
    char *p = anon(4, PROT_READ | PROT_WRITE);
    p[0] = 1;
    r("unaligned", mprotect(p + 1, pg, PROT_READ));
    r("len 0", mprotect(p, 0, PROT_READ));
    r("bad prot", mprotect(p, pg, 0x100));
    r("PROT_GROWSUP", mprotect(p, pg, PROT_READ | PROT_GROWSUP));
    r("PROT_GROWSDOWN on a plain mapping", mprotect(p, pg, PROT_READ | PROT_GROWSDOWN));
    r("PROT_NONE on page 2", mprotect(p + pg, pg, PROT_NONE));
    touch("read it", p + pg, 0);
    touch("write it", p + pg, 1);
    r("PROT_READ on page 3", mprotect(p + 2 * pg, pg, PROT_READ));
    touch("read page 3", p + 2 * pg, 0);
    touch("write page 3", p + 2 * pg, 1);
    maps_of("after the protections", p, 4 * pg);
    r("back to read-write", mprotect(p, 4 * pg, PROT_READ | PROT_WRITE));
    maps_of("after back to read-write", p, 4 * pg);
    munmap(p + 3 * pg, pg);
    r("range with an unmapped end", mprotect(p, 4 * pg, PROT_READ));
    maps_of("after the failed mprotect", p, 4 * pg);
    r("an unmapped range", mprotect(p + 3 * pg, pg, PROT_READ));
    munmap(p, 3 * pg);

    int fd = file_of("r", 2 * pg, 'r');
    int ro = open("r", O_RDONLY);
    char *s = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, ro, 0);
    r("PROT_WRITE on MAP_SHARED of an O_RDONLY fd", mprotect(s, pg, PROT_READ | PROT_WRITE));
    close(ro);
    r("the same after the fd is closed", mprotect(s, pg, PROT_READ | PROT_WRITE));
    r("PROT_EXEC on it", mprotect(s, pg, PROT_READ | PROT_EXEC));
    munmap(s, 2 * pg);
    char *w = mmap(NULL, 2 * pg, PROT_READ, MAP_PRIVATE, fd, 0);
    r("PROT_WRITE on MAP_PRIVATE of a file", mprotect(w, pg, PROT_READ | PROT_WRITE));
    touch("write it", w, 1);
    char c = 0;
    pread(fd, &c, 1, 0);
    say("   the file still says %c\n", c);
    munmap(w, 2 * pg);
    close(fd);

    char *x = anon(1, PROT_READ | PROT_WRITE);
#ifdef __aarch64__
    unsigned int ret7[] = {0x528000e0, 0xd65f03c0};   /* mov w0, #7; ret */
#else
    unsigned char ret7[] = {0xb8, 7, 0, 0, 0, 0xc3};
#endif
    memcpy(x, ret7, sizeof ret7);
    __builtin___clear_cache(x, x + sizeof ret7);
    exec_at("call into a read-write page", x);
    r("PROT_READ|PROT_EXEC", mprotect(x, pg, PROT_READ | PROT_EXEC));
    exec_at("call into it after", x);
    maps_of("PROT_EXEC", x, pg);
    munmap(x, pg);

    char *g = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
    r("PROT_GROWSDOWN on a MAP_GROWSDOWN mapping's top page", mprotect(g + 3 * pg, pg, PROT_READ | PROT_GROWSDOWN));
    maps_of("after PROT_GROWSDOWN", g, 4 * pg);
    munmap(g, 4 * pg);
}

/* mremap itself, all five arguments given (glibc passes new_address only for some flags, which
 * depend on its version). */
static char *rawmremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    void *new_addr = va_arg(ap, void *);
    va_end(ap);
    return (char *)syscall(SYS_mremap, old, old_len, new_len, flags, new_addr);
}

static const char *where(char *got, char *old)
{
    return got == MAP_FAILED ? strerrorname_np(errno) : got == old ? "in place" : "moved";
}

static void mr(const char *what, char *got)
{
    if (got == MAP_FAILED)
        say("   %s = -1 %s\n", what, strerrorname_np(errno));
    else
        say("   %s = an address\n", what);
}

static void section_mremap(void)
{
    say("7. mremap\n");
    char *base = anon(16, PROT_READ | PROT_WRITE);
    munmap(base + 4 * pg, 12 * pg);   /* 4 pages with room above */
    for (int i = 0; i < 4; i++)
        base[i * pg] = 'a' + i;
    char *p = rawmremap(base, 4 * pg, 2 * pg, 0, NULL);
    say("   shrink: in place %d\n", p == base);
    touch("the page it let go", base + 2 * pg, 0);
    p = rawmremap(base, 2 * pg, 6 * pg, 0, NULL);
    say("   grow in place: %s\n", p == MAP_FAILED ? strerrorname_np(errno) : p == base ? "in place" : "moved");
    maps_of("after growing", base, 8 * pg);
    say("   contents: %c %c, new page %d\n", base[0], base[pg], base[5 * pg]);
    p = rawmremap(base, 6 * pg, 6 * pg, 0, NULL);
    say("   same size: %d\n", p == base);
    char *block = mmap(base + 6 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    say("   blocker placed: %d\n", block == base + 6 * pg);
    p = rawmremap(base, 6 * pg, 8 * pg, 0, NULL);
    say("   grow without room, no MAYMOVE: %s\n", p == MAP_FAILED ? strerrorname_np(errno) : "succeeded");
    p = rawmremap(base, 6 * pg, 8 * pg, MREMAP_MAYMOVE, NULL);
    if (p == MAP_FAILED) {
        say("   MAYMOVE: -1 %s\n", strerrorname_np(errno));
        return;
    }
    say("   MAYMOVE: moved %d, contents %c %c\n", p != base, p[0], p[pg]);
    touch("the old address", base, 0);
    maps_of("the new place", p, 8 * pg);
    char *target = anon(8, PROT_READ);
    char *f = rawmremap(p, 8 * pg, 4 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, target + 2 * pg);
    if (f == MAP_FAILED) {
        say("   MREMAP_FIXED: -1 %s\n", strerrorname_np(errno));
        return;
    }
    say("   MREMAP_FIXED: at the address %d, contents %c %c\n", f == target + 2 * pg, f[0], f[pg]);
    maps_of("around MREMAP_FIXED", target, 8 * pg);
    mr("MREMAP_DONTUNMAP, an unaligned new_address", rawmremap(f, 2 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, target + 1));
    mr("MREMAP_DONTUNMAP, new_address overlapping", rawmremap(f, 2 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, f + pg));
    char *d = rawmremap(f, 2 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
    if (d == MAP_FAILED)
        say("   MREMAP_DONTUNMAP: -1 %s\n", strerrorname_np(errno));
    else {
        say("   MREMAP_DONTUNMAP: moved %d, contents %c %c\n", d != f, d[0], d[pg]);
        touch("the old range", f, 0);
        maps_of("the old range", f, 2 * pg);
        munmap(d, 2 * pg);
    }
    munmap(target, 8 * pg);
    munmap(block, pg);

    p = anon(2, PROT_READ | PROT_WRITE);
    errno = 0;
    mr("bad flags", rawmremap(p, pg, pg, 8, NULL));
    mr("MREMAP_FIXED without MAYMOVE", rawmremap(p, pg, pg, MREMAP_FIXED, p + 8 * pg, NULL));
    mr("DONTUNMAP with a size change", rawmremap(p, pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL));
    mr("DONTUNMAP without MAYMOVE", rawmremap(p, pg, pg, MREMAP_DONTUNMAP, NULL));
    mr("unaligned old", rawmremap(p + 1, pg, pg, 0, NULL));
    mr("new_len 0", rawmremap(p, pg, 0, 0, NULL));
    mr("MREMAP_FIXED unaligned new", rawmremap(p, pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED, p + 9, NULL));
    mr("MREMAP_FIXED overlapping", rawmremap(p, 2 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, p + pg, NULL));
    mr("old_len 0 of a private mapping", rawmremap(p, 0, pg, MREMAP_MAYMOVE, NULL));
    munmap(p, 2 * pg);
    mr("an unmapped old range", rawmremap(p, pg, pg, 0, NULL));
    mr("an unmapped old range, grow", rawmremap(p, pg, 2 * pg, MREMAP_MAYMOVE, NULL));
    p = anon(2, PROT_READ | PROT_WRITE);
    munmap(p + pg, pg);
    say("   old range past its mapping: %s\n", where(rawmremap(p, 2 * pg, 2 * pg, 0, NULL), p));
    mr("old range past its mapping, grow", rawmremap(p, 2 * pg, 3 * pg, MREMAP_MAYMOVE, NULL));
    munmap(p, pg);

    char *s, *twin;
    int fd = file_of("m", 2 * pg, 'm');
    s = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    twin = rawmremap(s, 0, 2 * pg, MREMAP_MAYMOVE, NULL);
    if (twin == MAP_FAILED)
        say("   old_len 0 of a shared file mapping: -1 %s\n", strerrorname_np(errno));
    else {
        twin[0] = 'T';
        say("   old_len 0 of a shared file mapping: a twin %d, the original sees %c\n", twin != s, s[0]);
        munmap(twin, 2 * pg);
    }
    mr("old_len 0 without MAYMOVE", rawmremap(s, 0, 2 * pg, 0, NULL));
    munmap(s, 2 * pg);
    s = mmap(NULL, 4 * pg, PROT_READ, MAP_PRIVATE, fd, 0);
    p = rawmremap(s, 4 * pg, 8 * pg, MREMAP_MAYMOVE, NULL);
    if (p != MAP_FAILED) {
        maps_of("a file mapping moved", p, 8 * pg);
        touch("moved and grown, page 2", p + pg, 0);
        touch("moved and grown, page 6 (past the file)", p + 5 * pg, 0);
        munmap(p, 8 * pg);
    }
    s = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
    p = rawmremap(s, pg, 2 * pg, MREMAP_MAYMOVE, NULL);
    if (p != MAP_FAILED) {
        touch("a shared page grown by one, the new page", p + pg, 0);
        munmap(p, 2 * pg);
    }
    close(fd);
}

static void section_madvise(void)
{
    say("8. madvise\n");
    char *p = anon(4, PROT_READ | PROT_WRITE);
    memset(p, 'z', 4 * pg);
    r("MADV_DONTNEED", madvise(p, 2 * pg, MADV_DONTNEED));
    say("   private anonymous after: %d %d, untouched %c\n", p[0], p[pg], p[2 * pg]);
    memset(p, 'y', 4 * pg);
    r("MADV_FREE", madvise(p, pg, MADV_FREE));
    say("   after MADV_FREE: %s\n", p[0] == 'y' || p[0] == 0 ? "y or 0" : "other");
    p[0] = 'q';
    say("   a store after MADV_FREE stays: %c\n", p[0]);
    r("MADV_WILLNEED", madvise(p, 4 * pg, MADV_WILLNEED));
    r("MADV_NORMAL", madvise(p, 4 * pg, MADV_NORMAL));
    r("MADV_RANDOM", madvise(p, 4 * pg, MADV_RANDOM));
    r("MADV_SEQUENTIAL", madvise(p, 4 * pg, MADV_SEQUENTIAL));
    r("MADV_DONTFORK", madvise(p, 4 * pg, MADV_DONTFORK));
    r("MADV_DOFORK", madvise(p, 4 * pg, MADV_DOFORK));
    r("MADV_DONTDUMP", madvise(p, 4 * pg, MADV_DONTDUMP));
    r("MADV_DODUMP", madvise(p, 4 * pg, MADV_DODUMP));
    r("MADV_REMOVE on private anonymous", madvise(p, pg, MADV_REMOVE));
    r("bad advice 999", madvise(p, pg, 999));
    r("bad advice -1", madvise(p, pg, -1));
    r("unaligned", madvise(p + 1, pg, MADV_DONTNEED));
    r("len 0", madvise(p, 0, MADV_DONTNEED));
    r("len 0 unaligned", madvise(p + 1, 0, MADV_DONTNEED));
    r("len 0, bad advice", madvise(p, 0, 999));
    munmap(p + 3 * pg, pg);
    r("MADV_DONTNEED over a hole", madvise(p, 4 * pg, MADV_DONTNEED));
    r("MADV_WILLNEED over a hole", madvise(p, 4 * pg, MADV_WILLNEED));
    r("MADV_NORMAL over a hole", madvise(p, 4 * pg, MADV_NORMAL));
    r("MADV_DONTNEED unmapped", madvise(p + 3 * pg, pg, MADV_DONTNEED));
    r("bad advice unmapped", madvise(p + 3 * pg, pg, 999));
    munmap(p, 3 * pg);

    int fd = file_of("d", 2 * pg, 'd');
    p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    p[0] = 'P';
    p[pg] = 'P';
    pwrite(fd, "N", 1, pg);
    r("MADV_DONTNEED on a private file mapping", madvise(p, 2 * pg, MADV_DONTNEED));
    say("   it re-reads the file: %c %c\n", p[0], p[pg]);
    r("MADV_REMOVE on a private file mapping", madvise(p, pg, MADV_REMOVE));
    munmap(p, 2 * pg);
    p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    p[0] = 'S';
    r("MADV_DONTNEED on a shared file mapping", madvise(p, 2 * pg, MADV_DONTNEED));
    say("   it keeps the store: %c\n", p[0]);
    r("MADV_REMOVE on a shared file mapping", madvise(p, pg, MADV_REMOVE));
    char c = 'x';
    pread(fd, &c, 1, 0);
    say("   the page reads 0 after: %d %d, size %lld\n", p[0], c, (long long)lseek(fd, 0, SEEK_END));
    char *q = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, fd, 0);
    r("MADV_REMOVE on a read-only shared mapping", madvise(q, pg, MADV_REMOVE));
    munmap(q, 2 * pg);
    munmap(p, 2 * pg);
    close(fd);
    p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    p[0] = 'a';
    p[pg] = 'b';
    r("MADV_REMOVE on shared anonymous", madvise(p, pg, MADV_REMOVE));
    say("   after: %d %c\n", p[0], p[pg]);
    r("MADV_DONTNEED on shared anonymous", madvise(p, 2 * pg, MADV_DONTNEED));
    say("   keeps: %d %c\n", p[0], p[pg]);
    munmap(p, 2 * pg);
}

static void section_msync_mincore_mlock(void)
{
    say("9. msync, mincore, mlock\n");
    char *p = anon(4, PROT_READ | PROT_WRITE);
    r("msync MS_ASYNC", msync(p, 4 * pg, MS_ASYNC));
    r("msync MS_SYNC", msync(p, 4 * pg, MS_SYNC));
    r("msync MS_INVALIDATE", msync(p, 4 * pg, MS_INVALIDATE));
    r("msync 0", msync(p, 4 * pg, 0));
    r("msync MS_ASYNC|MS_SYNC", msync(p, 4 * pg, MS_ASYNC | MS_SYNC));
    r("msync bad flag", msync(p, 4 * pg, 8));
    r("msync unaligned", msync(p + 1, pg, MS_SYNC));
    r("msync len 0", msync(p, 0, MS_SYNC));
    r("msync len 1", msync(p, 1, MS_SYNC));
    unsigned char vec[8] = {9, 9, 9, 9, 9, 9, 9, 9};
    p[pg] = 1;
    p[3 * pg] = 1;
    r("mincore", mincore(p, 4 * pg, vec));
    say("   vector: %d %d %d %d\n", vec[0], vec[1], vec[2], vec[3]);
    r("mincore unaligned", mincore(p + 1, pg, vec));
    r("mincore len 0", mincore(p, 0, vec));
    r("mincore bad vector", mincore(p, pg, (unsigned char *)8));
    munmap(p + 2 * pg, pg);
    r("msync over a hole", msync(p, 4 * pg, MS_SYNC));
    r("msync MS_ASYNC over a hole", msync(p, 4 * pg, MS_ASYNC));
    r("msync unmapped", msync(p + 2 * pg, pg, MS_SYNC));
    r("mincore over a hole", mincore(p, 4 * pg, vec));
    r("mlock", mlock(p, pg));
    r("mlock unaligned", mlock(p + 1, pg));
    r("mlock len 0", mlock(p, 0));
    r("mlock over a hole", mlock(p, 4 * pg));
    r("munlock", munlock(p, pg));
    r("munlock over a hole", munlock(p, 4 * pg));
    r("mlock2 MLOCK_ONFAULT", syscall(SYS_mlock2, p, pg, 1));
    r("mlock2 bad flag", syscall(SYS_mlock2, p, pg, 2));
    r("mlockall 0", mlockall(0));
    r("mlockall bad", mlockall(8));
    r("munlockall", munlockall());
    munmap(p, 4 * pg);
    int fd = file_of("c", 2 * pg, 'c');
    char *f = mmap(NULL, 4 * pg, PROT_READ, MAP_SHARED, fd, 0);
    r("msync MS_SYNC of a shared file mapping", msync(f, 4 * pg, MS_SYNC));
    r("msync MS_INVALIDATE of a shared file mapping", msync(f, 2 * pg, MS_INVALIDATE));
    munmap(f, 4 * pg);
    close(fd);
}

static void section_brk(void)
{
    say("10. brk\n");
    char *cur = (char *)syscall(SYS_brk, 0);
    say("   brk(0) is nonzero: %d\n", cur != NULL);
    char *again = (char *)syscall(SYS_brk, 0);
    say("   brk(0) again is the same: %d\n", again == cur);
    char *grown = (char *)syscall(SYS_brk, cur + 3 * pg + 10);
    say("   grow by 3 pages + 10: %d\n", grown == cur + 3 * pg + 10);
    touch("the last byte asked for", grown - 1, 1);
    say("   brk(0) after: %d\n", (char *)syscall(SYS_brk, 0) == grown);
    maps_of("the heap", cur, 4 * pg);
    char *shrunk = (char *)syscall(SYS_brk, cur + pg);
    say("   shrink to 1 page: %d\n", shrunk == cur + pg);
    char *old = (char *)syscall(SYS_brk, 1);
    say("   brk(1) fails, returns the old break: %d\n", old == shrunk);
    old = (char *)syscall(SYS_brk, (1UL << 60));
    say("   brk(2^60) fails, returns the old break: %d\n", old == shrunk);
    char *blocker = mmap(cur + 16 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (blocker != MAP_FAILED) {
        old = (char *)syscall(SYS_brk, cur + 32 * pg);
        say("   brk over a mapping fails, returns the old break: %d\n", old == shrunk);
        munmap(blocker, pg);
    }
    syscall(SYS_brk, cur);
    say("   back to the start: %d\n", (char *)syscall(SYS_brk, 0) == cur);
}

static void section_maps(void)
{
    say("11. /proc/self/maps\n");
    int fd = file_of("mapped-file", 4 * pg, 'm');
    char *p = mmap(NULL, 4 * pg, PROT_READ, MAP_PRIVATE, fd, 0);
    maps_of("a private file mapping", p, 4 * pg);
    munmap(p, 4 * pg);
    p = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg);
    maps_of("a shared file mapping at page 1", p, 3 * pg);
    mprotect(p + pg, pg, PROT_READ);
    maps_of("its middle page made read-only", p, 3 * pg);
    munmap(p, 3 * pg);
    p = mmap(NULL, 3 * pg, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
    maps_of("r-x of a file", p, 3 * pg);
    munmap(p, 3 * pg);
    close(fd);
    p = anon(6, PROT_READ | PROT_WRITE);
    mprotect(p + 2 * pg, 2 * pg, PROT_NONE);
    maps_of("anonymous with a PROT_NONE middle", p, 6 * pg);
    mprotect(p + 2 * pg, 2 * pg, PROT_READ | PROT_WRITE);
    maps_of("the middle back (merged)", p, 6 * pg);
    munmap(p, 6 * pg);
    char *a = anon(8, PROT_READ);
    munmap(a, 8 * pg);
    mmap(a, 2 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    mmap(a + 2 * pg, 2 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    mmap(a + 4 * pg, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    maps_of("adjacent anonymous mappings", a, 8 * pg);
    munmap(a, 8 * pg);
    int stack_var = 0;
    maps_of("the stack", (void *)((uintptr_t)&stack_var & ~(uintptr_t)(pg - 1)), pg);
}

static void section_address_space(void)
{
    say("12. the 48-bit address space\n");
    void *hint = (void *)((1UL << 47) - 16 * pg);
    char *p = mmap(hint, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("   a hint 16 pages under 2^47: %s\n", p == MAP_FAILED ? strerrorname_np(errno) : p == hint ? "there" : "elsewhere");
    if (p != MAP_FAILED) {
        p[0] = 1;
        munmap(p, pg);
    }
    p = mmap(hint, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    say("   MAP_FIXED 16 pages under 2^47: %s\n", p == MAP_FAILED ? strerrorname_np(errno) : p == hint ? "there" : "elsewhere");
    if (p != MAP_FAILED)
        munmap(p, pg);
    p = mmap((void *)(1UL << 48), pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("   a hint at 2^48: %s\n", p == MAP_FAILED ? strerrorname_np(errno) :
        (uintptr_t)p < (1UL << 48) ? "below 2^48" : "at or above 2^48");
    if (p != MAP_FAILED)
        munmap(p, pg);
    m("MAP_FIXED at 2^48", mmap((void *)(1UL << 48), pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    m("MAP_FIXED at 2^56", mmap((void *)(1UL << 56), pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    m("MAP_FIXED straddling 2^48",
      mmap((void *)((1UL << 48) - pg), 2 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    m("MAP_FIXED_NOREPLACE at 2^48",
      mmap((void *)(1UL << 48), pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
    r("munmap at 2^48", munmap((void *)(1UL << 48), pg));
    r("mprotect at 2^48", mprotect((void *)(1UL << 48), pg, PROT_READ));
    r("madvise at 2^48", madvise((void *)(1UL << 48), pg, MADV_DONTNEED));
    r("msync at 2^48", msync((void *)(1UL << 48), pg, MS_SYNC));
    unsigned char v;
    r("mincore at 2^48", mincore((void *)(1UL << 48), pg, &v));
    r("mremap to 2^48", (long)mremap(anon(1, PROT_READ), pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)(1UL << 48)));
    touch("a load from 2^48", (char *)(1UL << 48), 0);
    touch("a load from page 0", (char *)16, 0);
}

/* Mappings while their file changes: truncation takes the pages past the new end out of every
 * mapping (SIGBUS, even for a private mapping's own copies); a private mapping shares the file's
 * pages until its first store to each (write() shows through the others); an unlinked file's
 * mapping is "NAME (deleted)"; the named mappings ([vdso], no [sigpage]: signal return goes
 * through the vDSO). */
static void section_file_changes(void)
{
    say("13. mappings as their file changes\n");
    int fd = file_of("t", 2 * pg, 't');
    char *p = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, fd, 0);
    say("   page 2 before: %c\n", p[pg]);
    ftruncate(fd, pg / 2);
    touch("page 2 after ftruncate shrank the file", p + pg, 0);
    munmap(p, 2 * pg);
    close(fd);
    fd = file_of("s", 2 * pg, 'a');
    p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *q = mmap(NULL, 2 * pg, PROT_READ, MAP_PRIVATE, fd, 0);
    say("   shared %c, private %c\n", p[0], q[0]);
    pwrite(fd, "B", 1, 0);
    pwrite(fd, "C", 1, pg);
    say("   after pwrite: shared %c %c, private (read before) %c, private (not read) %c\n", p[0], p[pg], q[0], q[pg]);
    lseek(fd, 1, SEEK_SET);
    write(fd, "D", 1);
    say("   after write: shared %c, private %c\n", p[1], q[1]);
    p[2] = 'E';
    char buf[4] = "";
    pread(fd, buf, 3, 0);
    say("   a store through the shared map, read(): %.3s; private sees %c\n", buf, q[2]);
    q = mmap(q, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0);
    q[0] = 'P';
    pwrite(fd, "F", 1, 0);
    pwrite(fd, "G", 1, pg + 1);
    say("   private after its own store: %c (file %c); untouched page follows the file: %c\n", q[0], p[0], q[pg + 1]);
    msync(p, 2 * pg, MS_SYNC);
    pread(fd, buf, 1, 0);
    say("   the file still says %c\n", buf[0]);
    ftruncate(fd, 0);
    touch("shared after truncate to 0", p, 0);
    touch("private's own page after truncate to 0", q, 0);
    touch("private's file page after truncate to 0", q + pg, 0);
    ftruncate(fd, 2 * pg);
    touch("shared after it grew back", p, 0);
    touch("private (was its own) after it grew back", q, 0);
    pwrite(fd, "H", 1, pg);
    touch("private's file page after a write there", q + pg, 0);
    q[pg] = 'Q';
    pwrite(fd, "I", 1, pg);
    say("   private after its store and another write: %c (file %c)\n", q[pg], p[pg]);
    munmap(p, 2 * pg);
    munmap(q, 2 * pg);
    close(fd);
    fd = file_of("short", 2 * pg, 's');
    p = mmap(NULL, 100, PROT_READ, MAP_PRIVATE, fd, 0);
    say("   a 100-byte private mapping: byte 200 is the file's %c\n", p[200]);
    pwrite(fd, "XY", 2, 50);
    pwrite(fd, "Z", 1, 300);
    say("   and follows it: %c %c %c\n", p[50], p[51], p[300]);
    munmap(p, 100);
    close(fd);

    maps_names();
    fd = file_of("unlinked-file", pg, 'u');
    p = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 0);
    unlink("unlinked-file");
    maps_of("after unlink", p, pg);
    close(fd);
    say("   closed, still mapped: %c\n", p[0]);
    munmap(p, pg);
    fd = memfd_create("memconf", 0);
    ftruncate(fd, pg);
    p = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
    maps_of("a memfd", p, pg);
    munmap(p, pg);
    close(fd);
    int shm = shmget(IPC_PRIVATE, pg, 0600);   /* private, and removed at once: nothing is left */
    p = shmat(shm, NULL, SHM_RDONLY);
    shmctl(shm, IPC_RMID, NULL);
    maps_of("a SysV segment", p, pg);
    shmdt(p);
}

/* MADV_WIPEONFORK: a fork's child gets the range empty (zeros), private anonymous memory only;
 * MADV_KEEPONFORK undoes it. The mark splits the mapping, as any VMA flag. */
static void child_sees(const char *what, const char *p)
{
    int fds[2];
    pipe(fds);
    pid_t pid = fork();
    if (pid == 0) {
        char out[3] = {p[0] ? p[0] : '0', p[pg] ? p[pg] : '0', p[2 * pg] ? p[2 * pg] : '0'};
        write(fds[1], out, 3);
        _exit(0);
    }
    char out[4] = "";
    read(fds[0], out, 3);
    waitpid(pid, NULL, 0);
    close(fds[0]);
    close(fds[1]);
    say("   the child of %s sees %s; the parent %c %c %c\n", what, out, p[0], p[pg], p[2 * pg]);
}

static void section_wipeonfork(void)
{
    say("14. MADV_WIPEONFORK\n");
    char *p = anon(3, PROT_READ | PROT_WRITE);
    memset(p, 'a', 3 * pg);
    r("MADV_WIPEONFORK on the middle page", madvise(p + pg, pg, MADV_WIPEONFORK));
    maps_of("after it", p, 3 * pg);
    child_sees("a wiped middle", p);
    r("MADV_KEEPONFORK on all three", madvise(p, 3 * pg, MADV_KEEPONFORK));
    maps_of("after MADV_KEEPONFORK", p, 3 * pg);
    child_sees("a kept middle", p);
    r("MADV_WIPEONFORK on all three", madvise(p, 3 * pg, MADV_WIPEONFORK));
    child_sees("all wiped", p);
    madvise(p, 3 * pg, MADV_KEEPONFORK);
    munmap(p + pg, pg);
    r("MADV_WIPEONFORK over a hole", madvise(p, 3 * pg, MADV_WIPEONFORK));
    maps_of("the two ends", p, 3 * pg);
    munmap(p, 3 * pg);
    char *shared = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    r("MADV_WIPEONFORK on shared anonymous", madvise(shared, pg, MADV_WIPEONFORK));
    r("MADV_KEEPONFORK on shared anonymous", madvise(shared, pg, MADV_KEEPONFORK));
    munmap(shared, pg);
    int fd = file_of("w", pg, 'w');
    char *f = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    r("MADV_WIPEONFORK on a private file mapping", madvise(f, pg, MADV_WIPEONFORK));
    r("MADV_KEEPONFORK on a private file mapping", madvise(f, pg, MADV_KEEPONFORK));
    munmap(f, pg);
    close(fd);
    /* anonymous, then a file mapping right after it: the first is changed before the EINVAL */
    char *a = anon(2, PROT_READ | PROT_WRITE);
    fd = file_of("w", pg, 'w');
    f = mmap(a + pg, pg, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
    r("MADV_WIPEONFORK over anonymous then a file", madvise(a, 2 * pg, MADV_WIPEONFORK));
    a[0] = 'x';
    pid_t pid = fork();
    if (pid == 0)
        _exit(a[0] == 0);
    int status;
    waitpid(pid, &status, 0);
    say("   the anonymous page was wiped: %d\n", WEXITSTATUS(status));
    munmap(a, 2 * pg);
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1])) {
        fprintf(stderr, "usage: memconf DIR\n");
        return 2;
    }
    pg = sysconf(_SC_PAGESIZE);
    alarm(60);
    static char altstack[65536];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    sigaltstack(&ss, NULL);
    struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER};
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    /* `memconf DIR N` runs section N alone (for looking at one) */
    void (*all[])(void) = {section_mmap_errors, section_mmap_flags, section_file_mappings, section_fork,
                           section_munmap, section_mprotect, section_mremap, section_madvise,
                           section_msync_mincore_mlock, section_brk, section_maps, section_address_space,
                           section_file_changes, section_wipeonfork};
    int only = argc > 2 ? atoi(argv[2]) : 0;
    for (int i = 0; i < (int)(sizeof all / sizeof all[0]); i++)
        if (!only || only == i + 1)
            all[i]();
    return 0;
}
