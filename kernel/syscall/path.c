/* Path arguments: copy from user space, pick the starting directory (dirfd), look up. */
#include "kernel.h"
#include "syscall_path.h"
#include "process.h"
#include "file.h"
#include "vfs.h"
#include "uaccess.h"
#include "mm.h"
#include "errno.h"
#include "linux_abi.h"
#include "perm.h"
#include <string.h>

char *user_path(uint64_t upath, int *err)
{
    char *path = kmalloc(VFS_PATH_MAX);
    if (!path) {
        *err = -ENOMEM;
        return NULL;
    }
    int64_t n = strncpy_from_user(path, upath, VFS_PATH_MAX);
    if (n < 0) {
        kfree(path);
        *err = (int)n;
        return NULL;
    }
    return path;
}

int dirfd_vnode(int dirfd, const char *path, struct vnode **out)
{
    struct process *p = current_process();
    if (path[0] == '/' ) {
        *out = NULL;
        return 0;
    }
    if (dirfd == AT_FDCWD) {
        *out = p->cwd;
        return 0;
    }
    struct file *f = fd_get(p, dirfd);
    if (!f)
        return -EBADF;
    if (f->kind != FILE_VNODE || vfs_type(f->vnode) != VNODE_DIR)
        return -ENOTDIR;
    *out = f->vnode;
    return 0;
}

int user_lookup_at(int dirfd, uint64_t upath, int vfs_flags, struct vnode **out)
{
    int err;
    char *path = user_path(upath, &err);
    if (!path)
        return err;
    err = lookup_at(dirfd, path, vfs_flags, out);
    kfree(path);
    return err;
}

int lookup_at(int dirfd, const char *path, int vfs_flags, struct vnode **out)
{
    struct vnode *start;
    if (!path[0])
        return -ENOENT;
    /* A scoped walk (openat2's RESOLVE_BENEATH, IN_ROOT) starts at dirfd even for "/...". */
    int err = dirfd_vnode(dirfd, (vfs_flags & (VFS_BENEATH | VFS_IN_ROOT)) ? "." : path, &start);
    if (err)
        return err;
    return vfs_lookup(start, path, vfs_flags, out);
}

/* Split path (modified in place) into its directory, looked up with every symlink followed, and
 * its last component. Trailing slashes are dropped and reported; "/" alone gives the root with
 * an empty name. */
int lookup_parent_at(int dirfd, char *path, struct vnode **dir, const char **name, size_t *len, bool *trailing)
{
    return lookup_parent_walk(dirfd, path, 0, dir, name, len, trailing);
}

int lookup_parent_walk(int dirfd, char *path, int walk, struct vnode **dir, const char **name, size_t *len,
                       bool *trailing)
{
    if (!path[0])
        return -ENOENT;
    size_t n = strlen(path);
    *trailing = false;
    while (n > 1 && path[n - 1] == '/') {
        path[--n] = 0;
        *trailing = true;
    }
    char *slash = strrchr(path, '/');
    int err;
    if (!slash) {
        *name = path;
        *len = n;
        if ((err = dirfd_vnode(dirfd, path, dir)))
            return err;
        if (!*dir)
            *dir = current_process()->cwd;
    } else if (slash == path && n == 1) {   /* "/" */
        *name = path + 1;
        *len = 0;
        if (walk)
            return lookup_at(dirfd, "/", VFS_FOLLOW | walk, dir);
        *dir = vfs_lookup_root();
        return 0;
    } else {
        *name = slash + 1;
        *len = n - (size_t)(slash + 1 - path);
        if (slash == path && !walk) {
            *dir = vfs_lookup_root();
        } else {
            char keep = slash[1];      /* "/name": the directory is "/" */
            if (slash == path)
                slash[1] = 0;
            else
                *slash = 0;
            err = lookup_at(dirfd, path, VFS_FOLLOW | walk, dir);
            if (slash == path)
                slash[1] = keep;
            else
                *slash = '/';
            if (err)
                return err;
        }
    }
    if (vfs_type(*dir) != VNODE_DIR)
        return -ENOTDIR;
    return *len ? perm_check(*dir, MAY_EXEC) : 0;   /* link_path_walk searches it for the last name too */
}
