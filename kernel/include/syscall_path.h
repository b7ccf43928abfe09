/* Path arguments of the *at() syscalls. */
#pragma once
#include <stdint.h>

struct vnode;

/* Copy a user path into buf (VFS_PATH_MAX bytes): length, -EFAULT or -ENAMETOOLONG. */
int64_t path_from_user(char *buf, uint64_t upath);
/* Where a relative path starts: NULL for absolute paths, the cwd for AT_FDCWD, else dirfd's
 * directory (-EBADF, -ENOTDIR). */
int dirfd_vnode(int dirfd, const char *path, struct vnode **out);
int lookup_at(int dirfd, const char *path, int vfs_flags, struct vnode **out);
