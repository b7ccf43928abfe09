/* inotify: watches on nodes of the file tree, and a queue of events per instance, read as
 * struct inotify_event records. The tree reports what happens (inotify.h: the calls the VFS
 * makes, at the points Linux's fsnotify hooks sit); an event goes to the watches on the node it
 * concerns and, with the node's name, to the watches on its directory. As on Linux, an event
 * equal to the last one queued is merged into it, a queue holds at most 16384 events (then one
 * IN_Q_OVERFLOW), watch descriptors are never reused, and a watch that goes away (rm_watch,
 * IN_ONESHOT, the node deleted) says so with IN_IGNORED. */
#include "kernel.h"
#include "file.h"
#include "anonfd.h"
#include "inotify.h"
#include "dnotify.h"
#include "vnode.h"
#include "signal.h"
#include "mm.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"
#include "sysctl_limits.h"
#include <string.h>

#define MAX_QUEUED INOTIFY_MAX_QUEUED

struct event {
    struct event *next;
    int32_t wd;
    uint32_t mask, cookie;
    uint32_t len;              /* the name's room: NUL-padded to a multiple of 16 (0: no name) */
    char name[];
};

struct inotify {
    struct file *file;
    struct event *head, *tail;
    uint32_t queued;
    uint64_t bytes;
    int last_wd;
};

struct watch {
    struct vnode *v;
    struct inotify *in;
    int wd;
    uint32_t mask;
    struct watch *next;        /* every watch of every instance (programs have few) */
};

static struct watch *watches;
static uint32_t next_cookie;

static uint32_t record_size(const struct event *e) { return (uint32_t)sizeof(struct linux_inotify_event) + e->len; }

static void queue(struct inotify *in, int wd, uint32_t mask, uint32_t cookie, const char *name, size_t len)
{
    uint32_t room = name ? (uint32_t)ALIGN_UP(len + 1, sizeof(struct linux_inotify_event)) : 0;
    struct event *t = in->tail;
    if (t && t->wd == wd && t->mask == mask && t->cookie == cookie && t->len == room &&
        (!name || !memcmp(t->name, name, len)))
        return;                        /* the same as the last one: merged (inotify_merge) */
    if (in->queued >= MAX_QUEUED) {
        if (t && t->mask == IN_Q_OVERFLOW)
            return;
        wd = -1, mask = IN_Q_OVERFLOW, cookie = 0, name = NULL, room = 0;
    }
    struct event *e = kzalloc(sizeof(*e) + room);
    if (!e)
        return;
    e->wd = wd;
    e->mask = mask;
    e->cookie = cookie;
    e->len = room;
    if (name)
        memcpy(e->name, name, len);
    if (t)
        t->next = e;
    else
        in->head = e;
    in->tail = e;
    in->queued++;
    in->bytes += record_size(e);
    file_wake(in->file, POLLIN | POLLRDNORM);
}

static void drop_watch(struct watch *w, bool say_ignored)
{
    for (struct watch **p = &watches; *p; p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            break;
        }
    if (say_ignored)
        queue(w->in, w->wd, IN_IGNORED, 0, NULL, 0);
    kfree(w);
}

/* Every watch on v that asked for one of `mask`'s events gets it (with the name, when the event
 * is about an entry of the directory v). */
static void deliver(struct vnode *v, struct vnode *about, uint32_t mask, uint32_t cookie, const char *name, size_t len)
{
    uint32_t isdir = about && about->type == VNODE_DIR ? IN_ISDIR : 0;
    for (struct watch *w = watches, *next; w; w = next) {
        next = w->next;
        if (w->v != v || !(w->mask & mask))
            continue;
        queue(w->in, w->wd, (mask & w->mask) | isdir, cookie, name, len);
        if (w->mask & IN_ONESHOT)
            drop_watch(w, true);
    }
}

void inotify_entry_event(struct vnode *dir, struct vnode *child, uint32_t mask, uint32_t cookie, const char *name,
                         size_t len)
{
    if (watches)
        deliver(dir, child, mask, cookie, name, len);
    dnotify_event(dir, mask);
}

void inotify_self_event(struct vnode *v, uint32_t mask)
{
    if (watches)
        deliver(v, v, mask, 0, NULL, 0);
}

void inotify_node_event(struct vnode *v, uint32_t mask)
{
    bool named = v->parent && v->parent != v && v->nlink;
    if (named)                         /* dnotify: to its directory, and to a directory itself */
        dnotify_event(v->parent, mask);
    if (v->type == VNODE_DIR)
        dnotify_event(v, mask);
    if (!watches)
        return;
    if (named)
        deliver(v->parent, v, mask, 0, v->name, v->name_len);
    deliver(v, v, mask, 0, NULL, 0);
}

void inotify_node_gone(struct vnode *v)
{
    if (!watches)
        return;
    deliver(v, NULL, IN_DELETE_SELF, 0, NULL, 0);   /* no IN_ISDIR, even for a directory (Linux 6.18) */
    for (struct watch *w = watches, *next; w; w = next) {
        next = w->next;
        if (w->v == v)
            drop_watch(w, true);
    }
}

uint32_t inotify_move_cookie(void)
{
    return ++next_cookie ? next_cookie : ++next_cookie;
}

