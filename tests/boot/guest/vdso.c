/* Clocks through glibc (which uses the vDSO when the kernel offers one) against the system call,
 * for every clock id Linux's arm64 vDSO answers, the CPU-time clocks that fall back to the call,
 * and ids no kernel knows. Each line is a fact that holds on Linux; the test compares our output
 * with Linux's (qemu-aarch64-static, whose Linux has no vDSO here: glibc makes the calls).
 *   vdso clocks   the per-clock facts (the oracle-compared part)
 *   vdso elf      what AT_SYSINFO_EHDR points at, read the way Go's runtime reads it
 *   vdso sigreturn  where signal handlers return: without SA_RESTORER to the vDSO's
 *                 __kernel_rt_sigreturn (Linux arm64), with it to the restorer given
 *   vdso loop N   N calls each of clock_gettime, gettimeofday, time, clock_getres (for --kopt profile)
 *   vdso time N   nanoseconds per call of each (bench/clocks.py; not a test) */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const struct { int id; const char *name; } clocks[] = {
    { CLOCK_REALTIME, "CLOCK_REALTIME" }, { CLOCK_MONOTONIC, "CLOCK_MONOTONIC" },
    { CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID" }, { CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID" },
    { CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW" }, { CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE" },
    { CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE" }, { CLOCK_BOOTTIME, "CLOCK_BOOTTIME" },
    { 100, "clock 100" }, { 12345, "clock 12345" },
};

static int64_t ns(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

static const char *outcome(int rc) { return rc == 0 ? "0" : errno == EINVAL ? "-1 EINVAL" : strerror(errno); }

static void one_clock(int id, const char *name)
{
    struct timespec a, b, c, res, sres;
    int rc = clock_gettime(id, &a);
    printf("%s: clock_gettime = %s", name, outcome(rc));
    int src = (int)syscall(SYS_clock_gettime, id, &b);
    printf(", syscall = %s", outcome(src));
    int rrc = clock_getres(id, &res);
    printf(", clock_getres = %s\n", outcome(rrc));
    if (rc || src)
        return;
    clock_gettime(id, &c);
    /* glibc's answer, the kernel's, glibc's again: never out of order, even for coarse clocks. */
    printf("  library/syscall/library in order: %s\n", ns(a) <= ns(b) && ns(b) <= ns(c) ? "yes" : "no");
    int64_t last = ns(c), backwards = 0;
    for (int i = 0; i < 20000; i++) {
        clock_gettime(id, &a);
        if (ns(a) < last)
            backwards++;
        last = ns(a);
    }
    printf("  20000 reads never go back: %s\n", backwards ? "no" : "yes");
    printf("  tv_nsec in range: %s\n", a.tv_nsec >= 0 && a.tv_nsec < 1000000000 ? "yes" : "no");
    syscall(SYS_clock_getres, id, &sres);
    printf("  clock_getres agrees with the syscall: %s\n", ns(res) == ns(sres) ? "yes" : "no");
    int coarse = id == CLOCK_REALTIME_COARSE || id == CLOCK_MONOTONIC_COARSE;
    /* A high-resolution clock says 1 ns; a coarse one a tick (Linux: 1/HZ, 1 to 10 ms). */
    printf("  resolution: %s\n", !coarse ? (ns(res) == 1 ? "1 ns" : "not 1 ns") :
           ns(res) >= 1000000 && ns(res) <= 10000000 ? "one tick" : "not a tick");
    printf("  clock_getres(NULL) = %s\n", outcome(clock_getres(id, NULL)));
}

static void wall(void)
{
    struct timespec rt;
    struct timeval tv;
    struct timezone tz = { 99, 99 };
    clock_gettime(CLOCK_REALTIME, &rt);
    int rc = gettimeofday(&tv, &tz);
    time_t t = time(NULL), t2;
    time(&t2);
    printf("gettimeofday = %d, tz = %d/%d\n", rc, tz.tz_minuteswest, tz.tz_dsttime);
    printf("  after 2024: %s\n", rt.tv_sec > 1704067200 ? "yes" : "no");
    printf("  gettimeofday within 1 s of CLOCK_REALTIME: %s\n", labs(tv.tv_sec - rt.tv_sec) <= 1 ? "yes" : "no");
    printf("  tv_usec in range: %s\n", tv.tv_usec >= 0 && tv.tv_usec < 1000000 ? "yes" : "no");
    printf("  time() within 1 s of CLOCK_REALTIME: %s, stores what it returns: %s\n",
           labs(t - rt.tv_sec) <= 1 ? "yes" : "no", labs(t2 - t) <= 1 ? "yes" : "no");
}

/* The vDSO as Go's runtime finds it (runtime/vdso_linux.go): the program headers give the load
 * bias and PT_DYNAMIC; DT_HASH, DT_SYMTAB, DT_STRTAB, DT_VERSYM and DT_VERDEF the symbols. */
static void *vdso_sigreturn;           /* found by elf() */
static FILE *out;                      /* where elf() reports */

static void elf(void)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)getauxval(AT_SYSINFO_EHDR);
    if (!eh) {
        fprintf(out, "no AT_SYSINFO_EHDR\n");
        return;
    }
    fprintf(out, "ELF: %s, type %s, machine %s\n", memcmp(eh->e_ident, ELFMAG, SELFMAG) ? "no" : "yes",
           eh->e_type == ET_DYN ? "ET_DYN" : "other", eh->e_machine == EM_AARCH64 ? "aarch64" : "other");
    const Elf64_Phdr *ph = (const void *)((const char *)eh + eh->e_phoff);
    uintptr_t bias = 0;
    const Elf64_Dyn *dyn = NULL;
    int loads = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD) {
            bias = (uintptr_t)eh + ph[i].p_offset - ph[i].p_vaddr;
            loads++;
            fprintf(out, "PT_LOAD flags %s%s%s\n", ph[i].p_flags & PF_R ? "r" : "-", ph[i].p_flags & PF_W ? "w" : "-",
                   ph[i].p_flags & PF_X ? "x" : "-");
        }
        if (ph[i].p_type == PT_DYNAMIC)
            dyn = (const void *)((const char *)eh + ph[i].p_offset);
        if (ph[i].p_type == PT_GNU_EH_FRAME)   /* the signal trampoline's unwind table */
            fprintf(out, "PT_GNU_EH_FRAME\n");
    }
    if (!dyn || loads != 1) {
        fprintf(out, "no PT_DYNAMIC or not one PT_LOAD\n");
        return;
    }
    const Elf64_Word *hash = NULL;
    const Elf64_Sym *sym = NULL;
    const char *str = NULL, *soname = NULL;
    const Elf64_Versym *versym = NULL;
    const Elf64_Verdef *verdef = NULL;
    uint64_t soname_off = 0;
    for (const Elf64_Dyn *d = dyn; d->d_tag != DT_NULL; d++) {
        const void *p = (const void *)(d->d_un.d_ptr + bias);
        switch (d->d_tag) {
        case DT_HASH: hash = p; break;
        case DT_SYMTAB: sym = p; break;
        case DT_STRTAB: str = p; break;
        case DT_VERSYM: versym = p; break;
        case DT_VERDEF: verdef = p; break;
        case DT_SONAME: soname_off = d->d_un.d_val; break;
        case DT_REL: case DT_RELA: case DT_JMPREL: case DT_TEXTREL: fprintf(out, "relocation tag %ld\n", (long)d->d_tag); break;
        }
    }
    if (!hash || !sym || !str || !versym || !verdef) {
        fprintf(out, "missing DT_HASH, DT_SYMTAB, DT_STRTAB, DT_VERSYM or DT_VERDEF\n");
        return;
    }
    soname = str + soname_off;
    fprintf(out, "soname %s\n", soname_off ? soname : "(none)");
    static const char *const wanted[] = { "__kernel_clock_gettime", "__kernel_gettimeofday", "__kernel_clock_getres",
                                          "__kernel_rt_sigreturn" };
    void *found[4] = { 0 };
    for (Elf64_Word i = 0; i < hash[1]; i++) {          /* nchain = number of symbols */
        if (ELF64_ST_TYPE(sym[i].st_info) != STT_FUNC || sym[i].st_shndx == SHN_UNDEF)
            continue;
        const Elf64_Verdef *v = verdef;
        const char *version = "?";
        for (;;) {
            if ((v->vd_ndx & 0x7fff) == (versym[i] & 0x7fff)) {
                const Elf64_Verdaux *aux = (const void *)((const char *)v + v->vd_aux);
                version = str + aux->vda_name;
                break;
            }
            if (!v->vd_next)
                break;
            v = (const void *)((const char *)v + v->vd_next);
        }
        for (int w = 0; w < 4; w++)
            if (!strcmp(str + sym[i].st_name, wanted[w])) {
                fprintf(out, "%s@%s\n", wanted[w], version);
                found[w] = (void *)(sym[i].st_value + bias);
            }
    }
    vdso_sigreturn = found[3];
    if (!found[0])
        return;
    /* Called directly, it answers as the system call does. */
    int (*gettime)(clockid_t, struct timespec *) = (int (*)(clockid_t, struct timespec *))found[0];
    struct timespec a, b, c;
    gettime(CLOCK_MONOTONIC, &a);
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
    gettime(CLOCK_MONOTONIC, &c);
    fprintf(out, "direct call in order with the syscall: %s\n", ns(a) <= ns(b) && ns(b) <= ns(c) ? "yes" : "no");
    fprintf(out, "direct call of a CPU-time clock = %d, of clock 100 = %d\n",
           gettime(CLOCK_PROCESS_CPUTIME_ID, &a), gettime(100, &a));
}

