/* /proc/<pid>/status and statm (fs/proc/array.c, fs/proc/task_mmu.c), with Linux 6.1's fields in
 * its order. Every value is this kernel's own: what it has, it counts (memory by kind from the
 * VMAs and the page table, context switches, queued signals); where it lacks the feature the
 * value is what Linux prints for a kernel built without it (THP_enabled 0, Speculation_* as
 * "unknown": arch_prctl_spec_ctrl_get is -EINVAL, as our prctl answers), or the feature's
 * unused state where Debian's kernel would show the line anyway (HugetlbPages, VmSwap, VmPin: 0). */
#include "kernel.h"
#include "kfile.h"
#include "procfs_pid.h"
#include "process.h"
#include "thread.h"
#include "mm.h"
#include "vm.h"
#include "vnode.h"
#include "cpu.h"
#include "uvm.h"
#include "seccomp.h"
#include "linux_abi.h"
#include <string.h>

#define STATUS_MAX 4096


/* The file's own page at index (a changed file's memory, or the page cache's), 0 when none: a
 * private mapping's page that is not it is the mapping's copy (anonymous, as Linux counts it). */
static uint64_t file_page(const struct vnode *v, uint64_t index)
{
    if (v->in_memory)
        return index < v->page_slots ? v->pages[index] : 0;
    return v->cached && index < v->cached_slots ? v->cached[index] : 0;
}

struct rss_walk {
    const struct vma *vma;
    struct mem_counts *m;
};

static void count_page(uint64_t va, uint64_t pa, void *arg)
{
    struct rss_walk *w = arg;
    const struct vma *v = w->vma;
    if (v->shared_anon)
        w->m->shmem++;
    else if (v->file && (v->shared || file_page(v->file, (v->file_offset + (va - v->start)) / PAGE_SIZE) == pa))
        w->m->file++;
    else
        w->m->anon++;
}

/* Linux's VM_STACK on arm64 is VM_GROWSDOWN: the main stack and MAP_GROWSDOWN mappings. */
static bool is_stack(const struct vma *v) { return v->growsdown || (v->name && !strcmp(v->name, "[stack]")); }

void process_mem_counts(const struct process *p, struct mem_counts *m)
{
    memset(m, 0, sizeof(*m));
    const struct vm *vm = p->vm;
    if (!vm)
        return;                        /* a zombie: no memory, as Linux's has no mm */
    uint64_t exec_vm = 0;
    for (const struct vma *v = vm->vmas; v; v = v->next) {
        uint64_t len = v->end - v->start;
        bool stack = is_stack(v), shared = v->shared || v->shared_anon;
        m->size += len;
        if (((v->prot & PROT_WRITE) && !shared) || v->shared_anon)
            m->commit += len;          /* what Linux accounts (VM_ACCOUNT): private writable, shared anonymous */
        if (stack)
            m->stack += len;
        else if ((v->prot & PROT_WRITE) && !shared)
            m->data += len;
        else if ((v->prot & PROT_EXEC) && !(v->prot & PROT_WRITE))
            exec_vm += len;
        /* The program's text (Linux's end_code - start_code: its executable segments). */
        if ((v->prot & PROT_EXEC) && v->file && v->file == p->exe)
            m->exe += len;
        if (v->fixed_pa)
            continue;                  /* [vdso], [vvar]: the kernel's pages, in no RSS counter */
        struct rss_walk w = { v, m };
        uvm_each_page(vm->root, v->start, v->end, count_page, &w);
    }
    m->lib = exec_vm > m->exe ? exec_vm - m->exe : 0;
    m->locked = vm_locked_bytes(vm);
    m->peak = vm->bytes_hiwater > m->size ? vm->bytes_hiwater : m->size;
    uint64_t rss = m->anon + m->file + m->shmem;
    m->hwm = vm->pages_hiwater > rss ? vm->pages_hiwater : rss;
    uint64_t tables = uvm_table_pages(vm->root);
    m->pte = tables > 1 ? (tables - 1) * PAGE_SIZE : 0;   /* mm_pgtables_bytes: not the PGD */
}

