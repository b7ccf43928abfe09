/* Discretionary access control as Linux 6.1 decides it (interface: include/perm.h):
 * acl_permission_check and generic_permission (fs/namei.c) over the vnode's mode, owner and
 * group, without ACLs (the tree has none: EOPNOTSUPP in xattr.c). */
#include "kernel.h"
#include "perm.h"
#include "process.h"
#include "thread.h"
#include "vnode.h"
#include "linux_uapi.h"
#include "errno.h"

#define S_IXUGO 0111

/* The identity in force: access(2)'s override, else the process's file-system one. A kernel
 * path with no process (boot) is root with every capability. */
static struct fs_ident current_ident(void)
{
    struct thread *t = current_thread();
    if (t && t->access_ident)
        return *t->access_ident;
    struct process *p = current_process();
    if (!p)
        return (struct fs_ident){ 0, 0, CAP_FULL_SET, NULL, 0 };
    return (struct fs_ident){ p->cred.fsuid, p->cred.fsgid, process_caps(p).effective, p->groups, p->ngroups };
}

bool perm_capable(int cap) { return current_ident().caps & (1ULL << cap); }
uint32_t perm_fsuid(void) { return current_ident().uid; }

static bool in_group(const struct fs_ident *id, uint32_t gid)
{
    if (id->gid == gid)
        return true;
    for (int i = 0; i < id->ngroups; i++)
        if (id->groups[i] == gid)
            return true;
    return false;
}

bool perm_in_group(uint32_t gid)
{
    struct fs_ident id = current_ident();
    return in_group(&id, gid);
}

/* acl_permission_check: the owner's bits for the owner, the group's for a member (only looked
 * up when the group's bits differ from the others'), else the others'. */
static int mode_allows(const struct fs_ident *id, const struct vnode *v, int mask)
{
    uint32_t mode = v->mode;
    mask &= 7;
    if (id->uid == v->uid)
        return (mask & ~(mode >> 6)) ? -EACCES : 0;
    if ((mask & (mode ^ (mode >> 3))) && in_group(id, v->gid))
        mode >>= 3;
    return (mask & ~mode) ? -EACCES : 0;
}

/* generic_permission: directories may always be read and searched with CAP_DAC_READ_SEARCH
 * and everything else done with CAP_DAC_OVERRIDE; other files are read with
 * CAP_DAC_READ_SEARCH and read or written with CAP_DAC_OVERRIDE, which executes only a file
 * with some x bit. */
static int generic_permission(const struct fs_ident *id, const struct vnode *v, int mask)
{
    if (!mode_allows(id, v, mask))
        return 0;
    bool read_search = id->caps & (1ULL << CAP_DAC_READ_SEARCH);
    bool override = id->caps & (1ULL << CAP_DAC_OVERRIDE);
    if (v->type == VNODE_DIR) {
        if (!(mask & MAY_WRITE) && read_search)
            return 0;
        return override ? 0 : -EACCES;
    }
    if ((mask & 7) == MAY_READ && read_search)
        return 0;
    if ((!(mask & MAY_EXEC) || (v->mode & S_IXUGO)) && override)
        return 0;
    return -EACCES;
}

int perm_check(struct vnode *v, int mask)
{
    /* sb_permission: no writing to a file, directory or link on a read-only mount */
    if ((mask & MAY_WRITE) && vfs_read_only(v) &&
        (v->type == VNODE_FILE || v->type == VNODE_DIR || v->type == VNODE_SYMLINK))
        return -EROFS;
    if (v->kfile)                      /* owners untracked: only "nobody executes what has no x bit" */
        return (mask & MAY_EXEC) && v->type != VNODE_DIR && !(v->mode & S_IXUGO) ? -EACCES : 0;
    struct fs_ident id = current_ident();
    return generic_permission(&id, v, mask);
}

bool perm_owner(const struct vnode *v)
{
    struct fs_ident id = current_ident();
    return id.uid == v->uid || (id.caps & (1ULL << CAP_FOWNER));
}

int perm_may_create(struct vnode *dir)
{
    return perm_check(dir, MAY_WRITE | MAY_EXEC);
}

int perm_may_delete(struct vnode *dir, struct vnode *victim)
{
    int err = perm_check(dir, MAY_WRITE | MAY_EXEC);
    if (err)
        return err;
    struct fs_ident id = current_ident();
    if ((dir->mode & S_ISVTX) && !dir->kfile && id.uid != victim->uid && id.uid != dir->uid &&
        !(id.caps & (1ULL << CAP_FOWNER)))
        return -EPERM;                 /* check_sticky */
    return 0;
}

void perm_access_begin(struct fs_ident *ident, const struct fs_ident **saved)
{
    struct thread *t = current_thread();
    struct process *p = current_process();
    *ident = (struct fs_ident){ p->cred.uid, p->cred.gid, p->cred.uid ? 0 : process_caps(p).permitted,
                                p->groups, p->ngroups };
    *saved = t->access_ident;
    t->access_ident = ident;
}

void perm_kernel_begin(struct fs_ident *ident, const struct fs_ident **saved)
{
    struct thread *t = current_thread();
    *ident = (struct fs_ident){ 0, 0, CAP_FULL_SET, NULL, 0 };
    *saved = t ? t->access_ident : NULL;
    if (t)
        t->access_ident = ident;
}

void perm_access_end(const struct fs_ident *saved)
{
    if (current_thread())
        current_thread()->access_ident = saved;
}
