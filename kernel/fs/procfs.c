/* The /proc files programs read to learn about their machine: meminfo, mounts, cpuinfo and
 * uptime, in Linux's formats (fs/proc/meminfo.c, fs/proc_namespace.c,
 * arch/arm64/kernel/cpuinfo.c, fs/proc/uptime.c), and /proc's symlinks to the caller's own
 * directory (/proc/<pid>: procfs_pid.c). Each is made from kernel state when opened (kfile.h), so
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
#include <string.h>

#define TEXT_MAX 4096

static struct file *text_file(char *text, size_t len, int flags)
{
    struct file *f = memfile_open(text, len, 0444, flags);
    kfree(text);
    return f;
}

/* Everything is RAM: free plus the page cache's pages nobody maps is available, nothing is
 * swapped (the fields procps's free and top read, in meminfo's order). */
static struct file *meminfo_open(const char *path, int flags)
{
    char *t = kmalloc(TEXT_MAX);
    if (!t)
        return NULL;
    uint64_t kib = PAGE_SIZE / 1024, total = page_total_count() * kib, free = page_free_count() * kib;
    uint64_t cached = page_cache_pages() * kib, available = free + page_cache_reclaimable() * kib;
    int n = snprintf(t, TEXT_MAX,
                     "MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n"
                     "Buffers:        %8lu kB\nCached:         %8lu kB\nSwapCached:     %8lu kB\n"
                     "Active:         %8lu kB\nInactive:       %8lu kB\nSwapTotal:      %8lu kB\n"
                     "SwapFree:       %8lu kB\nDirty:          %8lu kB\nShmem:          %8lu kB\n"
                     "SReclaimable:   %8lu kB\n",
                     total, free, available, 0UL, cached, 0UL, total - free, 0UL, 0UL, 0UL, 0UL, 0UL, 0UL);
    return text_file(t, (size_t)n, flags);
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
    kfile_register_symlink("/proc/mounts", "self/mounts");
    kfile_register_dynamic_link("/proc/self", self_link);
    kfile_register_dynamic_link("/proc/thread-self", thread_self_link);
    sysvipc_proc_init();
}
