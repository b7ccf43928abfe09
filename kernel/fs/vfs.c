/* The VFS (interface: include/vfs.h): path walks and the file operations over the vnode tree
 * (vnode.c), which starts as the TFS image on the boot disk and takes every change in memory.
 *
 * tfs.c has already checked the whole image when vfs_mount_root returns, so the tree is
 * trusted; what comes from callers (paths, names) is checked here: lengths, symlink hop counts,
 * directory-ness of every step. */
#include "kernel.h"
#include "block.h"
#include "gpt.h"
#include "bootargs.h"
#include "errno.h"
#include "mm.h"
#include "vfs.h"
#include "kfile.h"
#include "tfs.h"
#include "vnode.h"
#include "volume.h"
#include "linux_uapi.h"   /* the S_IF* type bits vstat.mode carries, as Linux */
#include "process.h"
#include "perm.h"
#include <string.h>

static struct tfs *root_fs;
static struct block_device *root_dev;

static int disk_read(void *ctx, uint64_t offset, void *buf, uint64_t len)
{
    return block_read(ctx, offset, buf, len);
}

static void *heap_alloc(void *ctx, size_t size)
{
    return kmalloc(size);
}

static void heap_free(void *ctx, void *p)
{
    kfree(p);
}

/* Mount the image on dev (a raw image, or a GPT disk with a TFS partition) at /. A corrupt image is a kernel error (the host built it; running
 * on a damaged one would only fail later and more confusingly). */
int vfs_mount_root(struct block_device *dev)
{
    if (!dev)
        return -ENODEV;
    if (root_fs)
        return -EBUSY;
    struct tfs_io io = { disk_read, heap_alloc, heap_free, dev, dev->capacity };
    struct tfs_error err;
    struct tfs *fs;
    int status = tfs_open(&io, &fs, &err);
    /* A raw image starts with its TFS header; only a disk that does not is looked at as a GPT
     * disk (its TFS partition), so a direct boot spends no block request on the GPT header. */
    if (status == TFS_CORRUPT && err.what == tfs_no_magic && err.offset == 0) {
        struct block_device *part = gpt_tfs_partition(dev);
        if (part != dev) {
            dev = part;
            io = (struct tfs_io){ disk_read, heap_alloc, heap_free, dev, dev->capacity };
            status = tfs_open(&io, &fs, &err);
        }
    }
    switch (status) {
    case TFS_OK:
        break;
    case TFS_CORRUPT:
        panic("tfs: corrupt image: %s at offset %#lx", err.what, err.offset);
    case TFS_NOMEM:
        panic("tfs: out of memory reading the image on %s", dev->name);
    default:
        panic("tfs: read error on %s at offset %#lx", dev->name, err.offset);
    }
    if (!fs->boot.program)
        panic("tfs: %s holds a volume (no boot manifest), not a program image", dev->name);
    vnode_init(fs);
    root_fs = fs;
    root_dev = dev;
    if (fs->writable && !dev->read_only)
        volume_attach_root(dev, fs, vnode_root());   /* a writable image: changes go back to it */

    bootargs_read_manifest(&fs->boot);
    kinfo("vfs: / on %s (TFS %u.%u, %u-byte blocks, %u nodes), program %s\n", dev->name, fs->version_major,
          fs->version_minor, fs->block_size, fs->node_count, fs->boot.program);
    return 0;
}

size_t vfs_mounts(char *buf, size_t size)
{
    size_t n = 0;
    if (root_dev)   /* writable whatever the disk: changes stay in memory when they cannot go back */
        n = (size_t)snprintf(buf, size, "/dev/%s / tfs rw,relatime 0 0\n", root_dev->name);
    return n < size ? n + volume_mount_lines(buf + n, size - n) : size;
}

size_t vfs_mountinfo(char *buf, size_t size)
{
    size_t n = 0;
    if (root_dev)   /* its own parent, as the first mount of a namespace (Linux's rootfs) */
        n = (size_t)snprintf(buf, size, "1 1 0:1 / / rw,relatime - tfs /dev/%s rw\n", root_dev->name);
    return n < size ? n + volume_mountinfo_lines(buf + n, size - n) : size;
}

int vfs_mount_id(const struct vnode *v)
{
    return v && v->vol && v->vol->root != vnode_root() ? v->vol->mount_id : 1;
}

