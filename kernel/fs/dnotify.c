/* dnotify (fcntl F_NOTIFY), as Linux's fs/notify/dnotify: a process asks to be told, by SIGIO or
 * F_SETSIG's signal with si_code POLL_MSG and si_fd, when entries of a directory are accessed,
 * modified, created, deleted, renamed or have their attributes changed. A mark belongs to the
 * (file, descriptor table) pair that made it: closing any of that table's descriptors of the
 * file ends it, as filp_close's dnotify_flush. Without DN_MULTISHOT a mark ends after its first
 * signal. The events come from inotify's hooks (inotify.c), which sit where Linux's fsnotify
 * calls are. */
#include "kernel.h"
#include "file.h"
#include "process.h"
#include "vfs.h"
#include "vnode.h"
#include "dnotify.h"
#include "mm.h"
#include "errno.h"
#include "linux_uapi.h"

#define DN_ACCESS    0x00000001u
#define DN_MODIFY    0x00000002u
#define DN_CREATE    0x00000004u
#define DN_DELETE    0x00000008u
#define DN_RENAME    0x00000010u
#define DN_ATTRIB    0x00000020u
#define DN_MULTISHOT 0x80000000u
#define POLL_MSG 3

struct mark {
    struct vnode *dir;
    struct file *file;                 /* not held: the owner's descriptor keeps it open */
    struct process *owner;             /* whose descriptor table made it */
    int fd;
    uint32_t mask;                     /* DN_* */
    struct mark *next;
};

static struct mark *marks;

/* Linux's convert_arg, read backwards: the DN_* bits an inotify event stands for. */
static uint32_t dn_bits(uint32_t in_mask)
{
    uint32_t dn = 0;
    if (in_mask & IN_ACCESS)
        dn |= DN_ACCESS;
    if (in_mask & IN_MODIFY)
        dn |= DN_MODIFY;
    if (in_mask & (IN_CREATE | IN_MOVED_TO))
        dn |= DN_CREATE;
    if (in_mask & (IN_DELETE | IN_MOVED_FROM))
        dn |= DN_DELETE;
    if (in_mask & IN_ATTRIB)
        dn |= DN_ATTRIB;
    return dn;
}

static void flush(struct process *p, struct file *f)
{
    for (struct mark **link = &marks; *link;) {
        struct mark *m = *link;
        if (m->owner == p && m->file == f) {
            *link = m->next;
            kfree(m);
        } else {
            link = &m->next;
        }
    }
}

void dnotify_close(struct process *p, struct file *f)
{
    if (marks)
        flush(p, f);
}

static void notify(struct vnode *dir, uint32_t dn)
{
    for (struct mark **link = &marks; *link;) {
        struct mark *m = *link;
        if (m->dir != dir || !(m->mask & dn)) {
            link = &m->next;
            continue;
        }
        file_send_sigio(m->file, m->fd, POLL_MSG);
        if (m->mask & DN_MULTISHOT) {
            link = &m->next;
        } else {
            *link = m->next;
            kfree(m);
        }
    }
}

void dnotify_event(struct vnode *dir, uint32_t in_mask)
{
    if (marks && dir)
        notify(dir, dn_bits(in_mask));
}

void dnotify_renamed(struct vnode *old_dir, struct vnode *new_dir)
{
    if (marks && old_dir == new_dir)
        notify(old_dir, DN_RENAME);
}

int dnotify_fcntl(struct process *p, int fd, struct file *f, uint32_t arg)
{
    if ((arg & ~DN_MULTISHOT) == 0) {  /* no events: the mark is removed */
        flush(p, f);
        return 0;
    }
    if (f->kind != FILE_VNODE || vfs_type(f->vnode) != VNODE_DIR)
        return -ENOTDIR;
    f->owner = p->pid;                 /* __f_setown(current's thread group) */
    for (struct mark *m = marks; m; m = m->next)
        if (m->owner == p && m->file == f) {
            m->fd = fd;
            m->mask |= arg;            /* attach_dn: more events on the same mark */
            return 0;
        }
    struct mark *m = kzalloc(sizeof(*m));
    if (!m)
        return -ENOMEM;
    *m = (struct mark){ .dir = f->vnode, .file = f, .owner = p, .fd = fd, .mask = arg, .next = marks };
    marks = m;
    return 0;
}
