/* Path arguments of the *at() syscalls. */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

struct vnode;

/* A user path copied into a new kernel buffer (kfree it); NULL with *err = -EFAULT,
 * -ENAMETOOLONG or -ENOMEM. */
char *user_path(uint64_t upath, int *err);
/* Where a relative path starts: NULL for absolute paths, the cwd for AT_FDCWD, else dirfd's
 * directory (-EBADF, -ENOTDIR). */
int dirfd_vnode(int dirfd, const char *path, struct vnode **out);
int lookup_at(int dirfd, const char *path, int vfs_flags, struct vnode **out);
/* lookup_at on a path still in user memory. */
int user_lookup_at(int dirfd, uint64_t upath, int vfs_flags, struct vnode **out);
/* The directory that would hold path's last component, and that component (pointing into
 * path, which loses its trailing slashes: *trailing says there were some). */
int lookup_parent_at(int dirfd, char *path, struct vnode **dir, const char **name, size_t *len, bool *trailing);
/* The same with openat2's restrictions on the directory's walk (VFS_NO_SYMLINKS, ...). */
int lookup_parent_walk(int dirfd, char *path, int walk, struct vnode **dir, const char **name, size_t *len,
                       bool *trailing);
