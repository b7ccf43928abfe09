/* /proc/sys/kernel: the sysctls programs read to learn what the system is (kernel/sysctl.c,
 * kernel/utsname_sysctl.c), each the value uname or the process table has, and a newline.
 * Read-only here: sethostname/setdomainname change the names, there is no sysctl to write. */
#include "kernel.h"
#include "kfile.h"
#include "procfs.h"
#include "memfile.h"
#include "process.h"
#include "uts.h"
#include "aio.h"
#include "linux_abi.h"
#include <string.h>

static struct file *line_file(const char *value, int flags)
{
    char t[UTS_NAME_LEN + 2];
    int n = snprintf(t, sizeof(t), "%s\n", value);
    return memfile_open(t, (size_t)n, 0444, flags);
}

static struct file *ostype_open(const char *path, int flags) { return line_file(UTS_SYSNAME, flags); }
static struct file *osrelease_open(const char *path, int flags) { return line_file(UTS_RELEASE, flags); }
static struct file *hostname_open(const char *path, int flags) { return line_file(uts_hostname(), flags); }
static struct file *domainname_open(const char *path, int flags) { return line_file(uts_domainname(), flags); }

static struct file *pid_max_open(const char *path, int flags)
{
    char t[16];
    snprintf(t, sizeof(t), "%d", PID_MAX);
    return line_file(t, flags);
}

/* fs.aio-nr: the io_setup sizes of the live contexts; fs.aio-max-nr: their limit. */
static struct file *aio_nr_open(const char *path, int flags)
{
    char t[24];
    snprintf(t, sizeof(t), "%lu", aio_nr);
    return line_file(t, flags);
}

static struct file *aio_max_nr_open(const char *path, int flags)
{
    char t[24];
    snprintf(t, sizeof(t), "%lu", aio_max_nr);
    return line_file(t, flags);
}

void procfs_sys_init(void)
{
    kfile_register("/proc/sys/fs/aio-nr", aio_nr_open, S_IFREG | 0444);
    kfile_register("/proc/sys/fs/aio-max-nr", aio_max_nr_open, S_IFREG | 0444);
    kfile_register("/proc/sys/kernel/ostype", ostype_open, S_IFREG | 0444);
    kfile_register("/proc/sys/kernel/osrelease", osrelease_open, S_IFREG | 0444);
    kfile_register("/proc/sys/kernel/hostname", hostname_open, S_IFREG | 0444);
    kfile_register("/proc/sys/kernel/domainname", domainname_open, S_IFREG | 0444);
    kfile_register("/proc/sys/kernel/pid_max", pid_max_open, S_IFREG | 0444);
}
