/* /proc/sysvipc/{msg,sem,shm}: every SysV IPC object of a kind, one line each in Linux's columns
 * (ipc/msg.c, sem.c, shm.c's sysvipc_*_proc_show), made from the tables when opened. As on Linux
 * every object is listed whoever reads (SHM_STAT_ANY's view). */
#include "kernel.h"
#include "kfile.h"
#include "memfile.h"
#include "linux_abi.h"
#include "mm.h"
#include "sysv_ipc.h"

#define LINE_MAX 256                   /* a line is under 200 bytes, the shm header too */

static struct file *table_file(size_t (*text)(char *, size_t), int flags)
{
    size_t size = (IPC_SLOTS + 1) * LINE_MAX;
    char *t = kmalloc(size);
    if (!t)
        return NULL;
    struct file *f = memfile_open(t, text(t, size), 0444, flags);
    kfree(t);
    return f;
}

static struct file *msg_open(const char *path, int flags) { return table_file(msg_proc_text, flags); }
static struct file *sem_open(const char *path, int flags) { return table_file(sem_proc_text, flags); }
static struct file *shm_open(const char *path, int flags) { return table_file(shm_proc_text, flags); }

void sysvipc_proc_init(void)
{
    kfile_register("/proc/sysvipc/msg", msg_open, S_IFREG | 0444);
    kfile_register("/proc/sysvipc/sem", sem_open, S_IFREG | 0444);
    kfile_register("/proc/sysvipc/shm", shm_open, S_IFREG | 0444);
}
