/* Mount namespaces (fs/mount.c's table per namespace), as Linux's copy_mnt_ns: unshare and
 * clone's CLONE_NEWNS, setns's mntns_install, /proc/<pid>/ns/mnt's number. */
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
#include "nsfs.h"

/* ---- mount namespaces ---- */


uint32_t mount_ns_inum(const struct process *p) { return mnt_ns_of(p)->inum; }

/* copy_mnt_ns: every mount of the caller's namespace again, in the same order, with new ids
 * (propagation kept: shared mounts stay in their peer groups). */
static struct mnt_ns *copy_ns(const struct mnt_ns *from)
{
    struct mnt_ns *ns = kzalloc(sizeof(*ns));
    if (!ns)
        return NULL;
    ns->refs = 1;
    ns->inum = nsfs_alloc_inum();
    ns->root_flags = from->root_flags;
    struct mount **tail = &ns->list;
    for (const struct mount *m = from->list; m; m = m->next) {   /* newest first, kept so */
        struct mount *c = kmalloc(sizeof(*c));
        if (c)
            *c = *m;
        if (!c || !(c->source = mnt_dup(m->source)) || !(c->root_path = mnt_dup(m->root_path))) {
            if (c) {
                kfree(c->source);
                kfree(c);
            }
            ns->next_ns = NULL;
            mount_ns_release_list(ns);
            kfree(ns);
            return NULL;
        }
        c->next = NULL;
        if (c->sb)
            c->sb->refs++;
        if (c->holds_root)
            vfs_get(c->root);
        *tail = c;
        tail = &c->next;
    }
    /* new ids in mount order (the list is newest first: number from its end) */
    int n = 0;
    for (struct mount *c = ns->list; c; c = c->next)
        n++;
    int first = mnt_alloc_ids(n);
    for (struct mount *c = ns->list; c; c = c->next)
        c->id = first + --n;
    ns->next_ns = mnt_all_ns->next_ns;   /* after the first one */
    mnt_all_ns->next_ns = ns;
    return ns;
}

void mount_ns_release_list(struct mnt_ns *ns)
{
    while (ns->list) {
        struct mount *m = ns->list;
        ns->list = m->next;
        mnt_put(m, true);            /* another namespace's process may still hold its nodes */
    }
}

int mount_ns_fork(struct process *child, const struct process *parent, bool fresh)
{
    struct mnt_ns *from = mnt_ns_of(parent);
    if (fresh)
        return (child->mnt_ns = copy_ns(from)) ? 0 : -ENOMEM;
    from->refs++;
    child->mnt_ns = from == &mnt_initial_ns ? NULL : from;
    return 0;
}

void mount_ns_drop(struct mnt_ns *ns)
{
    if (ns && ns != &mnt_initial_ns && --ns->refs == 0) {
        for (struct mnt_ns **pp = &mnt_all_ns; *pp; pp = &(*pp)->next_ns)
            if (*pp == ns) {
                *pp = ns->next_ns;
                break;
            }
        mount_ns_release_list(ns);
        kfree(ns);
    }
}

void mount_ns_release(struct process *p)
{
    struct mnt_ns *ns = p->mnt_ns;
    p->mnt_ns = NULL;
    mount_ns_drop(ns);
}

struct mnt_ns *mount_ns_hold(const struct process *p)
{
    struct mnt_ns *ns = mnt_ns_of(p);
    ns->refs++;
    return ns;
}

uint32_t mount_ns_number(const struct mnt_ns *ns) { return ns->inum; }

void mount_ns_enter(struct process *p, struct mnt_ns *ns)
{
    ns->refs++;
    mount_ns_release(p);
    p->mnt_ns = ns == &mnt_initial_ns ? NULL : ns;
    p->root = NULL;
    p->cwd = vfs_root();
}

int mount_ns_unshare(struct process *p)
{
    struct mnt_ns *ns = copy_ns(mnt_ns_of(p));
    if (!ns)
        return -ENOMEM;
    mount_ns_release(p);
    p->mnt_ns = ns;
    return 0;
}
