/* /proc/sys/kernel: the sysctls programs read to learn what the system is (kernel/sysctl.c,
 * kernel/utsname_sysctl.c), each the value uname or the process table has, and a newline.
 * /proc/version is here too: the line uname's fields make, as fs/proc/version.c prints it.
 * Read-only here: sethostname/setdomainname change the names, there is no sysctl to write. */
#include "kernel.h"
#include "kfile.h"
#include "procfs.h"
#include "memfile.h"
#include "process.h"
#include "uts.h"
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
static struct file *version_open(const char *path, int flags) { return line_file(UTS_VERSION(KERNEL_VERSION), flags); }
static struct file *hostname_open(const char *path, int flags) { return line_file(uts_hostname(), flags); }
static struct file *domainname_open(const char *path, int flags) { return line_file(uts_domainname(), flags); }

static struct file *pid_max_open(const char *path, int flags)
{
    char t[16];
    snprintf(t, sizeof(t), "%d", PID_MAX);
    return line_file(t, flags);
}

/* "Linux version RELEASE (BUILDER) (COMPILER) VERSION": what tools (and bug reports) read. */
static struct file *proc_version_open(const char *path, int flags)
{
    char t[192];
    int n = snprintf(t, sizeof(t), "%s version %s (unibuild@unibuild) (gcc version " __VERSION__ ") %s\n",
                     UTS_SYSNAME, UTS_RELEASE, UTS_VERSION(KERNEL_VERSION));
    return memfile_open(t, (size_t)n, 0444, flags);
}

void procfs_sys_init(void)
{
    kfile_register("/proc/version", proc_version_open, S_IFREG | 0444);
    kfile_register("/proc/sys/kernel/ostype", ostype_open, S_IFREG | 0444);
    kfile_register("/proc/sys/kernel/osrelease", osrelease_open, S_IFREG | 0444);
    kfile_register("/proc/sys/kernel/version", version_open, S_IFREG | 0444);
    kfile_register("/proc/sys/kernel/hostname", hostname_open, S_IFREG | 0444);
    kfile_register("/proc/sys/kernel/domainname", domainname_open, S_IFREG | 0444);
    kfile_register("/proc/sys/kernel/pid_max", pid_max_open, S_IFREG | 0444);
}