/* The handler's own return address (x30 at its entry) is where the kernel sent it back to. */
static void *returned_to;
static void record_return(int sig)
{
    (void)sig;
    returned_to = __builtin_return_address(0);
}

void my_restorer(void);
__asm__(".text\n.globl my_restorer\nmy_restorer:\n    mov x8, #139\n    svc #0\n");

/* rt_sigaction's own struct: glibc's sigaction() would choose the restorer itself. */
struct kernel_sigaction { void (*handler)(int); unsigned long flags; void (*restorer)(void); uint64_t mask; };
#define KERNEL_SA_RESTORER 0x04000000UL

static void signal_return(void)
{
    out = fopen("/dev/null", "w");     /* elf() finds the symbol; this says only where handlers return */
    elf();
    struct kernel_sigaction ksa = { record_return, 0, NULL, 0 };
    syscall(SYS_rt_sigaction, SIGUSR1, &ksa, NULL, 8);
    raise(SIGUSR1);
    printf("a handler without SA_RESTORER came back: yes\n");
    if (!vdso_sigreturn)
        printf("  there is no vDSO\n");
    else if (returned_to == vdso_sigreturn)
        printf("  through the vDSO's __kernel_rt_sigreturn: mov x8, #139; svc #0 %s\n",
               ((uint32_t *)vdso_sigreturn)[0] == 0xd2801168u && ((uint32_t *)vdso_sigreturn)[1] == 0xd4000001u ?
               "(as unwinders expect)" : "(other code)");
    else
        printf("  through something else\n");
    ksa.flags = KERNEL_SA_RESTORER;
    ksa.restorer = my_restorer;
    syscall(SYS_rt_sigaction, SIGUSR1, &ksa, NULL, 8);
    raise(SIGUSR1);
    printf("with SA_RESTORER it came back through the restorer: %s\n",
           returned_to == (void *)my_restorer ? "yes" : "no");
}