struct vnode *vfs_root(void)
{
    return root_fs ? vnode_root() : NULL;
}

struct vnode *vfs_lookup_root(void)
{
    struct process *p = current_process();
    return p && p->root ? p->root : vfs_root();
}

void vfs_set_lookup_root(struct vnode *dir)
{
    current_process()->root = dir == vnode_root() ? NULL : dir;
}

enum vnode_type vfs_type(struct vnode *v)
{
    return v->type;
}

/* True when only slashes (or nothing) remain in s. */
static bool only_slashes(const char *s)
{
    while (*s == '/')
        s++;
    return *s == 0;
}

/* Which mount v belongs to, for VFS_NO_XDEV: its volume; /proc, /sys or /dev (the kernel's
 * file systems on Linux: procfs, sysfs, devtmpfs), named by that top directory; else the root. */
static const void *mount_of(const struct vnode *v)
{
    if (v->vol)
        return v->vol;
    const struct vnode *root = vnode_root(), *top = v;
    while (top->parent && top->parent != root)
        top = top->parent;
    if (top != root && top->parent == root &&
        (!strcmp(top->name, "proc") || !strcmp(top->name, "sys") || !strcmp(top->name, "dev")))
        return top;
    return root;
}

/* Linux's nd_jump_link for /proc's links to objects: refused by VFS_NO_MAGICLINKS (ELOOP) and
 * by a scoped walk (EXDEV); under VFS_NO_XDEV only within the link's own mount. Other symlinks
 * pass. */
static int magic_link_allowed(struct vnode *link, struct vnode *dir, int flags)
{
    if (!kfile_magic_link(link))
        return 0;
    if (flags & VFS_NO_MAGICLINKS)
        return -ELOOP;
    if (flags & VFS_NO_XDEV) {
        struct vnode *to;
        if (!vfs_lookup(NULL, link->target, VFS_FOLLOW, &to) && mount_of(to) != mount_of(dir))
            return -EXDEV;
    }
    return flags & (VFS_BENEATH | VFS_IN_ROOT) ? -EXDEV : 0;
}

/* Walk path one component at a time. A followed symlink pushes the unread rest of the current
 * string and continues in the target (which lives as long as the mount), so nothing is copied
 * and no length grows; every push is one hop, so the stack never exceeds VFS_MAX_SYMLINKS. */
