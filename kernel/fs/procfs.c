/* The /proc files programs read to learn about their machine and themselves: meminfo, mounts,
 * cpuinfo and self/status, in Linux's formats (fs/proc/meminfo.c, fs/proc_namespace.c,
 * arch/arm64/kernel/cpuinfo.c, fs/proc/array.c). Each is made from kernel state when opened
 * (kfile.h), so a read sees the numbers of that moment, as on Linux. */
#include "kernel.h"
#include "kfile.h"
#include "memfile.h"
#include "mm.h"
#include "vm.h"
#include "process.h"
#include "thread.h"
#include "bootargs.h"
#include "signal.h"
#include "timer.h"
#include "hwcap.h"
#include "cpu.h"
#include <string.h>

#define TEXT_MAX 4096

static struct file *text_file(char *text, size_t len, int flags)
{
    struct file *f = memfile_open(text, len, 0444, flags);
    kfree(text);
    return f;
}

/* Everything is RAM and the kernel keeps no page cache: free is available, nothing is cached
 * or swapped (the fields procps's free and top read, in meminfo's order). */
static struct file *meminfo_open(const char *path, int flags)
{
    char *t = kmalloc(TEXT_MAX);
    if (!t)
        return NULL;
    uint64_t total = page_total_count() * (PAGE_SIZE / 1024), free = page_free_count() * (PAGE_SIZE / 1024);
    int n = snprintf(t, TEXT_MAX,
                     "MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n"
                     "Buffers:        %8lu kB\nCached:         %8lu kB\nSwapCached:     %8lu kB\n"
                     "Active:         %8lu kB\nInactive:       %8lu kB\nSwapTotal:      %8lu kB\n"
                     "SwapFree:       %8lu kB\nDirty:          %8lu kB\nShmem:          %8lu kB\n"
                     "SReclaimable:   %8lu kB\n",
                     total, free, free, 0UL, 0UL, 0UL, total - free, 0UL, 0UL, 0UL, 0UL, 0UL, 0UL);
    return text_file(t, (size_t)n, flags);
}

/* One file system, the image's tree in memory (statfs says TFS_MAGIC for it). */
static struct file *mounts_open(const char *path, int flags)
{
    static const char line[] = "rootfs / tfs rw,relatime 0 0\n";
    return memfile_open(line, sizeof(line) - 1, 0444, flags);
}

static struct file *cpuinfo_open(const char *path, int flags)
{
    size_t size = 512 * (size_t)cpus_online;   /* a stanza is under 400 bytes */
    char *t = kmalloc(size);
    if (!t)
        return NULL;
    return text_file(t, arch_cpuinfo(t, size, cpus_online_mask, counter_freq()), flags);
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
    const struct boot_manifest *m = boot_manifest();
    const char *name = m && m->program ? m->program : "init";
    const char *slash = strrchr(name, '/');
    char comm[16];
    snprintf(comm, sizeof(comm), "%s", slash ? slash + 1 : name);   /* TASK_COMM_LEN */
    char umask[5] = { '0', (char)('0' + ((p->umask >> 6) & 7)), (char)('0' + ((p->umask >> 3) & 7)),
                      (char)('0' + (p->umask & 7)), 0 };
    char *s = kmalloc(TEXT_MAX);
    if (!s)
        return NULL;
    uint64_t rss = p->vm->pages * (PAGE_SIZE / 1024);
    int n = snprintf(s, TEXT_MAX,
                     "Name:\t%s\nUmask:\t%s\nState:\tR (running)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t0\n"
                     "TracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\nGroups:\t\n"
                     "VmRSS:\t%8lu kB\nThreads:\t%d\nSigQ:\t0/16383\nSigPnd:\t%016lx\nShdPnd:\t%016lx\n"
                     "SigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\nCapInh:\t0000000000000000\n"
                     "CapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n"
                     "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\nCpus_allowed:\t1\n"
                     "Cpus_allowed_list:\t0\n",
                     comm, umask, p->pid, t ? t->tid : p->pid, rss, p->live_threads, t ? t->sig.pending : 0UL,
                     p->sig.pending, t ? t->sig.blocked : 0UL, sig_mask_of(p, SIG_IGN), sig_mask_of(p, 2));
    return text_file(s, (size_t)n, flags);
}

void procfs_init(void)
{
    kfile_register("/proc/meminfo", meminfo_open);
    kfile_register("/proc/mounts", mounts_open);
    kfile_register("/proc/self/mounts", mounts_open);
    kfile_register("/proc/cpuinfo", cpuinfo_open);
    kfile_register("/proc/self/status", status_open);
    kfile_register("/proc/thread-self/status", status_open);
}
