/* The one process the unikernel runs, and its descriptor table. */
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
    p->pid = 1;
    p->umask = 022;
    current = p;
    return p;
}

int fd_alloc(struct process *p, struct file *f, int min, bool cloexec)
{
    for (int fd = min < 0 ? 0 : min; fd < MAX_FDS; fd++) {
        if (!p->fds[fd]) {
            p->fds[fd] = f;
            p->cloexec[fd] = cloexec;
            return fd;
        }
    }
    return -EMFILE;
}

struct file *fd_get(struct process *p, int fd)
{
    if (fd < 0 || fd >= MAX_FDS)
        return NULL;
    return p->fds[fd];
}