int vfs_lookup(struct vnode *cwd, const char *path, int flags, struct vnode **out)
{
    if (!root_fs)
        return -ENOENT;
    size_t plen = strnlen(path, VFS_PATH_MAX);
    if (plen == 0)
        return -ENOENT;
    if (plen >= VFS_PATH_MAX)
        return -ENAMETOOLONG;
    const char *rest[VFS_MAX_SYMLINKS];
    int depth = 0, hops = 0;
    /* "/" and where ".." stops: the start for RESOLVE_BENEATH/IN_ROOT, else the caller's root */
    struct vnode *top = (flags & (VFS_BENEATH | VFS_IN_ROOT)) && cwd ? cwd : vfs_lookup_root();
    if (path[0] == '/' && (flags & VFS_BENEATH))
        return -EXDEV;
    struct vnode *node = path[0] == '/' || !cwd ? top : cwd;
    const char *p = path;
    bool want_dir = false;
    for (;;) {
        while (*p == '/')
            p++;
        if (*p == 0) {
            if (depth == 0)
                break;
            p = rest[--depth];
            continue;
        }
        const char *name = p;
        while (*p && *p != '/')
            p++;
        size_t len = p - name;
        if (len > TFS_NAME_MAX)
            return -ENAMETOOLONG;
        bool last = only_slashes(p);
        for (int i = 0; i < depth && last; i++)
            last = only_slashes(rest[i]);
        /* A trailing slash anywhere after the last component asks for a directory. */
        bool trailing = *p == '/';
        for (int i = 0; i < depth && !trailing; i++)
            trailing = *rest[i] == '/';
        want_dir = last && trailing;
        if (node->type != VNODE_DIR)
            return -ENOTDIR;
        int denied = perm_check(node, MAY_EXEC);   /* may_lookup, "." and ".." included */
        if (denied)
            return denied;
        if (len == 1 && name[0] == '.')
            continue;
        if (len == 2 && name[0] == '.' && name[1] == '.') {
            if (node == top) {         /* the top's ".." is itself, or out of bounds */
                if (flags & VFS_BENEATH)
                    return -EXDEV;
                continue;
            }
            if (node->parent) {        /* a removed directory's ".." stays where it is */
                if ((flags & VFS_NO_XDEV) && mount_of(node->parent) != mount_of(node))
                    return -EXDEV;
                node = node->parent;
            }
            continue;
        }
        if (node->kfile)
            kfile_refresh_dir(node);   /* /proc/<pid>/fd: the descriptors open now */
        struct dentry *d = node->nlink ? vnode_find(node, name, len) : NULL;
        if (!d)
            return -ENOENT;
        struct vnode *child = d->v;
        if ((flags & VFS_NO_XDEV) && mount_of(child) != mount_of(node))
            return -EXDEV;
        if (child->type == VNODE_SYMLINK && (!last || (flags & VFS_FOLLOW) || trailing)) {
            if (flags & VFS_NO_SYMLINKS)
                return -ELOOP;
            kfile_refresh_link(child);
            if (!child->target[0])
                return -ENOENT;        /* a kernel link whose object is gone (Linux's empty names never exist) */
            if (flags & (VFS_NO_MAGICLINKS | VFS_BENEATH | VFS_IN_ROOT | VFS_NO_XDEV)) {
                int err = magic_link_allowed(child, node, flags);
                if (err)
                    return err;
            }
            if (child->target[0] != '/' && kfile_magic_link(child)) {   /* pipe:[N], socket:[N] */
                if (!last || !(flags & VFS_STOP_AT_OBJECT))
                    return last ? -ENOENT : -ENOTDIR;
                node = child;
                break;
            }
            if (++hops > VFS_MAX_SYMLINKS)
                return -ELOOP;
            if (*p)
                rest[depth++] = p;
            p = child->target;
            if (p[0] == '/') {         /* else: relative to the link's directory, `node` */
                if (flags & VFS_BENEATH)
                    return -EXDEV;
                if ((flags & VFS_NO_XDEV) && mount_of(node) != mount_of(top))
                    return -EXDEV;     /* Linux's nd_jump_root */
                node = top;
            }
            continue;
        }
        node = child;
    }
    if (want_dir && node->type != VNODE_DIR)
        return -ENOTDIR;
    *out = node;
    return 0;
}

uint32_t vfs_rdev(const struct vnode *v) { return v->rdev; }
void vfs_set_rdev(struct vnode *v, uint32_t rdev) { v->rdev = rdev; }

int vfs_stat(struct vnode *v, struct vstat *st)
{
    static const uint32_t types[] = { [VNODE_FILE] = S_IFREG, [VNODE_DIR] = S_IFDIR, [VNODE_SYMLINK] = S_IFLNK,
                                      [VNODE_SOCKET] = S_IFSOCK, [VNODE_FIFO] = S_IFIFO, [VNODE_CHR] = S_IFCHR,
                                      [VNODE_BLK] = S_IFBLK };
    uint32_t type = types[v->type];
    memset(st, 0, sizeof(*st));
    st->ino = v->ino;
    st->mode = type | v->mode;
    if (kfile_mode(v))              /* a kernel-made device is a character device; its bits the node's */
        st->mode = (kfile_mode(v) & S_IFMT) | v->mode;
    st->nlink = v->nlink;
    st->rdev = v->rdev;
    st->uid = v->uid;
    st->gid = v->gid;
    /* Directories report one block, as ext4 does for all but huge ones (ls -l shows 4096). */
    st->size = v->type == VNODE_DIR ? root_fs->block_size : v->size;
    st->atime_ns = (uint64_t)v->atime_ns;
    st->mtime_ns = (uint64_t)v->mtime_ns;
    st->ctime_ns = (uint64_t)v->ctime_ns;
    st->blksize = kfile_blksize(v) ? kfile_blksize(v) : root_fs->block_size;
    st->blocks = vnode_blocks512(v);
    return 0;
}

int64_t vfs_read(struct vnode *v, uint64_t offset, void *buf, uint64_t len)
{
    if (v->type == VNODE_DIR)
        return -EISDIR;
    if (v->type != VNODE_FILE)
        return -EINVAL;
    return vnode_read(v, offset, buf, len);
}

