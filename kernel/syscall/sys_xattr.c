/* The extended-attribute calls: setxattr, getxattr, listxattr, removexattr and their l* (the
 * link itself) and f* (a descriptor) forms. What Linux 6.1's fs/xattr.c checks before the file
 * system is asked is checked here, in its order: the path, a read-only mount (EROFS), the flags,
 * the name (empty or longer than XATTR_NAME_MAX: ERANGE), the value's size (E2BIG), the copies
 * (EFAULT). The attributes themselves are fs/xattr.c's. O_PATH descriptors are EBADF (fdget). */
#include "kernel.h"
#include "syscall.h"
#include "syscall_path.h"
#include "process.h"
#include "file.h"
#include "vfs.h"
#include "xattr.h"
#include "uaccess.h"
#include "errno.h"
#include "mm.h"
#include "socket.h"
#include "linux_uapi.h"
#include <string.h>

/* A path form's node (follow: not the l* form), or a descriptor's (its node may be NULL). */
static int path_node(uint64_t upath, bool follow, struct vnode **out)
{
    return user_lookup_at(AT_FDCWD, upath, follow ? VFS_FOLLOW : 0, out);
}

/* sockfs's one attribute, system.sockprotoname: the protocol's name (Linux's struct proto). */
#define SOCKPROTONAME "system.sockprotoname"

static void socket_proto_name(const struct socket *s, char *out)
{
    const char *name = s->type == SOCK_STREAM ? "TCP" : s->type == SOCK_RAW ? "RAW"
                     : s->protocol == IPPROTO_ICMP || s->protocol == IPPROTO_ICMPV6 ? "PING" : "UDP";
    if (s->domain == AF_UNIX)
        name = s->type == SOCK_STREAM ? "UNIX-STREAM" : "UNIX";
    size_t n = strlen(name);
    memcpy(out, name, n);
    memcpy(out + n, s->domain == AF_INET6 ? "v6" : "", s->domain == AF_INET6 ? 3 : 1);
}

/* A descriptor's node (NULL for a pipe or socket) and, for a socket, its protocol's name. */
static int fd_node(int fd, struct vnode **out, char *sockname)
{
    struct file *f = fd_get_open(current_process(), fd);
    if (!f)
        return -EBADF;
    *out = f->vnode;
    sockname[0] = 0;
    if (f->kind == FILE_SOCKET)
        socket_proto_name(f->priv, sockname);
    return 0;
}

/* The name, NUL-terminated, in name[XATTR_NAME_MAX + 1]: ERANGE when empty or too long (our
 * strncpy_from_user says ENAMETOOLONG where Linux's returns the full count). */
static int copy_name(uint64_t uname, char *name)
{
    int64_t n = strncpy_from_user(name, uname, XATTR_NAME_MAX + 1);
    if (n == 0 || n == -ENAMETOOLONG)
        return -ERANGE;
    return n < 0 ? (int)n : 0;
}

static int64_t do_set(struct vnode *v, uint64_t uname, uint64_t uvalue, uint64_t size, int flags)
{
    if (v && vfs_read_only(v))
        return -EROFS;                 /* mnt_want_write */
    if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
        return -EINVAL;
    char name[XATTR_NAME_MAX + 1];
    int err = copy_name(uname, name);
    if (err)
        return err;
    if (size > XATTR_SIZE_MAX)
        return -E2BIG;
    void *value = NULL;
    if (size) {
        if (!(value = kmalloc(size)))
            return -ENOMEM;
        if (copy_from_user(value, uvalue, size)) {
            kfree(value);
            return -EFAULT;
        }
    }
    err = xattr_set(v, name, value, size, flags);
    kfree(value);
    return err;
}

static int64_t do_get(struct vnode *v, const char *sockname, uint64_t uname, uint64_t uvalue, uint64_t size)
{
    char name[XATTR_NAME_MAX + 1];
    int err = copy_name(uname, name);
    if (err)
        return err;
    if (size > XATTR_SIZE_MAX)
        size = XATTR_SIZE_MAX;
    void *value = NULL;
    if (size && !(value = kmalloc(size)))
        return -ENOMEM;
    int64_t n;
    if (sockname[0] && !strcmp(name, SOCKPROTONAME)) {
        n = (int64_t)strlen(sockname) + 1;
        if (size && (uint64_t)n > size)
            n = -ERANGE;
        else if (size)
            memcpy(value, sockname, (size_t)n);
    } else {
        n = xattr_get(v, name, value, size);
    }
    if (n > 0 && size && copy_to_user(uvalue, value, (size_t)n))
        n = -EFAULT;
    kfree(value);
    return n;
}

static int64_t do_list(struct vnode *v, const char *sockname, uint64_t ulist, uint64_t size)
{
    if (size > XATTR_LIST_MAX)
        size = XATTR_LIST_MAX;
    char *list = NULL;
    if (size && !(list = kmalloc(size)))
        return -ENOMEM;
    int64_t n = sockname[0] ? (int64_t)sizeof(SOCKPROTONAME) : xattr_list(v, list, size);
    if (sockname[0] && size && size < sizeof(SOCKPROTONAME))
        n = -ERANGE;
    else if (sockname[0] && size)
        memcpy(list, SOCKPROTONAME, sizeof(SOCKPROTONAME));
    if (n > 0 && size && copy_to_user(ulist, list, (size_t)n))
        n = -EFAULT;
    kfree(list);
    return n;
}

static int64_t do_remove(struct vnode *v, uint64_t uname)
{
    if (v && vfs_read_only(v))
        return -EROFS;
    char name[XATTR_NAME_MAX + 1];
    int err = copy_name(uname, name);
    return err ? err : xattr_remove(v, name);
}

#define PATH_FORMS(call, follow, ...)                       \
    struct vnode *v;                                        \
    int err = path_node(a0, follow, &v);                    \
    return err ? err : call(v, __VA_ARGS__)
#define FD_FORM(call, ...)                                  \
    struct vnode *v;                                        \
    char sockname[16];                                      \
    int err = fd_node((int)a0, &v, sockname);               \
    return err ? err : call(v, __VA_ARGS__)

SYSCALL(setxattr) { PATH_FORMS(do_set, true, a1, a2, a3, (int)a4); }
SYSCALL(lsetxattr) { PATH_FORMS(do_set, false, a1, a2, a3, (int)a4); }
SYSCALL(fsetxattr) { FD_FORM(do_set, a1, a2, a3, (int)a4); }
SYSCALL(getxattr) { PATH_FORMS(do_get, true, "", a1, a2, a3); }
SYSCALL(lgetxattr) { PATH_FORMS(do_get, false, "", a1, a2, a3); }
SYSCALL(fgetxattr) { FD_FORM(do_get, sockname, a1, a2, a3); }
SYSCALL(listxattr) { PATH_FORMS(do_list, true, "", a1, a2); }
SYSCALL(llistxattr) { PATH_FORMS(do_list, false, "", a1, a2); }
SYSCALL(flistxattr) { FD_FORM(do_list, sockname, a1, a2); }
SYSCALL(removexattr) { PATH_FORMS(do_remove, true, a1); }
SYSCALL(lremovexattr) { PATH_FORMS(do_remove, false, a1); }
SYSCALL(fremovexattr) { FD_FORM(do_remove, a1); }