static unsigned popcount(uint64_t x)   /* no libgcc: __builtin_popcountll would want it */
{
    unsigned n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

static unsigned queue_length(const struct sigqueue *q)
{
    unsigned n = 0;
    for (; q; q = q->next)
        n++;
    return n;
}

/* SigQ's first number: the signals queued for the process's real uid, every process's, as
 * Linux's user->sigpending counts them (each pending instance). */
static unsigned queued_signals(uint32_t uid)
{
    unsigned n = 0;
    for (struct process *p = process_first(); p; p = p->all_next) {
        if (p->cred.uid != uid)
            continue;
        n += popcount(p->sig.pending) + queue_length(p->sig.queued);
        for (struct thread *t = p->threads; t; t = t->next)
            n += popcount(t->sig.pending) + queue_length(t->sig.queued);
    }
    return n;
}

/* A cpumask as "%*pb" prints it: nr_cpu_ids bits in hex, 32-bit groups separated by commas. */
static size_t cpu_mask_hex(char *buf, size_t size, uint64_t mask)
{
    int nr = 64 - __builtin_clzll(cpus_online_mask | 1);   /* possible CPUs: those that came up */
    int digits = (nr + 3) / 4;
    size_t n = 0;
    for (int d = digits - 1; d >= 0 && n + 2 < size; d--) {
        buf[n++] = "0123456789abcdef"[(mask >> (4 * d)) & 0xf];
        if (d && d % 8 == 0)
            buf[n++] = ',';
    }
    buf[n] = 0;
    return n;
}

#define KB(bytes) ((bytes) / 1024)
#define PAGES_KB(pages) ((pages) * (PAGE_SIZE / 1024))

static struct file *status_open(const char *path, int flags)
{
    struct thread *t;
    struct process *p = process_of(path, &t);
    if (!p)
        return NULL;
    char comm[16];
    process_comm(p, t, comm);
    uint64_t affinity = (t ? t->affinity : cpus_online_mask) & cpus_online_mask;
    char cpus[256], cpus_hex[32];
    cpu_list(cpus, sizeof(cpus), affinity);
    cpu_mask_hex(cpus_hex, sizeof(cpus_hex), affinity);
    /* Groups: each in decimal, one space between, and the trailing space Linux keeps ("shouldn't
     * have been added in the first place", fs/proc/array.c). */
    size_t groups_max = (size_t)p->ngroups * 11 + 1;
    char *groups = kmalloc(groups_max);
    size_t max = STATUS_MAX + groups_max;
    char *s = groups ? kmalloc(max) : NULL;
    if (!s) {
        kfree(groups);
        return NULL;
    }
    size_t gl = 0;
    groups[0] = 0;
    for (int i = 0; i < p->ngroups; i++)
        gl += snprintf(groups + gl, groups_max - gl, i ? " %u" : "%u", p->groups[i]);
    const struct creds *c = &p->cred;
    int tid = t ? t->tid : p->pid;
    size_t n = (size_t)snprintf(s, max,
        "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n"
        "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\nGroups:\t%s \n"
        "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n",
        comm, p->umask, state_of(p, t), p->pid, tid, p->parent ? p->parent->pid : 0,
        c->uid, c->euid, c->suid, c->fsuid, c->gid, c->egid, c->sgid, c->fsgid,
        p->fd_slots > 64 ? p->fd_slots : 64, groups, p->pid, tid, p->pgid, p->sid);
    kfree(groups);
    if (p->vm) {                       /* task_mem, task_core_dumping, task_thp_status: with an mm */
        struct mem_counts m;
        process_mem_counts(p, &m);
        n += (size_t)snprintf(s + n, max - n,
            "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmLck:\t%8lu kB\nVmPin:\t%8lu kB\nVmHWM:\t%8lu kB\n"
            "VmRSS:\t%8lu kB\nRssAnon:\t%8lu kB\nRssFile:\t%8lu kB\nRssShmem:\t%8lu kB\nVmData:\t%8lu kB\n"
            "VmStk:\t%8lu kB\nVmExe:\t%8lu kB\nVmLib:\t%8lu kB\nVmPTE:\t%8lu kB\nVmSwap:\t%8lu kB\n"
            "HugetlbPages:\t%8lu kB\nCoreDumping:\t0\nTHP_enabled:\t0\n",
            KB(m.peak), KB(m.size), KB(m.locked), 0UL, PAGES_KB(m.hwm), PAGES_KB(m.anon + m.file + m.shmem),
            PAGES_KB(m.anon), PAGES_KB(m.file), PAGES_KB(m.shmem), KB(m.data), KB(m.stack), KB(m.exe),
            KB(m.lib), KB(m.pte), 0UL, 0UL);
    }
    struct caps caps = process_caps(p);
    uint64_t nvcsw = t ? t->nvcsw : 0, nivcsw = t ? t->nivcsw : 0;
    n += (size_t)snprintf(s + n, max - n,
        "Threads:\t%d\nSigQ:\t%u/%lu\nSigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\nSigIgn:\t%016lx\n"
        "SigCgt:\t%016lx\nCapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\nCapBnd:\t%016llx\n"
        "CapAmb:\t%016lx\nNoNewPrivs:\t%d\nSeccomp:\t%d\nSeccomp_filters:\t%d\n"
        "Speculation_Store_Bypass:\tunknown\nSpeculationIndirectBranch:\tunknown\n"
        "Cpus_allowed:\t%s\nCpus_allowed_list:\t%s"
        "Mems_allowed:\t0001\nMems_allowed_list:\t0\n"   /* one memory node; Debian's MAX_NUMNODES 16 */
        "voluntary_ctxt_switches:\t%lu\nnonvoluntary_ctxt_switches:\t%lu\n",
        nr_threads_of(p), queued_signals(c->uid), p->rlimits[RLIMIT_SIGPENDING].rlim_cur,
        t ? t->sig.pending : 0UL, p->sig.pending, t ? t->sig.blocked : 0UL, sig_mask_of(p, true),
        sig_mask_of(p, false), caps.inheritable, caps.permitted, caps.effective, CAP_FULL_SET, 0UL,
        p->no_new_privs, t ? t->seccomp_mode : 0, t ? seccomp_filter_count(t) : 0, cpus_hex, cpus, nvcsw, nivcsw);
    return text_file(s, n < max ? n : max - 1, flags);
}

/* statm: size resident shared text lib data dt, in pages (lib and dt are 0 since Linux 2.6). */
static struct file *statm_open(const char *path, int flags)
{
    struct process *p = process_of(path, NULL);
    if (!p)
        return NULL;
    struct mem_counts m;
    process_mem_counts(p, &m);
    char *s = kmalloc(128);
    if (!s)
        return NULL;
    int n = snprintf(s, 128, "%lu %lu %lu %lu 0 %lu 0\n", m.size / PAGE_SIZE, m.anon + m.file + m.shmem,
                     m.file + m.shmem, m.exe / PAGE_SIZE, (m.data + m.stack) / PAGE_SIZE);
    return text_file(s, (size_t)n, flags);
}


void procfs_status_init(void)
{
    procfs_pid_entry("status", kfile_template("status", status_open, NULL, NULL, PID_FILE));
    procfs_pid_entry("statm", kfile_template("statm", statm_open, NULL, NULL, PID_FILE));
}
