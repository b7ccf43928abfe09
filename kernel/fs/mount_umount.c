/* umount2's side of the mount table (fs/mount.c), as Linux's do_umount: what makes a mount
 * busy, MNT_DETACH, MNT_EXPIRE, and freeing a tmpfs tree nobody holds. */
#include "kernel.h"
#include "errno.h"
#include "mm.h"
#include "mount.h"
#include "mount_internal.h"
#include "vfs.h"
#include "vnode.h"
#include "volume.h"
#include "process.h"
#include "linux_uapi.h"
#include <string.h>

/* ---- umount ---- */

bool mnt_below(const struct vnode *v, const struct vnode *top)
{
    for (const struct vnode *n = v; n; n = n->parent == n ? NULL : n->parent)
        if (n == top)
            return true;
    return false;
}

/* Something holds a node of m's tree: an open file or mapping, a process's cwd or root. */
static bool tree_in_use(const struct vnode *v, int depth)
{
    if (v->users > (depth ? 0u : (uint32_t)mnt_root_holds(v)) || v->mappings)
        return true;                   /* (a bind's own hold on its root does not count) */
    if (v->type != VNODE_DIR || !v->listed || depth > 64)
        return false;                  /* an unlisted directory has no nodes made below it */
    for (struct dentry *d = v->entries; d; d = d->next)
        if (d->v->parent == v && tree_in_use(d->v, depth + 1))
            return true;
    return false;
}

static bool busy(const struct mount *m)
{
    for (struct mount *s = mnt_ns_now()->list; s; s = s->next)
        if (s != m && mnt_attached(s) && mnt_below(s->dir, m->root))
            return true;               /* a mount below it */
    for (struct process *p = process_first(); p; p = p->all_next)
        if (p->state == PROCESS_LIVE && ((p->cwd && mnt_below(p->cwd, m->root)) || (p->root && mnt_below(p->root, m->root)) ||
                                         (p->exe && mnt_below(p->exe, m->root))))
            return true;
    return tree_in_use(m->root, 0);
}

/* Free a tmpfs tree nobody holds (every entry unlinked, children first). */
static void free_tree(struct vnode *dir, int depth)
{
    struct dentry *d;
    while (depth < 64 && (d = dir->entries)) {
        if (d->v->type == VNODE_DIR && d->v->parent == dir)
            free_tree(d->v, depth + 1);
        vnode_unlink(dir, d);
    }
}

static void detach(struct mnt_ns *ns, struct mount *m)
{
    for (struct mount **pp = &ns->list; *pp; pp = &(*pp)->next)
        if (*pp == m) {
            *pp = m->next;
            break;
        }
}

/* m is gone from every list: its file system goes with its last mount, its tree too when a
 * tmpfs's nodes are held by nothing (else they live while held, unnamed). */
void mnt_put(struct mount *m, bool in_use)
{
    struct superblock *sb = m->sb;
    if (sb && --sb->refs == 0 && sb->root && (sb->tmpfs || !strcmp(sb->type, "ramfs"))) {
        if (!in_use) {
            free_tree(sb->root, 0);
            kfree(sb->root);
        }
        kfree(sb);
    }
    mnt_discard(m);
}

int mount_umount(struct vnode *at, int flags)
{
    struct mount *m = mnt_rooted_at(at);
    if (!m && at == vfs_root() && at == vfs_lookup_root() && !(flags & (UMOUNT_DETACH | UMOUNT_EXPIRE))) {
        mnt_tree_read_only = true;         /* do_umount_root: the root is remounted read-only */
        return 0;
    }
    if (!m)
        return at == vfs_lookup_root() || at == vfs_root() ? -EBUSY : mnt_volume_root(at) ? -ENOSYS : -EINVAL;
    if ((flags & UMOUNT_EXPIRE) && (flags & (UMOUNT_FORCE | UMOUNT_DETACH)))
        return -EINVAL;
    if (flags & UMOUNT_EXPIRE) {       /* the first ask marks, the next unmounts an unused mount */
        if (busy(m))
            return -EBUSY;
        if (!m->expire_marked) {
            m->expire_marked = true;
            return -EAGAIN;
        }
    }
    bool in_use = busy(m);
    if (in_use && !(flags & UMOUNT_DETACH))
        return -EBUSY;
    struct mnt_ns *ns = mnt_ns_now();
    if (flags & UMOUNT_DETACH) {       /* umount_tree: the mounts below it go too */
        for (struct mount *s = ns->list, *next; s; s = next) {
            next = s->next;
            if (s != m && mnt_attached(s) && mnt_below(s->dir, m->root)) {
                detach(ns, s);         /* their nodes stay while anyone holds them */
                mnt_put(s, true);
            }
        }
    }
    detach(ns, m);
    mnt_put(m, in_use);
    return 0;
}