static void loop(int n)
{
    struct timespec ts;
    struct timeval tv;
    int64_t sum = 0;
    for (int i = 0; i < n; i++) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        sum += ts.tv_nsec & 1;
        clock_gettime(CLOCK_REALTIME, &ts);
        gettimeofday(&tv, NULL);
        sum += time(NULL) & 1;
        clock_getres(CLOCK_MONOTONIC, &ts);
    }
    printf("loop done (%ld)\n", (long)(sum >= 0));
}

static int64_t mono(void)
{
    struct timespec t;
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t);   /* the same reference with or without a vDSO */
    return ns(t);
}

static void timed(int n)
{
    struct timespec ts;
    struct timeval tv;
    int64_t t0 = mono();
    for (int i = 0; i < n; i++)
        clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t t1 = mono();
    for (int i = 0; i < n; i++)
        gettimeofday(&tv, NULL);
    int64_t t2 = mono();
    for (int i = 0; i < n; i++)
        time(NULL);
    int64_t t3 = mono();
    printf("clock_gettime %.1f ns/call\ngettimeofday %.1f ns/call\ntime %.1f ns/call\n",
           (double)(t1 - t0) / n, (double)(t2 - t1) / n, (double)(t3 - t2) / n);
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "clocks";
    out = stdout;
    if (!strcmp(what, "clocks")) {
        for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++)
            one_clock(clocks[i].id, clocks[i].name);
        wall();
    } else if (!strcmp(what, "elf")) {
        elf();
    } else if (!strcmp(what, "sigreturn")) {
        signal_return();
    } else if (!strcmp(what, "loop") && argc > 2) {
        loop(atoi(argv[2]));
    } else if (!strcmp(what, "time") && argc > 2) {
        timed(atoi(argv[2]));
    } else {
        fprintf(stderr, "usage: vdso clocks|elf|sigreturn|loop N|time N\n");
        return 2;
    }
    return 0;
}
