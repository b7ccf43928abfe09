/* Who the process is: its ids and credentials, groups, umask, and the name and flags prctl sets.
 * There is one process, running as root with no supplementary groups unless it sets some. */
#include "kernel.h"
#include "linux_uapi.h"
#include "syscall.h"
#include "process.h"
#include "thread.h"
#include "uaccess.h"
#include "errno.h"
#include <string.h>

#define MAX_GROUPS  64   /* what we keep; more is ENOMEM rather than a silent truncation */

static uint32_t groups[MAX_GROUPS];
static int ngroups;
static char comm[16] = "main";
static int dumpable = 1, no_new_privs, pdeathsig;

SYSCALL(getpid) { return current_process()->pid; }
SYSCALL(getppid) { struct process *p = current_process(); return p->parent ? p->parent->pid : 0; }
SYSCALL(getuid) { return 0; }
SYSCALL(geteuid) { return 0; }
SYSCALL(getgid) { return 0; }
SYSCALL(getegid) { return 0; }

SYSCALL(umask)
{
    uint32_t old = current_process()->umask;
    current_process()->umask = a0 & 0777;
    return old;
}

SYSCALL(getresuid)
{
    uint32_t zero = 0;
    if (copy_to_user(a0, &zero, 4) || copy_to_user(a1, &zero, 4) || copy_to_user(a2, &zero, 4))
        return -EFAULT;
    return 0;
}

SYSCALL(getresgid)
{
    return sys_getresuid(a0, a1, a2, a3, a4, a5);
}

SYSCALL(getgroups)
{
    int size = (int)a0;
    if (size < 0)
        return -EINVAL;
    if (size == 0)
        return ngroups;
    if (size < ngroups)
        return -EINVAL;
    return copy_to_user(a1, groups, ngroups * sizeof(uint32_t)) ? -EFAULT : ngroups;
}

SYSCALL(setgroups)
{
    int64_t n = (int64_t)a0;
    if (n < 0 || n > NGROUPS_MAX)
        return -EINVAL;
    if (n > MAX_GROUPS)
        return -ENOMEM;
    if (copy_from_user(groups, a1, n * sizeof(uint32_t)))
        return -EFAULT;
    ngroups = (int)n;
    return 0;
}

SYSCALL(prctl)
{
    switch ((int)a0) {
    case PR_SET_NAME: {
        char name[16];
        int64_t n = strncpy_from_user(name, a1, sizeof(name));
        if (n == -EFAULT)
            return -EFAULT;
        name[15] = 0;   /* longer names are truncated, as on Linux */
        memcpy(comm, name, sizeof(comm));
        return 0;
    }
    case PR_GET_NAME:
        return copy_to_user(a1, comm, sizeof(comm)) ? -EFAULT : 0;
    case PR_SET_DUMPABLE:
        if (a1 > 1)
            return -EINVAL;
        dumpable = (int)a1;
        return 0;
    case PR_GET_DUMPABLE:
        return dumpable;
    case PR_SET_NO_NEW_PRIVS:
        if (a1 != 1 || a2 || a3 || a4)
            return -EINVAL;
        no_new_privs = 1;
        return 0;
    case PR_GET_NO_NEW_PRIVS:
        if (a1 || a2 || a3 || a4)
            return -EINVAL;
        return no_new_privs;
    case PR_SET_PDEATHSIG:
        if (a1 > 64)
            return -EINVAL;
        pdeathsig = (int)a1;
        return 0;
    case PR_GET_PDEATHSIG:
        return copy_to_user(a1, &pdeathsig, sizeof(int)) ? -EFAULT : 0;
    case PR_SET_TAGGED_ADDR_CTRL:
        /* Only the enable bit: the MTE fields need MTE, which no CPU here offers to us. */
        if (a2 || a3 || a4 || (a1 & ~(uint64_t)PR_TAGGED_ADDR_ENABLE))
            return -EINVAL;
        current_thread()->tagged_addr = a1 & PR_TAGGED_ADDR_ENABLE;
        return 0;
    case PR_GET_TAGGED_ADDR_CTRL:
        if (a1 || a2 || a3 || a4)
            return -EINVAL;
        return current_thread()->tagged_addr ? PR_TAGGED_ADDR_ENABLE : 0;
    default:
        return -EINVAL;
    }
}
