/* A process's descriptor table: an array grown on demand (doubling) up to the soft
 * RLIMIT_NOFILE, so a program that raises its limit to 60,000 gets 60,000 descriptors and one
 * that never opens much pays for a few dozen slots. */
#include "kernel.h"
#include "process.h"
#include "file.h"
#include "dnotify.h"
#include "filelock.h"
#include "mm.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

/* Room for descriptor `fd`: 0, or -ENOMEM. */
static int grow(struct process *p, int fd)
{
    if (fd < p->fd_slots)
        return 0;
    int slots = p->fd_slots ? p->fd_slots : 64;
    while (slots <= fd)
        slots *= 2;
    struct file **fds = kzalloc(sizeof(*fds) * (size_t)slots);
    bool *cloexec = kzalloc(sizeof(*cloexec) * (size_t)slots);
    if (!fds || !cloexec) {
        kfree(fds);
        kfree(cloexec);
        return -ENOMEM;
    }
    if (p->fd_slots) {
        memcpy(fds, p->fds, sizeof(*fds) * (size_t)p->fd_slots);
        memcpy(cloexec, p->cloexec, sizeof(*cloexec) * (size_t)p->fd_slots);
    }
    kfree(p->fds);
    kfree(p->cloexec);
    p->fds = fds;
    p->cloexec = cloexec;
    p->fd_slots = slots;
    return 0;
}

/* The lowest free descriptor at or above min. The scan starts at fd_free_from when min is below
 * it (every descriptor under fd_free_from is in use), so opening n descriptors costs O(n), not
 * O(n^2): CPython's test_above_fd_setsize opens 65,000. */
int fd_alloc(struct process *p, struct file *f, int min, bool cloexec)
{
    int start = min < 0 ? 0 : min;
    bool lowest = start <= p->fd_free_from;
    for (int fd = lowest ? p->fd_free_from : start; (uint64_t)fd < p->fd_limit; fd++) {
        if (fd < p->fd_slots && p->fds[fd])
            continue;
        if (grow(p, fd))
            return -ENOMEM;
        p->fds[fd] = f;
        p->cloexec[fd] = cloexec;
        if (lowest)
            p->fd_free_from = fd + 1;
        return fd;
    }
    return -EMFILE;
}

static void slot_freed(struct process *p, int fd)
{
    p->fds[fd] = NULL;
    if (fd < p->fd_free_from)
        p->fd_free_from = fd;
}

struct file *fd_get(struct process *p, int fd)
{
    if (fd < 0 || fd >= p->fd_slots)
        return NULL;
    return p->fds[fd];
}

struct file *fd_get_open(struct process *p, int fd)
{
    struct file *f = fd_get(p, fd);
    return f && !(f->flags & O_PATH) ? f : NULL;
}

int fd_install(struct process *p, int fd, struct file *f, bool cloexec)
{
    if (grow(p, fd))
        return -ENOMEM;
    struct file *old = p->fds[fd];
    p->fds[fd] = f;
    p->cloexec[fd] = cloexec;
    if (old) {
        filelock_close(p, old);
        dnotify_close(p, old);
        file_put(old);
    }
    return 0;
}

void fd_close(struct process *p, int fd)
{
    struct file *f = fd_get(p, fd);
    if (!f)
        return;
    slot_freed(p, fd);
    filelock_close(p, f);
    dnotify_close(p, f);
    file_put(f);
}

void fd_forget(struct process *p, int fd)
{
    if (fd >= 0 && fd < p->fd_slots)
        slot_freed(p, fd);
}

bool fd_cloexec(struct process *p, int fd) { return fd >= 0 && fd < p->fd_slots && p->cloexec[fd]; }

void fd_set_cloexec(struct process *p, int fd, bool on)
{
    if (fd >= 0 && fd < p->fd_slots)
        p->cloexec[fd] = on;
}

int fd_table_end(struct process *p) { return p->fd_slots; }

/* fork: the child's table names the same open files (shared offsets and flags, as on Linux),
 * so each gains a reference; close-on-exec marks are per descriptor and copied. */
int fd_table_copy(struct process *to, const struct process *from)
{
    if (from->fd_slots && grow(to, from->fd_slots - 1))
        return -ENOMEM;
    for (int fd = 0; fd < from->fd_slots; fd++) {
        struct file *f = from->fds[fd];
        if (!f)
            continue;
        f->refs++;
        to->fds[fd] = f;
        to->cloexec[fd] = from->cloexec[fd];
    }
    to->fd_limit = from->fd_limit;
    to->fd_free_from = from->fd_free_from;
    return 0;
}

void fd_close_all(struct process *p)
{
    for (int fd = 0; fd < p->fd_slots; fd++)
        fd_close(p, fd);
    kfree(p->fds);
    kfree(p->cloexec);
    p->fds = NULL;
    p->cloexec = NULL;
    p->fd_slots = 0;
    p->fd_free_from = 0;
}

void fd_close_on_exec(struct process *p)
{
    for (int fd = 0; fd < p->fd_slots; fd++)
        if (p->fds[fd] && p->cloexec[fd])
            fd_close(p, fd);
}
