/* /sys/devices/system/cpu, where glibc's sysconf(_SC_NPROCESSORS_ONLN) and get_nprocs_conf look
 * (online, and the cpuN directories), and which lscpu and nproc-like code read: one CPU, cpu0. */
#include "kernel.h"
#include "kfile.h"
#include "memfile.h"
#include "linux_abi.h"

#define CPU_DIR "/sys/devices/system/cpu"

/* The CPU list as Linux's cpumask_print_to_pagebuf writes it for one CPU. */
static struct file *cpu_list_open(const char *path, int flags)
{
    static const char list[] = "0\n";
    return memfile_open(list, sizeof(list) - 1, 0444, flags);
}

void sysfs_init(void)
{
    kfile_register(CPU_DIR "/online", cpu_list_open, S_IFREG | 0444);
    kfile_register(CPU_DIR "/possible", cpu_list_open, S_IFREG | 0444);
    kfile_register(CPU_DIR "/present", cpu_list_open, S_IFREG | 0444);
    kfile_register_dir(CPU_DIR "/cpu0");
}
