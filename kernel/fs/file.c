/* Open-file objects: reference counting, the calls generic code makes through a file's ops, and
 * the ops of VFS files and directories. Every other kind brings its own ops (devfs.c, pipe.c,
 * the socket layer, ...). */
#include "kernel.h"
#include "file.h"
#include "filelock.h"
#include "vfs.h"
#include "inotify.h"
#include "mm.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

uint64_t file_anon_ino(void)
{
    static uint64_t last = 4096;       /* past the few the kernel's own files would take on Linux */
    return ++last;                     /* callers hold the kernel lock (kernel_lock.c) */
}

struct file *file_alloc(const struct file_ops *ops, void *priv, int flags)
{
    struct file *f = kzalloc(sizeof(*f));
    if (!f)
        return NULL;
    f->kind = ops->kind;
    f->ops = ops;
    f->priv = priv;
    f->flags = flags;
    f->refs = 1;
    return f;
}

/* The last reference: the kind frees its state, then every waiter (an epoll watching this file)
 * is told to let go before the memory is reused. */
void file_put(struct file *f)
{
    if (--f->refs > 0)
        return;
    filelock_release(f);
    if (f->ops->release)
        f->ops->release(f);
    wake_up(&f->waiters, WAKE_RELEASE);
    kfree(f);
}

static void signal_owner(struct file *f, uint32_t events)
{
    if ((f->flags & O_ASYNC) && f->owner && (events & (POLLIN | POLLOUT | POLLERR | POLLHUP)))
        file_signal_owner(f, events);
}

void file_wake(struct file *f, uint32_t events)
{
    wake_up(&f->waiters, events);
    signal_owner(f, events);
}

void file_wake_keyless(struct file *f, uint32_t events)
{
    wake_up(&f->waiters, 0);
    signal_owner(f, events);
}

int64_t file_read(struct file *f, void *kbuf, uint64_t len, uint64_t offset, bool use_offset)
{
    return f->ops->read ? f->ops->read(f, kbuf, len, offset, use_offset) : -EINVAL;
}

int64_t file_write(struct file *f, const void *kbuf, uint64_t len)
{
    return f->ops->write ? f->ops->write(f, kbuf, len) : -EINVAL;
}

int64_t file_write_at(struct file *f, const void *kbuf, uint64_t len, uint64_t offset, bool use_offset)
{
    if (use_offset && f->ops->write_at)
        return f->ops->write_at(f, kbuf, len, offset);
    return file_write(f, kbuf, len);
}

uint32_t file_poll(struct file *f)
{
    return f->ops->poll ? f->ops->poll(f) : POLL_ALWAYS;
}

int64_t file_ioctl(struct file *f, uint32_t cmd, uint64_t arg)
{
    return f->ops->ioctl ? f->ops->ioctl(f, cmd, arg) : -ENOTTY;
}

int file_stat(struct file *f, struct linux_stat *st)
{
    memset(st, 0, sizeof(*st));
    return f->ops->stat ? f->ops->stat(f, st) : -EINVAL;
}

int vnode_stat(struct vnode *v, struct linux_stat *st)
{
    struct vstat vs;
    memset(st, 0, sizeof(*st));
    int err = vfs_stat(v, &vs);
    if (err)
        return err;
    st->st_dev = 1;
    st->st_ino = vs.ino;
    st->st_mode = vs.mode;
    st->st_nlink = vs.nlink;
    st->st_rdev = vs.rdev;
    st->st_uid = vs.uid;
    st->st_gid = vs.gid;
    st->st_size = vs.size;
    st->st_blksize = vs.blksize;
    st->st_blocks = vs.blocks;
    st->st_atime_sec = vs.atime_ns / 1000000000UL;
    st->st_atime_nsec = vs.atime_ns % 1000000000UL;
    st->st_mtime_sec = vs.mtime_ns / 1000000000UL;
    st->st_mtime_nsec = vs.mtime_ns % 1000000000UL;
    st->st_ctime_sec = vs.ctime_ns / 1000000000UL;
    st->st_ctime_nsec = vs.ctime_ns % 1000000000UL;
    return 0;
}

static int64_t vnode_file_read(struct file *f, void *kbuf, uint64_t len, uint64_t offset, bool use_offset)
{
    if (vfs_type(f->vnode) == VNODE_DIR)
        return -EISDIR;
    int64_t n = vfs_read(f->vnode, use_offset ? offset : f->offset, kbuf, len);
    if (n > 0 && !use_offset)
        f->offset += n;
    if (n > 0)
        inotify_node_event(f->vnode, IN_ACCESS);
    return n;
}

/* On Linux, pwrite on an O_APPEND file appends anyway (pwrite(2), BUGS: kept for
 * compatibility), so both paths honour O_APPEND. */
static int64_t vnode_file_write_at(struct file *f, const void *kbuf, uint64_t len, uint64_t offset)
{
    if (f->flags & O_APPEND) {
        struct vstat st;
        vfs_stat(f->vnode, &st);
        offset = st.size;
    }
    int64_t n = vfs_write(f->vnode, offset, kbuf, len);
    if (n > 0)
        vfs_written(f->vnode, f->flags & O_DSYNC);   /* O_SYNC includes O_DSYNC's bit */
    return n;
}

static int64_t vnode_file_write(struct file *f, const void *kbuf, uint64_t len)
{
    int64_t n = vnode_file_write_at(f, kbuf, len, f->offset);
    if (n > 0) {
        if (f->flags & O_APPEND) {
            struct vstat st;
            vfs_stat(f->vnode, &st);
            f->offset = st.size;
        } else {
            f->offset += n;
        }
    }
    return n;
}

/* FMODE_WRITE: O_WRONLY or O_RDWR (O_ACCMODE 3 is neither), never O_PATH. */
static bool file_may_write_flags(int flags)
{
    return !(flags & O_PATH) && ((flags & O_ACCMODE) == O_WRONLY || (flags & O_ACCMODE) == O_RDWR);
}

static void vnode_file_release(struct file *f)
{
    if (!(f->flags & O_PATH))
        inotify_node_event(f->vnode, (f->flags & O_ACCMODE) == O_RDONLY ? IN_CLOSE_NOWRITE : IN_CLOSE_WRITE);
    if (!(f->flags & O_PATH) && file_may_write_flags(f->flags))
        vfs_writer(f->vnode, -1);
    vfs_put(f->vnode);
}

static int vnode_file_stat(struct file *f, struct linux_stat *st)
{
    return vnode_stat(f->vnode, st);
}

/* Regular files and directories have no poll: always ready, and epoll refuses them (EPERM). */
static const struct file_ops vnode_file_ops = {
    .kind = FILE_VNODE,
    .read = vnode_file_read,
    .write = vnode_file_write,
    .write_at = vnode_file_write_at,
    .stat = vnode_file_stat,
    .release = vnode_file_release,
    .seekable = true,
};

struct file *file_open_vnode(struct vnode *vnode, int flags)
{
    struct file *f = file_alloc(&vnode_file_ops, NULL, flags);
    if (f) {
        f->vnode = vnode;
        vfs_get(vnode);
        if (!(flags & O_PATH) && file_may_write_flags(flags))
            vfs_writer(vnode, 1);
        if (!(flags & O_PATH))
            inotify_node_event(vnode, IN_OPEN);
    }
    return f;
}
