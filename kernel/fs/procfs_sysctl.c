/* /proc/sys beyond kernel/'s names (procfs_sys.c): the sysctls programs read to size themselves
 * (Go's listen backlog from net.core.somaxconn, servers' fd tables from fs.nr_open, IPC users'
 * kernel.shm*, ...), each the limit this kernel really enforces (sysctl_limits.h, sysv_ipc.h,
 * process.h), printed as kernel/sysctl.c's proc_dointvec/proc_doulongvec do: the number(s),
 * tab-separated, and a newline. Read-only: there is no sysctl to write. A limit this kernel does
 * not have is not listed (no made-up figures), except where Linux's own value means "none". */
#include "kernel.h"
#include "kfile.h"
#include "procfs.h"
#include "memfile.h"
#include "process.h"
#include "random.h"
#include "sysctl_limits.h"
#include "sysv_ipc.h"
#include "linux_abi.h"
#include "linux_uapi.h"
#include <string.h>

struct sysctl_number {
    const char *path;
    uint64_t values[4];
    int count;
};

static const struct sysctl_number numbers[] = {
    { "/proc/sys/kernel/ngroups_max", { NGROUPS_MAX }, 1 },
    { "/proc/sys/kernel/cap_last_cap", { CAP_LAST_CAP }, 1 },
    { "/proc/sys/kernel/overflowuid", { 65534 }, 1 },   /* the uid a 16-bit call cannot say */
    { "/proc/sys/kernel/overflowgid", { 65534 }, 1 },
    { "/proc/sys/kernel/msgmax", { MSGMAX }, 1 },
    { "/proc/sys/kernel/msgmnb", { MSGMNB }, 1 },
    { "/proc/sys/kernel/msgmni", { MSGMNI }, 1 },
    { "/proc/sys/kernel/shmmax", { SHMMAX }, 1 },
    { "/proc/sys/kernel/shmall", { SHMALL }, 1 },
    { "/proc/sys/kernel/shmmni", { SHMMNI }, 1 },
    { "/proc/sys/kernel/sem", { SEMMSL, SEMMNS, SEMOPM, SEMMNI }, 4 },
    /* 256 since Linux 5.18: the pool is always full (drivers/char/random.c) */
    { "/proc/sys/kernel/random/entropy_avail", { 256 }, 1 },
    { "/proc/sys/kernel/random/poolsize", { 256 }, 1 },
    { "/proc/sys/fs/nr_open", { FD_NR_OPEN }, 1 },
    { "/proc/sys/fs/file-max", { INT64_MAX }, 1 },      /* no system-wide file limit: LONG_MAX */
    { "/proc/sys/fs/pipe-max-size", { PIPE_MAX_SIZE }, 1 },
    { "/proc/sys/fs/mqueue/msg_max", { MQ_MSG_MAX }, 1 },
    { "/proc/sys/fs/mqueue/msgsize_max", { MQ_MSGSIZE_MAX }, 1 },
    { "/proc/sys/fs/mqueue/queues_max", { MQ_QUEUES_MAX }, 1 },
    { "/proc/sys/fs/inotify/max_queued_events", { INOTIFY_MAX_QUEUED }, 1 },
    { "/proc/sys/net/core/somaxconn", { SOMAXCONN }, 1 },
    { "/proc/sys/net/ipv4/ip_local_port_range", { EPHEMERAL_PORT_FIRST, EPHEMERAL_PORT_LAST }, 2 },
};

static struct file *number_open(const char *path, int flags)
{
    for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
        if (strcmp(path, numbers[i].path))
            continue;
        char t[96];
        int n = 0;
        for (int v = 0; v < numbers[i].count; v++)
            n += snprintf(t + n, sizeof(t) - (size_t)n, "%s%lu", v ? "\t" : "", numbers[i].values[v]);
        t[n++] = '\n';
        return memfile_open(t, (size_t)n, 0444, flags);
    }
    return NULL;
}

/* A version 4 (random) UUID in its text form, as drivers/char/random.c's proc_do_uuid. */
static int format_uuid(char *t, size_t size, const uint8_t u[16])
{
    return snprintf(t, size, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\n",
                    u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
                    u[14], u[15]);
}

static void random_uuid(uint8_t u[16])
{
    random_bytes(u, 16);
    u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);   /* version 4 */
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);   /* the RFC 4122 variant */
}

/* uuid: a new one at every open; boot_id: the one of this boot, made at its first read. */
static struct file *uuid_open(const char *path, int flags)
{
    static uint8_t boot_id[16];
    static bool have_boot_id;
    uint8_t fresh[16];
    const uint8_t *u = fresh;
    if (!strcmp(path, "/proc/sys/kernel/random/boot_id")) {
        if (!have_boot_id) {
            random_uuid(boot_id);
            have_boot_id = true;
        }
        u = boot_id;
    } else {
        random_uuid(fresh);
    }
    char t[40];
    return memfile_open(t, (size_t)format_uuid(t, sizeof(t), u), 0444, flags);
}

void procfs_sysctl_init(void)
{
    for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
        kfile_register(numbers[i].path, number_open, S_IFREG | 0444);
    kfile_register("/proc/sys/kernel/random/uuid", uuid_open, S_IFREG | 0444);
    kfile_register("/proc/sys/kernel/random/boot_id", uuid_open, S_IFREG | 0444);
}
