/* Extended attributes (fs/xattr.c): the user.*, trusted.* and security.* namespaces as Linux's
 * fs/xattr.c checks them and as ext4 stores them, kept on the vnode in memory. The syscalls
 * (syscall/sys_xattr.c) copy names and values and check what Linux checks before the file
 * system is asked (flags, name length, value size, a read-only mount). */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct vnode;

#define XATTR_CREATE   1          /* set: EEXIST when the attribute exists */
#define XATTR_REPLACE  2          /* set: ENODATA when it does not */
#define XATTR_NAME_MAX 255        /* a name, prefix included */
#define XATTR_SIZE_MAX 65536      /* a value */
#define XATTR_LIST_MAX 65536      /* a listxattr buffer */

/* Each call takes the node the path or descriptor names; NULL for a file without one (a pipe, a
 * socket), which holds no attributes, as Linux's pipefs and sockfs inodes hold none. */
/* getxattr: the value's length; copied to buf when size > 0 (ERANGE when it is larger). */
int64_t xattr_get(struct vnode *v, const char *name, void *buf, size_t size);
/* setxattr (value may be NULL when size is 0: an empty value), with XATTR_CREATE/REPLACE. */
int xattr_set(struct vnode *v, const char *name, const void *value, size_t size, int flags);
int xattr_remove(struct vnode *v, const char *name);
/* listxattr: the names, each NUL-terminated, in ext4's order; the length they need when size is 0. */
int64_t xattr_list(struct vnode *v, char *buf, size_t size);
/* A freed node's attributes. */
void xattr_drop(struct vnode *v);
/* For the volume writer: every attribute of v in listxattr order (the prefix, then the name
 * after it), trusted.* too; the count, and in *in_inode how many of the first sit in the inode
 * area. fn may be NULL (counting only). */
typedef void (*xattr_fn)(void *ctx, const char *prefix, const char *name, size_t len, const void *value,
                         size_t size);
uint32_t xattr_each(struct vnode *v, xattr_fn fn, void *ctx, uint32_t *in_inode);
