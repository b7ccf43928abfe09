/* /proc/<pid>/limits: the process's resource limits (proc/rlimit.c) in proc_pid_limits's table,
 * its column widths, names and units exactly (fs/proc/base.c). */
#include "kernel.h"
#include "kfile.h"
#include "procfs_pid.h"
#include "process.h"
#include "mm.h"
#include "linux_abi.h"
#include <string.h>

static const struct { const char *name, *unit; } names[RLIM_NLIMITS] = {
    { "Max cpu time", "seconds" },       { "Max file size", "bytes" },        { "Max data size", "bytes" },
    { "Max stack size", "bytes" },       { "Max core file size", "bytes" },   { "Max resident set", "bytes" },
    { "Max processes", "processes" },    { "Max open files", "files" },       { "Max locked memory", "bytes" },
    { "Max address space", "bytes" },    { "Max file locks", "locks" },       { "Max pending signals", "signals" },
    { "Max msgqueue size", "bytes" },    { "Max nice priority", NULL },       { "Max realtime priority", NULL },
    { "Max realtime timeout", "us" },
};

static size_t limit_field(char *buf, size_t size, uint64_t value)
{
    return value == RLIM_INFINITY ? (size_t)snprintf(buf, size, "%-20s ", "unlimited")
                                  : (size_t)snprintf(buf, size, "%-20lu ", value);
}

static struct file *limits_open(const char *path, int flags)
{
    struct process *p = process_of(path, NULL);
    if (!p)
        return NULL;
    size_t size = 128 * (RLIM_NLIMITS + 1), n;
    char *s = kmalloc(size);
    if (!s)
        return NULL;
    n = (size_t)snprintf(s, size, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
    for (int i = 0; i < RLIM_NLIMITS; i++) {
        n += (size_t)snprintf(s + n, size - n, "%-25s ", names[i].name);
        n += limit_field(s + n, size - n, p->rlimits[i].rlim_cur);
        n += limit_field(s + n, size - n, p->rlimits[i].rlim_max);
        n += names[i].unit ? (size_t)snprintf(s + n, size - n, "%-10s\n", names[i].unit)
                           : (size_t)snprintf(s + n, size - n, "\n");
    }
    return text_file(s, n, flags);
}

void procfs_limits_init(void)
{
    procfs_pid_entry("limits", kfile_template("limits", limits_open, NULL, NULL, PID_FILE));
}
