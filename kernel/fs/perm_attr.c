/* Who may change a file's attributes, as Linux 6.1's setattr_prepare and its callers decide
 * (fs/attr.c, fs/open.c, fs/utimes.c), and the set-id bits a change takes away
 * (should_remove_suid). Interface: include/perm.h. */
#include "kernel.h"
#include "perm.h"
#include "vnode.h"
#include "linux_uapi.h"
#include "errno.h"

int perm_chmod(struct vnode *v, uint32_t *mode)
{
    if (!perm_owner(v))
        return -EPERM;
    /* setattr_prepare: S_ISGID only for a member of the file's group (or CAP_FSETID) */
    if (!perm_in_group(v->gid) && !perm_capable(CAP_FSETID))
        *mode &= ~S_ISGID;
    return 0;
}

/* chown_ok and chgrp_ok: CAP_CHOWN changes anything; the owner may only "change" the owner to
 * itself and the group to one it is in. -1 leaves an id alone. */
int perm_chown(struct vnode *v, uint32_t uid, uint32_t gid)
{
    bool chown_cap = perm_capable(CAP_CHOWN), owner = perm_fsuid() == v->uid;
    if (uid != (uint32_t)-1 && !(owner && uid == v->uid) && !chown_cap)
        return -EPERM;
    if (gid != (uint32_t)-1 && !(owner && (gid == v->gid || perm_in_group(gid))) && !chown_cap)
        return -EPERM;
    return 0;
}

/* utimensat: times given (ATTR_TIMES_SET, even UTIME_NOW beside UTIME_OMIT) need the owner or
 * CAP_FOWNER (EPERM); none, or both UTIME_NOW (ATTR_TOUCH), also write permission (EACCES). */
int perm_utimes(struct vnode *v, bool touch, bool set)
{
    if (set && !perm_owner(v))
        return -EPERM;
    if (touch && !perm_owner(v))
        return perm_check(v, MAY_WRITE);
    return 0;
}

bool perm_kill_privs(struct vnode *v)
{
    if (v->type != VNODE_FILE || perm_capable(CAP_FSETID))
        return false;
    uint32_t mode = v->mode;
    if (mode & S_ISUID)
        mode &= ~S_ISUID;
    if ((mode & (S_ISGID | 0010)) == (S_ISGID | 0010))
        mode &= ~S_ISGID;
    if (mode == v->mode)
        return false;
    v->mode = mode;
    v->ctime_ns = vnode_now_ns();
    return true;
}
