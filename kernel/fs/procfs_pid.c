/* The process's own directory, /proc/1 (its one thread's is /proc/1/task/1): status, stat,
 * cmdline, comm and mounts, in Linux's formats (fs/proc/array.c, fs/proc/base.c,
 * fs/proc_namespace.c), so ps, top and programs reading about themselves find what Linux gives.
 * /proc/self and /proc/thread-self point here (procfs.c). */
#include "kernel.h"
#include "kfile.h"
#include "memfile.h"
#include "mm.h"
#include "vm.h"
#include "process.h"
#include "thread.h"
#include "bootargs.h"
#include "signal.h"
#include "idle.h"
#include "timer.h"
#include "linux_abi.h"
#include "vfs.h"
#include "cpu.h"
#include <string.h>

#define TEXT_MAX 4096
#define PID_FILE (S_IFREG | 0444)

static struct file *text_file(char *text, size_t len, int flags)
{
    struct file *f = memfile_open(text, len, 0444, flags);
    kfree(text);
    return f;
}

/* The name Linux keeps for the process: the executable's base name, cut to TASK_COMM_LEN. */
static void process_comm(char comm[16])
{
    const struct boot_manifest *m = boot_manifest();
    const char *name = m && m->program ? m->program : "init";
    const char *slash = strrchr(name, '/');
    snprintf(comm, 16, "%s", slash ? slash + 1 : name);
}

/* CPU time in clock ticks (USER_HZ, TICK_HZ here): every CPU's busy time since it came up is
 * the program's (one process), counted as user time as getrusage does. */
static uint64_t busy_ticks(void)
{
    return cpu_busy_ns() / (1000000000UL / TICK_HZ);
}

static uint64_t mapped_bytes(const struct vm *vm)
{
    uint64_t bytes = 0;
    for (const struct vma *v = vm->vmas; v; v = v->next)
        bytes += v->end - v->start;
    return bytes;
}

static uint64_t sig_mask_of(struct process *p, uint64_t handler_kind)
{
    uint64_t mask = 0;
    for (int sig = 1; sig <= NSIG; sig++) {
        uint64_t h = p->sig.action[sig - 1].handler;
        if (handler_kind == SIG_IGN ? h == SIG_IGN : h != SIG_IGN && h != SIG_DFL)
            mask |= SIG_BIT(sig);
    }
    return mask;
}

static struct file *status_open(const char *path, int flags)
{
    struct process *p = current_process();
    struct thread *t = current_thread();
    char comm[16];
    process_comm(comm);
    char umask[5] = { '0', (char)('0' + ((p->umask >> 6) & 7)), (char)('0' + ((p->umask >> 3) & 7)),
                      (char)('0' + (p->umask & 7)), 0 };
    char cpus[256];
    cpu_list(cpus, sizeof(cpus), cpus_online_mask);   /* a thread may run on any CPU that came up */
    char *s = kmalloc(TEXT_MAX);
    if (!s)
        return NULL;
    uint64_t rss = p->vm->pages * (PAGE_SIZE / 1024);
    int n = snprintf(s, TEXT_MAX,
                     "Name:\t%s\nUmask:\t%s\nState:\tR (running)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t0\n"
                     "TracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\nGroups:\t\n"
                     "VmSize:\t%8lu kB\nVmRSS:\t%8lu kB\nThreads:\t%d\nSigQ:\t0/16383\nSigPnd:\t%016lx\n"
                     "ShdPnd:\t%016lx\nSigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\n"
                     "CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n"
                     "CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n"
                     "Cpus_allowed:\t%lx\nCpus_allowed_list:\t%s",
                     comm, umask, p->pid, t ? t->tid : p->pid, mapped_bytes(p->vm) / 1024, rss, p->live_threads,
                     t ? t->sig.pending : 0UL, p->sig.pending, t ? t->sig.blocked : 0UL, sig_mask_of(p, SIG_IGN),
                     sig_mask_of(p, 2), cpus_online_mask, cpus);
    return text_file(s, (size_t)n, flags);
}

/* The 52 fields of proc_pid_stat(5); what a unikernel has no notion of (a parent, a terminal,
 * page-fault counts, the layout's markers) is 0, as Linux shows for a field it hides. */
static struct file *stat_open(const char *path, int flags)
{
    struct process *p = current_process();
    struct thread *t = current_thread();
    char comm[16];
    process_comm(comm);
    char *s = kmalloc(TEXT_MAX);
    if (!s)
        return NULL;
    int n = snprintf(s, TEXT_MAX,
                     "%d (%s) R 0 %d %d 0 -1 4194560 0 0 0 0 %lu 0 0 0 20 0 %d 0 0 %lu %lu "
                     "18446744073709551615 0 0 0 0 0 %lu %lu %lu %lu 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
                     t ? t->tid : p->pid, comm, p->pid, p->pid, busy_ticks(), p->live_threads,
                     mapped_bytes(p->vm), p->vm->pages, p->sig.pending | (t ? t->sig.pending : 0),
                     t ? t->sig.blocked : 0UL, sig_mask_of(p, SIG_IGN), sig_mask_of(p, 2));
    return text_file(s, (size_t)n, flags);
}

/* The arguments the program was started with, each ended by a NUL. */
static struct file *cmdline_open(const char *path, int flags)
{
    const struct boot_manifest *m = boot_manifest();
    size_t len = 0;
    for (int i = 0; m && i < m->argc; i++)
        len += strlen(m->argv[i]) + 1;
    char *s = kmalloc(len ? len : 1);
    if (!s)
        return NULL;
    len = 0;
    for (int i = 0; m && i < m->argc; i++) {
        size_t n = strlen(m->argv[i]) + 1;
        memcpy(s + len, m->argv[i], n);
        len += n;
    }
    return text_file(s, len, flags);
}

static struct file *comm_open(const char *path, int flags)
{
    char comm[17];
    process_comm(comm);
    size_t n = strlen(comm);
    comm[n] = '\n';
    return memfile_open(comm, n + 1, 0444, flags);
}

/* The root (the image's tree, in memory) and the volumes; statfs says TFS_MAGIC for each. */
static struct file *mounts_open(const char *path, int flags)
{
    char *s = kmalloc(TEXT_MAX);
    return s ? text_file(s, vfs_mounts(s, TEXT_MAX), flags) : NULL;
}

#define PID_DIR    "/proc/" PROCESS_PID_DIR
#define THREAD_DIR PID_DIR "/task/" PROCESS_PID_DIR

void procfs_pid_init(void)
{
    kfile_register(PID_DIR "/status", status_open, PID_FILE);
    kfile_register(PID_DIR "/stat", stat_open, PID_FILE);
    kfile_register(PID_DIR "/cmdline", cmdline_open, PID_FILE);
    kfile_register(PID_DIR "/comm", comm_open, S_IFREG | 0644);
    kfile_register(PID_DIR "/mounts", mounts_open, PID_FILE);
    kfile_register(THREAD_DIR "/status", status_open, PID_FILE);
    kfile_register(THREAD_DIR "/stat", stat_open, PID_FILE);
    kfile_register(THREAD_DIR "/comm", comm_open, S_IFREG | 0644);
}
