/* What programs read to count and name the CPUs, as Linux's files say it: glibc's get_nprocs and
 * sysconf(_SC_NPROCESSORS_ONLN) read /sys/devices/system/cpu/online, _SC_NPROCESSORS_CONF
 * counts /sys/devices/system/cpu or reads /proc/cpuinfo, and Go and the JVM ask
 * sched_getaffinity (sys_info.c). All of them agree with cpus_online_mask: the CPUs that came
 * up, not the ones the device tree listed (/proc/cpuinfo is procfs.c's, one stanza per CPU that
 * came up). */
#include "kernel.h"
#include "cpu.h"
#include "kfile.h"
#include "memfile.h"
#include "mm.h"
#include "arch.h"
#include "linux_abi.h"
#include <string.h>

size_t cpu_list(char *buf, size_t size, uint64_t mask)
{
    size_t n = 0;
    for (int i = 0; i < MAX_CPUS && n < size; ) {
        if (!(mask & (1ULL << i))) {
            i++;
            continue;
        }
        int j = i;
        while (j + 1 < MAX_CPUS && (mask & (1ULL << (j + 1))))
            j++;
        n += snprintf(buf + n, size - n, n ? ",%d" : "%d", i);
        if (j > i && n < size)
            n += snprintf(buf + n, size - n, "-%d", j);
        i = j + 1;
    }
    if (n < size)
        n += snprintf(buf + n, size - n, "\n");
    return n < size ? n : size - 1;
}

static struct file *online_open(const char *path, int flags)
{
    char text[256];
    return memfile_open(text, cpu_list(text, sizeof(text), cpus_online_mask), 0444, flags);
}

/* One cpuN directory per CPU that came up, as get_nprocs_conf counts them. */
static char cpu_dirs[MAX_CPUS][32];

void cpuinfo_init(void)
{
    kfile_register("/sys/devices/system/cpu/online", online_open, S_IFREG | 0444);
    kfile_register("/sys/devices/system/cpu/possible", online_open, S_IFREG | 0444);
    kfile_register("/sys/devices/system/cpu/present", online_open, S_IFREG | 0444);
    for (int i = 0; i < MAX_CPUS; i++)
        if (cpus_online_mask & (1ULL << i)) {
            snprintf(cpu_dirs[i], sizeof(cpu_dirs[i]), "/sys/devices/system/cpu/cpu%d", i);
            kfile_register_dir(cpu_dirs[i]);
        }
}
