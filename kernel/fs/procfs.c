/* The /proc files programs read to learn about their machine: meminfo, mounts, cpuinfo, uptime
 * and locks, in Linux's formats (fs/proc/meminfo.c, fs/proc_namespace.c,
 * arch/arm64/kernel/cpuinfo.c, fs/proc/uptime.c, fs/locks.c), loadavg and sys/kernel (procfs.h),
 * and /proc's symlinks to the caller's own directory (/proc/<pid>: procfs_pid.c). Each is made from kernel state when opened (kfile.h), so
 * a read sees the numbers of that moment, as on Linux. */
#include "kernel.h"
#include "kfile.h"
#include "memfile.h"
#include "mm.h"
#include "page_cache.h"
#include "vm.h"
#include "idle.h"
#include "timer.h"
#include "hwcap.h"
#include "process.h"
#include "linux_abi.h"
#include "cpu.h"
#include "thread.h"
#include "sysv_ipc.h"
#include "procfs.h"
#include "procfs_pid.h"
#include "volume.h"
#include "vnode.h"
#include "filelock.h"
#include "bootargs.h"
#include <string.h>

#define TEXT_MAX 8192

/* A meminfo line: the name padded to 16 columns, the number right-aligned in 8 (show_val_kb). */
static size_t kb_line(char *buf, size_t size, const char *name, uint64_t kb)
{
    return (size_t)snprintf(buf, size, "%-16s%8lu kB\n", name, kb);
}

/* What every address space holds, each counted once (a vfork child shares its parent's). */
static void user_memory(struct mem_counts *sum, uint64_t *table_pages)
{
    memset(sum, 0, sizeof(*sum));
    *table_pages = 0;
    for (struct process *p = process_first(); p; p = p->all_next) {
        bool seen = !p->vm;
        for (struct process *q = process_first(); q != p && !seen; q = q->all_next)
            seen = q->vm == p->vm;
        if (seen)
            continue;
        struct mem_counts m;
        process_mem_counts(p, &m);
        sum->anon += m.anon;
        sum->file += m.file;
        sum->shmem += m.shmem;
        sum->locked += m.locked;
        sum->commit += m.commit;
        *table_pages += m.pte / PAGE_SIZE;
    }
}

/* Linux 6.1's fields in its order (fs/proc/meminfo.c, as Debian's arm64 kernel has them). RAM
 * is all there is: free plus the page cache's pages nobody maps is available, nothing is swapped
 * or compressed, and there is no LRU, so nothing is "active" (the pages are where reclaim would
 * look first: Inactive). Cached is the page cache and the pages of files held in memory (written
 * or copied up). Pages several processes map (a fork's copy-on-write pages, a library)
 * count once per address space in AnonPages and Mapped. What this kernel has not (huge pages,
 * CMA, a vmalloc area, memory-failure handling, KVM's tables) is 0, as Linux shows it unused or,
 * for VmallocTotal, built without an MMU; Hugepagesize is the size huge pages would have here. */