static bool has_event(void *arg) { return ((struct inotify *)arg)->head != NULL; }

/* Whole records only; a buffer too small for the first is EINVAL (Linux's inotify_read). */
static int64_t inotify_read(struct file *f, void *kbuf, uint64_t len, uint64_t off, bool use_off)
{
    struct inotify *in = f->priv;
    if (!in->head) {
        if (file_nonblock(f))
            return -EAGAIN;
        if (wait_until(has_event, in, WAIT_FOREVER))
            return -ERESTARTSYS;
    }
    uint64_t done = 0;
    while (in->head && len - done >= record_size(in->head)) {
        struct event *e = in->head;
        struct linux_inotify_event r = { e->wd, e->mask, e->cookie, e->len };
        memcpy((char *)kbuf + done, &r, sizeof(r));
        memcpy((char *)kbuf + done + sizeof(r), e->name, e->len);
        done += record_size(e);
        in->head = e->next;
        if (!in->head)
            in->tail = NULL;
        in->queued--;
        in->bytes -= record_size(e);
        kfree(e);
    }
    return done ? (int64_t)done : -EINVAL;
}

static uint32_t inotify_poll(struct file *f)
{
    return ((struct inotify *)f->priv)->head ? POLLIN | POLLRDNORM : 0;
}

static int64_t inotify_ioctl(struct file *f, uint32_t cmd, uint64_t arg)
{
    if (cmd != FIONREAD)
        return -ENOTTY;
    int32_t bytes = (int32_t)((struct inotify *)f->priv)->bytes;
    return copy_to_user(arg, &bytes, sizeof(bytes)) ? -EFAULT : 0;
}

static int inotify_stat(struct file *f, struct linux_stat *st)
{
    st->st_dev = 0xd;
    st->st_mode = 0600;
    st->st_nlink = 1;
    st->st_blksize = PAGE_SIZE;
    return 0;
}

static void inotify_release(struct file *f)
{
    struct inotify *in = f->priv;
    for (struct watch *w = watches, *next; w; w = next) {
        next = w->next;
        if (w->in == in)
            drop_watch(w, false);
    }
    while (in->head) {
        struct event *e = in->head;
        in->head = e->next;
        kfree(e);
    }
    kfree(in);
}

/* inotify_fdinfo: a line per watch, newest first as Linux's group lists its marks; the mask as
 * inotify_mark_user_mask gives it. No file handle follows: this tree has none to give
 * (name_to_handle_at is not there), as Linux prints for a filesystem without export support. */
static size_t inotify_fdinfo(struct file *f, char *buf, size_t size)
{
    size_t n = 0;
    for (struct watch *w = watches; w && n < size; w = w->next) {
        if (w->in != f->priv)
            continue;
        struct linux_stat st;
        vnode_stat(w->v, &st);
        n += (size_t)snprintf(buf + n, size - n, "inotify wd:%x ino:%lx sdev:%lx mask:%x ignored_mask:0 \n", w->wd,
                              st.st_ino, st.st_dev, w->mask & (IN_ALL_EVENTS | IN_EXCL_UNLINK | IN_ONESHOT));
    }
    return n < size ? n : size;
}

static const struct file_ops inotify_ops = {
    .kind = FILE_INOTIFY,
    .read = inotify_read,
    .poll = inotify_poll,
    .ioctl = inotify_ioctl,
    .stat = inotify_stat,
    .release = inotify_release,
    .show_fdinfo = inotify_fdinfo,
    .seekable = true,          /* Linux's noop_llseek */
};

struct file *inotify_create(int flags)
{
    struct inotify *in = kzalloc(sizeof(*in));
    if (!in)
        return NULL;
    in->file = file_alloc(&inotify_ops, in, O_RDONLY | (flags & O_NONBLOCK));
    if (!in->file)
        kfree(in);
    return in->file;
}

static struct inotify *inotify_of(struct file *f) { return f->ops == &inotify_ops ? f->priv : NULL; }

bool file_is_inotify(struct file *f) { return inotify_of(f) != NULL; }

int inotify_watch(struct file *f, struct vnode *v, uint32_t mask)
{
    struct inotify *in = inotify_of(f);
    if (!in)
        return -EINVAL;
    uint32_t keep = mask & (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK);
    for (struct watch *w = watches; w; w = w->next)
        if (w->in == in && w->v == v) {
            if (mask & IN_MASK_CREATE)
                return -EEXIST;
            w->mask = mask & IN_MASK_ADD ? w->mask | keep : keep;
            return w->wd;
        }
    struct watch *w = kzalloc(sizeof(*w));
    if (!w)
        return -ENOMEM;
    w->v = v;
    w->in = in;
    w->wd = ++in->last_wd;
    w->mask = keep;
    w->next = watches;
    watches = w;
    return w->wd;
}

int inotify_unwatch(struct file *f, int wd)
{
    struct inotify *in = inotify_of(f);
    if (!in)
        return -EINVAL;
    for (struct watch *w = watches; w; w = w->next)
        if (w->in == in && w->wd == wd) {
            drop_watch(w, true);
            return 0;
        }
    return -EINVAL;
}
