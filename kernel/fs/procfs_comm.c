/* /proc/<pid>/comm and /proc/<pid>/task/<tid>/comm opened for writing: Linux's comm_write. A
 * write names the thread (the process's main thread for /proc/<pid>/comm) with at most 15 of
 * its bytes, taken as they are (a trailing newline stays part of the name, as on Linux), and
 * says it wrote them all; only a thread of the writer's own process may be renamed (EINVAL
 * otherwise), and PR_GET_NAME sees the change. Reading shows the name then, not at the open. */
#include "kernel.h"
#include "file.h"
#include "process.h"
#include "thread.h"
#include "procfs_comm.h"
#include "mm.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

struct comm_target { int pid, tid; };   /* tid 0: the process's main thread */

static struct thread *target_thread(const struct comm_target *c)
{
    struct process *p = process_find(c->pid);
    if (!p || p->state != PROCESS_LIVE)
        return NULL;
    for (struct thread *t = p->threads; t; t = t->next)
        if (t->tid == (c->tid ? c->tid : c->pid) && t->state != THREAD_DEAD)
            return t;
    return NULL;
}

static int64_t comm_read(struct file *f, void *kbuf, uint64_t len, uint64_t off, bool use_off)
{
    struct thread *t = target_thread(f->priv);
    if (!t)
        return -ESRCH;
    char text[17];
    size_t n = strnlen(t->comm, 15);
    memcpy(text, t->comm, n);
    text[n++] = '\n';
    uint64_t at = use_off ? off : f->offset;
    uint64_t count = at < n ? (n - at < len ? n - at : len) : 0;
    memcpy(kbuf, text + at, count);
    if (!use_off)
        f->offset += count;
    return (int64_t)count;
}

static int64_t comm_write(struct file *f, const void *kbuf, uint64_t len)
{
    struct thread *t = target_thread(f->priv);
    if (!t)
        return -ESRCH;
    if (t->proc != current_process())
        return -EINVAL;
    char name[16] = { 0 };
    memcpy(name, kbuf, len < 15 ? len : 15);
    memcpy(t->comm, name, sizeof(name));
    return (int64_t)len;
}

static int64_t comm_write_at(struct file *f, const void *kbuf, uint64_t len, uint64_t offset)
{
    return comm_write(f, kbuf, len);   /* Linux ignores the position too */
}

/* As Linux's proc files: a regular file of size 0. */
static int comm_stat(struct file *f, struct linux_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_dev = 6;
    st->st_ino = (uint64_t)(uintptr_t)f->priv >> 4;
    st->st_mode = S_IFREG | 0644;
    st->st_nlink = 1;
    st->st_blksize = 4096;
    return 0;
}

static void comm_release(struct file *f) { kfree(f->priv); }

static const struct file_ops comm_ops = {
    .kind = FILE_MEMORY, .read = comm_read, .stat = comm_stat, .write = comm_write, .write_at = comm_write_at,
    .release = comm_release, .seekable = true,
};

struct file *procfs_comm_open_writable(int pid, int tid, int flags)
{
    struct comm_target *c = kmalloc(sizeof(*c));
    if (!c)
        return NULL;
    *c = (struct comm_target){ pid, tid };
    struct file *f = file_alloc(&comm_ops, c, flags);
    if (!f)
        kfree(c);
    return f;
}