int64_t vfs_readlink(struct vnode *v, char *buf, size_t size)
{
    if (v->type != VNODE_SYMLINK)
        return -EINVAL;
    kfile_refresh_link(v);
    size_t len = v->size < size ? v->size : size;
    memcpy(buf, v->target, len);
    return len;
}

/* Cookie 0 is ".", 1 is "..", 2 + i is the i-th entry. */
int vfs_readdir(struct vnode *dir, uint64_t *cookie, struct vdirent *out)
{
    if (dir->type != VNODE_DIR)
        return -ENOTDIR;
    if (!dir->nlink)
        return -ENOENT;                /* removed (Linux's IS_DEADDIR): not even "." is listed */
    uint64_t c = *cookie;
    if (c == 0 && dir->kfile)
        kfile_refresh_dir(dir);
    if (c < 2) {
        const struct vnode *n = c == 0 || !dir->parent ? dir : dir->parent;
        out->ino = n->ino;
        out->type = VNODE_DIR;
        out->kernel_mode = 0;
        memcpy(out->name, "..", c + 1);
        out->name[c + 1] = 0;
    } else {
        struct dentry *d = vnode_entries(dir);
        while (d && d->pos < c)
            d = d->next;
        if (!d)
            return 0;
        c = d->pos;
        out->ino = d->v->ino;
        out->type = d->v->type;
        out->kernel_mode = kfile_mode(d->v);
        memcpy(out->name, d->name, d->len + 1);   /* len <= 255: fits name[256] with its NUL */
    }
    *cookie = c + 1;
    return 1;
}

bool vfs_birth_time(struct vnode *v, int64_t *ns)
{
    *ns = v->btime_ns;
    return v->btime_ns != 0;
}

int64_t vfs_seek_data(struct vnode *v, uint64_t off, bool hole)
{
    uint64_t size = v->size;
    if (off >= size)
        return -ENXIO;
    if (!v->in_memory)                 /* the image's (or the volume's) bytes: all data */
        return hole ? (int64_t)size : (int64_t)off;
    for (uint64_t i = off >> PAGE_SHIFT; (i << PAGE_SHIFT) < size; i++) {
        bool data = i < v->page_slots && v->pages[i];
        if (data != hole) {
            uint64_t at = i << PAGE_SHIFT;
            return (int64_t)(at > off ? at : off);
        }
    }
    return hole ? (int64_t)size : -ENXIO;   /* past the last page: the hole at EOF */
}

/* The path of v's first name up to `top` (or the tree's root, when v is not below it: *outside),
 * built from the end of buf backwards and moved to its start; NUL-terminated. Returns its
 * length, -ERANGE, or -ENOENT for an unlinked node. */
static int path_to(struct vnode *v, const struct vnode *top, char *buf, size_t size, bool *outside)
{
    const struct vnode *n = v;
    if (size < 2)
        return -ERANGE;
    size_t pos = size - 1;
    buf[pos] = 0;
    *outside = false;
    for (const struct vnode *up = v; up != top; up = up->parent) {
        if (!up->parent)
            return -ENOENT;
        if (up->parent == up) {        /* the tree's root, and top was never met */
            *outside = true;
            top = up;
            break;
        }
    }
    if (n == top)
        buf[--pos] = '/';
    for (; n != top; n = n->parent) {
        if (!n->parent)
            return -ENOENT;
        if (pos < n->name_len + 1)
            return -ERANGE;
        pos -= n->name_len;
        memcpy(buf + pos, n->name, n->name_len);
        buf[--pos] = '/';
    }
    size_t len = size - 1 - pos;
    memmove(buf, buf + pos, len + 1);
    return len;
}

int vfs_path(struct vnode *v, char *buf, size_t size)
{
    bool outside;
    return path_to(v, vnode_root(), buf, size, &outside);
}

int vfs_path_seen(struct vnode *v, char *buf, size_t size, bool *outside)
{
    return path_to(v, vfs_lookup_root(), buf, size, outside);
}

int vfs_proc_path(struct vnode *v, char *buf, size_t size)
{
    bool outside;                      /* d_path: from the reader's root, else the tree's */
    if (v->nlink || !v->gone_path)
        return vfs_path_seen(v, buf, size, &outside);
    int n = snprintf(buf, size, "%s (deleted)", v->gone_path);
    return n < 0 || (size_t)n >= size ? -ERANGE : n;
}
