/* Path arguments: copy from user space, pick the starting directory (dirfd), look up. */
#include "kernel.h"
#include "syscall_path.h"
#include "process.h"
#include "file.h"
#include "vfs.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"

int64_t path_from_user(char *buf, uint64_t upath)
{
    int64_t n = strncpy_from_user(buf, upath, VFS_PATH_MAX);
    if (n < 0)
        return n;
    return n;
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

int lookup_at(int dirfd, const char *path, int vfs_flags, struct vnode **out)
{
    struct vnode *start;
    if (!path[0])
        return -ENOENT;
    int err = dirfd_vnode(dirfd, path, &start);
    if (err)
        return err;
    return vfs_lookup(start, path, vfs_flags, out);
}
