/* Process lifetime calls: exit_group (the end itself is process_exit in proc/exit.c) and the
 * child-process calls a program without children still makes (wait4: ECHILD, with Linux's
 * checks in Linux's order). */
#include "kernel.h"
#include "linux_uapi.h"
#include "syscall.h"
#include "process.h"
#include "errno.h"

SYSCALL(exit_group) { process_exit((int)a0); }

/* The program never has children (no fork in a unikernel). */
SYSCALL(wait4)
{
    uint32_t options = (uint32_t)a2;
    if (options & ~(uint32_t)(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE))
        return -EINVAL;
    if ((int32_t)a0 == INT32_MIN)
        return -ESRCH;
    return -ECHILD;
}
