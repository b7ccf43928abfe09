/* The one process the unikernel runs (its descriptor table: fdtable.c). */
#include "kernel.h"
#include "process.h"
#include "file.h"
#include "vm.h"
#include "mm.h"
#include "errno.h"

static struct process *current;

struct process *current_process(void) { return current; }

struct process *process_create(void)
{
    struct process *p = kzalloc(sizeof(*p));
    if (!p)
        return NULL;
    p->vm = vm_create();
    if (!p->vm) {
        kfree(p);
        return NULL;
    }
    p->pid = PROCESS_PID;
    p->fd_limit = FD_LIMIT_DEFAULT;
    p->umask = 022;
    current = p;
    return p;
}