static struct file *meminfo_open(const char *path, int flags)
{
    char *t = kmalloc(TEXT_MAX);
    if (!t)
        return NULL;
    uint64_t kib = PAGE_SIZE / 1024, total = page_total_count() * kib, free = page_free_count() * kib;
    uint64_t cached = (page_cache_pages() + vnode_memory_pages) * kib;   /* file pages, read or written */
    uint64_t available = free + page_cache_reclaimable() * kib;
    uint64_t heap_bytes, heap_blocks, tables, threads = 0;
    heap_stats(&heap_bytes, &heap_blocks);
    struct mem_counts user;
    user_memory(&user, &tables);
    for (struct process *p = process_first(); p; p = p->all_next)
        threads += (uint64_t)p->live_threads;
    uint64_t anon = user.anon * kib, shmem = user.shmem * kib, locked = user.locked / 1024;
    const struct { const char *name; uint64_t kb; } lines[] = {
        { "MemTotal:", total }, { "MemFree:", free }, { "MemAvailable:", available }, { "Buffers:", 0 },
        { "Cached:", cached + shmem }, { "SwapCached:", 0 }, { "Active:", 0 },
        { "Inactive:", anon + shmem + cached }, { "Active(anon):", 0 }, { "Inactive(anon):", anon + shmem },
        { "Active(file):", 0 }, { "Inactive(file):", cached }, { "Unevictable:", locked }, { "Mlocked:", locked },
        { "SwapTotal:", 0 }, { "SwapFree:", 0 }, { "Zswap:", 0 }, { "Zswapped:", 0 },
        { "Dirty:", volume_dirty_pages() * kib }, { "Writeback:", 0 }, { "AnonPages:", anon },
        { "Mapped:", user.file * kib }, { "Shmem:", shmem }, { "KReclaimable:", 0 }, { "Slab:", heap_bytes / 1024 },
        { "SReclaimable:", 0 }, { "SUnreclaim:", heap_bytes / 1024 },
        { "KernelStack:", threads * KERNEL_STACK_PAGES * kib }, { "PageTables:", tables * kib },
        { "SecPageTables:", 0 }, { "NFS_Unstable:", 0 }, { "Bounce:", 0 }, { "WritebackTmp:", 0 },
        { "CommitLimit:", total / 2 },   /* vm_commit_limit: overcommit_ratio 50, no swap */
        { "Committed_AS:", user.commit / 1024 }, { "VmallocTotal:", 0 }, { "VmallocUsed:", 0 },
        { "VmallocChunk:", 0 }, { "Percpu:", 0 },   /* per-CPU state is static: no per-CPU allocator */
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        n += kb_line(t + n, TEXT_MAX - n, lines[i].name, lines[i].kb);
    n += (size_t)snprintf(t + n, TEXT_MAX - n, "HardwareCorrupted: %5lu kB\n", 0UL);
    const char *const zero[] = { "AnonHugePages:", "ShmemHugePages:", "ShmemPmdMapped:", "FileHugePages:",
                                 "FilePmdMapped:", "CmaTotal:", "CmaFree:" };
    for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
        n += kb_line(t + n, TEXT_MAX - n, zero[i], 0);
    n += (size_t)snprintf(t + n, TEXT_MAX - n,
                          "HugePages_Total:   %5lu\nHugePages_Free:    %5lu\nHugePages_Rsvd:    %5lu\n"
                          "HugePages_Surp:    %5lu\nHugepagesize:   %8lu kB\nHugetlb:        %8lu kB\n",
                          0UL, 0UL, 0UL, 0UL, PAGE_SIZE / 8 * PAGE_SIZE / 1024, 0UL);   /* a PMD's span */
    return text_file(t, n < TEXT_MAX ? n : TEXT_MAX - 1, flags);
}

static struct file *cpuinfo_open(const char *path, int flags)
{
    size_t size = 512 * (size_t)cpus_online;   /* a stanza is under 400 bytes */
    char *t = kmalloc(size);
    if (!t)
        return NULL;
    return text_file(t, arch_cpuinfo(t, size, cpus_online_mask, counter_freq()), flags);
}

/* Seconds since boot and seconds every CPU spent idle, to the hundredth. */
static struct file *uptime_open(const char *path, int flags)
{
    char t[64];
    uint64_t up = counter_to_ns(counter_now()) / 10000000UL, idle = cpu_idle_ns() / 10000000UL;
    int n = snprintf(t, sizeof(t), "%lu.%02lu %lu.%02lu\n", up / 100, up % 100, idle / 100, idle % 100);
    return memfile_open(t, (size_t)n, 0444, flags);
}

/* Every advisory lock (fs/filelock.c), as /proc/locks lists them. */
static struct file *locks_open(const char *path, int flags)
{
    char *t = kmalloc(TEXT_MAX);
    return t ? text_file(t, filelock_proc_locks(t, TEXT_MAX), flags) : NULL;
}

/* The kernel's command line (QEMU's -append), as fs/proc/cmdline.c shows it. */
static struct file *cmdline_open(const char *path, int flags)
{
    size_t n = strlen(bootargs.cmdline);
    char *t = kmalloc(n + 2);
    if (!t)
        return NULL;
    memcpy(t, bootargs.cmdline, n);
    t[n++] = '\n';
    return text_file(t, n, flags);
}

/* The caller's own directory, whichever process looks. */
static int self_link(const char *path, char *buf, size_t size)
{
    return snprintf(buf, size, "%d", current_process()->pid);
}

static int thread_self_link(const char *path, char *buf, size_t size)
{
    struct thread *t = current_thread();
    return snprintf(buf, size, "%d/task/%d", current_process()->pid, t ? t->tid : current_process()->pid);
}

void procfs_init(void)
{
    kfile_register("/proc/meminfo", meminfo_open, S_IFREG | 0444);
    kfile_register("/proc/cpuinfo", cpuinfo_open, S_IFREG | 0444);
    kfile_register("/proc/uptime", uptime_open, S_IFREG | 0444);
    kfile_register("/proc/locks", locks_open, S_IFREG | 0444);
    kfile_register("/proc/cmdline", cmdline_open, S_IFREG | 0444);
    kfile_register_symlink("/proc/mounts", "self/mounts");
    kfile_register_dynamic_link("/proc/self", self_link);
    kfile_register_dynamic_link("/proc/thread-self", thread_self_link);
    sysvipc_proc_init();
    procfs_loadavg_init();
    procfs_stat_init();
    procfs_sys_init();
    procfs_sysctl_init();
}
