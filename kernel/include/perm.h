/* File permission checks (discretionary access control) as Linux 6.1's fs/namei.c and
 * fs/attr.c make them: generic_permission over the mode bits, owner and group, with the
 * capabilities that override them; the directory rules of may_create and may_delete (sticky
 * bit); inode_owner_or_capable. Every check asks about the caller's file-system identity
 * (fsuid, fsgid, supplementary groups, effective capabilities), or access(2)'s real one while
 * perm_access_begin holds. The kernel's own files (kfile.c: /proc, /sys, /dev's devices) are
 * only refused execution without an x bit (their owners are not tracked). fs/perm.c. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct vnode;

/* inode_permission's mask bits (MAY_*) */
#define MAY_EXEC  1
#define MAY_WRITE 2
#define MAY_READ  4

/* Linux's capability numbers the checks use (include/uapi/linux/capability.h). */
#define CAP_CHOWN           0
#define CAP_DAC_OVERRIDE    1
#define CAP_DAC_READ_SEARCH 2
#define CAP_FSETID          4
/* the file-system capabilities, CAP_FS_MASK: a fsuid leaving 0 drops them (setfsuid) */
#define CAP_FS_SET ((1ULL << 0) | (1ULL << 1) | (1ULL << 2) | (1ULL << 3) | (1ULL << 4) | (1ULL << 9) | \
                    (1ULL << 27) | (1ULL << 32))

/* Who asks: Linux's current_cred() as the file checks read it. */
struct fs_ident {
    uint32_t uid, gid;        /* fsuid, fsgid */
    uint64_t caps;            /* effective set */
    const uint32_t *groups;
    int ngroups;
};

/* inode_permission(v, mask): 0, -EACCES, or -EROFS for a write on a read-only mount. */
int perm_check(struct vnode *v, int mask);
/* The caller's identity holds cap (capable_wrt_inode_uidgid: every id is mapped here). */
bool perm_capable(int cap);
/* in_group_p: gid is the caller's fsgid or one of its supplementary groups. */
bool perm_in_group(uint32_t gid);
/* The caller's fsuid. */
uint32_t perm_fsuid(void);
/* inode_owner_or_capable: the caller owns v, or has CAP_FOWNER. */
bool perm_owner(const struct vnode *v);
/* may_create's permission part: write and search on dir. */
int perm_may_create(struct vnode *dir);
/* may_delete's permission part for victim in dir: write and search on dir (EACCES), then the
 * sticky bit: only the owner of the file or of the directory, or CAP_FOWNER (EPERM). */
int perm_may_delete(struct vnode *dir, struct vnode *victim);
/* access(2)/faccessat without AT_EACCESS (access_override_creds): until perm_access_end the
 * calling thread's checks use its real uid and gid, with every capability of its permitted set
 * for a real root and none otherwise. `saved` holds what was in force. */
void perm_access_begin(struct fs_ident *ident, const struct fs_ident **saved);
/* The kernel's own changes to the tree (/proc/<pid> made at an unprivileged fork): root with
 * every capability until perm_access_end. */
void perm_kernel_begin(struct fs_ident *ident, const struct fs_ident **saved);
void perm_access_end(const struct fs_ident *saved);

/* ---- attributes (fs/perm_attr.c) ---- */
/* chmod: the owner or CAP_FOWNER (EPERM); *mode loses S_ISGID unless the caller is in the
 * file's group or has CAP_FSETID. */
int perm_chmod(struct vnode *v, uint32_t *mode);
/* chown: EPERM unless allowed (ids of -1 are left as they are). */
int perm_chown(struct vnode *v, uint32_t uid, uint32_t gid);
/* utimensat: `touch` both times to now (or no times), `set` any other times given. */
int perm_utimes(struct vnode *v, bool touch, bool set);
/* A write or truncation by a caller without CAP_FSETID: a regular file loses set-user-ID and
 * an executable set-group-ID (file_remove_privs). True when the mode changed. */
bool perm_kill_privs(struct vnode *v);
