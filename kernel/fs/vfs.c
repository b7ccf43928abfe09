/* The VFS (interface: include/vfs.h): path walks and the file operations over the vnode tree
 * (vnode.c), which starts as the TFS image on the boot disk and takes every change in memory.
 *
 * tfs.c has already checked the whole image when vfs_mount_root returns, so the tree is
 * trusted; what comes from callers (paths, names) is checked here: lengths, symlink hop counts,
 * directory-ness of every step. */
#include "kernel.h"
#include "block.h"
#include "errno.h"
#include "mm.h"
#include "vfs.h"
#include "tfs.h"
#include "vnode.h"
#include <string.h>

#define MODE_IFREG 0100000
#define MODE_IFDIR 0040000
#define MODE_IFLNK 0120000
#define MODE_IFSOCK 0140000

static struct tfs *root_fs;
static struct boot_manifest manifest;

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

/* A manifest kernel option: true when present; INT values in *ival, strings in *sval. */
static bool kernel_option(const char *key, int64_t *ival, const char **sval)
{
    for (uint32_t i = 0; i < root_fs->boot.kopt_count; i++) {
        const struct tfs_kopt *o = &root_fs->boot.kopts[i];
        if (strcmp(o->key, key))
            continue;
        if (ival)
            *ival = o->is_int ? o->ival : 0;
        if (sval)
            *sval = o->is_int ? NULL : o->sval;
        return true;
    }
    return false;
}

static void tfstest(const char *spec);

/* Mount the image on dev at /. A corrupt image is a kernel error (the host built it; running
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
    switch (tfs_open(&io, &fs, &err)) {
    case TFS_OK:
        break;
    case TFS_CORRUPT:
        panic("tfs: corrupt image: %s at offset %#lx", err.what, err.offset);
    case TFS_NOMEM:
        panic("tfs: out of memory reading the image on %s", dev->name);
    default:
        panic("tfs: read error on %s at offset %#lx", dev->name, err.offset);
    }
    vnode_init(fs);
    root_fs = fs;

    int64_t debug = 0;
    manifest.program = fs->boot.program;
    manifest.argc = fs->boot.argc;
    manifest.argv = fs->boot.argv;
    manifest.envc = fs->boot.envc;
    manifest.envp = fs->boot.envp;
    manifest.debug = kernel_option("debug", &debug, NULL) && debug != 0;
    int64_t memstats = 0;
    manifest.memstats = kernel_option("memstats", &memstats, NULL) && memstats != 0;
    int64_t profile = 0;
    manifest.profile = kernel_option("profile", &profile, NULL) && profile != 0;
    int64_t trace = 0;
    manifest.trace = kernel_option("strace", &trace, NULL) && trace != 0;
    int64_t noaslr = 0;
    manifest.noaslr = kernel_option("noaslr", &noaslr, NULL) && noaslr != 0;
    kernel_option("cwd", NULL, &manifest.cwd);
    kernel_option("ip", NULL, &manifest.ip);
    kernel_option("netmask", NULL, &manifest.netmask);
    kernel_option("gateway", NULL, &manifest.gateway);
    kinfo("vfs: / on %s (TFS %u.%u, %u-byte blocks, %u nodes), program %s\n", dev->name, fs->version_major,
          fs->version_minor, fs->block_size, fs->node_count, fs->boot.program);

    const char *spec;
    if (kernel_option("tfstest", NULL, &spec) && spec)
        tfstest(spec);
    return 0;
}

struct vnode *vfs_root(void)
{
    return root_fs ? vnode_root() : NULL;
}

const struct boot_manifest *vfs_manifest(void)
{
    return root_fs ? &manifest : NULL;
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
    struct vnode *node = path[0] == '/' || !cwd ? vnode_root() : cwd;
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
        if (len == 1 && name[0] == '.')
            continue;
        if (len == 2 && name[0] == '.' && name[1] == '.') {
            if (node->parent)          /* a removed directory's ".." stays where it is */
                node = node->parent;
            continue;
        }
        struct dentry *d = node->nlink ? vnode_find(node, name, len) : NULL;
        if (!d)
            return -ENOENT;
        struct vnode *child = d->v;
        if (child->type == VNODE_SYMLINK && (!last || (flags & VFS_FOLLOW) || trailing)) {
            if (++hops > VFS_MAX_SYMLINKS)
                return -ELOOP;
            if (*p)
                rest[depth++] = p;
            p = child->target;
            if (p[0] == '/')
                node = vnode_root();   /* else: relative to the link's directory, `node` */
            continue;
        }
        node = child;
    }
    if (want_dir && node->type != VNODE_DIR)
        return -ENOTDIR;
    *out = node;
    return 0;
}

int vfs_stat(struct vnode *v, struct vstat *st)
{
    uint32_t type = v->type == VNODE_FILE ? MODE_IFREG : v->type == VNODE_DIR ? MODE_IFDIR :
                    v->type == VNODE_SOCKET ? MODE_IFSOCK : MODE_IFLNK;
    memset(st, 0, sizeof(*st));
    st->ino = v->ino;
    st->mode = type | v->mode;
    st->nlink = v->nlink;
    st->uid = v->uid;
    st->gid = v->gid;
    /* Directories report one block, as ext4 does for all but huge ones (ls -l shows 4096). */
    st->size = v->type == VNODE_DIR ? root_fs->block_size : v->size;
    st->atime_ns = (uint64_t)v->atime_ns;
    st->mtime_ns = (uint64_t)v->mtime_ns;
    st->ctime_ns = (uint64_t)v->ctime_ns;
    st->blksize = root_fs->block_size;
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
    size_t len = v->size < size ? v->size : size;
    memcpy(buf, v->target, len);
    return len;
}

/* Cookie 0 is ".", 1 is "..", 2 + i is the i-th entry. */
int vfs_readdir(struct vnode *dir, uint64_t *cookie, struct vdirent *out)
{
    if (dir->type != VNODE_DIR)
        return -ENOTDIR;
    uint64_t c = *cookie;
    if (c < 2) {
        const struct vnode *n = c == 0 || !dir->parent ? dir : dir->parent;
        out->ino = n->ino;
        out->type = VNODE_DIR;
        memcpy(out->name, "..", c + 1);
        out->name[c + 1] = 0;
    } else {
        struct dentry *d = dir->nlink ? vnode_entries(dir) : NULL;
        for (uint64_t i = 2; d && i < c; i++)
            d = d->next;
        if (!d)
            return 0;
        out->ino = d->v->ino;
        out->type = d->v->type;
        memcpy(out->name, d->name, d->len + 1);   /* len <= 255: fits name[256] with its NUL */
    }
    *cookie = c + 1;
    return 1;
}

/* The path of v's first name, built from the end of buf backwards and moved to its start;
 * NUL-terminated. Returns its length, -ERANGE, or -ENOENT for an unlinked node. */
int vfs_path(struct vnode *v, char *buf, size_t size)
{
    const struct vnode *n = v;
    if (size < 2)
        return -ERANGE;
    size_t pos = size - 1;
    buf[pos] = 0;
    if (n->parent == n)
        buf[--pos] = '/';
    for (; n->parent != n; n = n->parent) {
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

/* ---- the boot test hook: kernel option tfstest="PATH[:PATH...]" ----
 * For each path (a leading '@' means: do not follow a final symlink) print its canonical path,
 * then a directory's entries (type, mode, size, name), a file's size and CRC-32, or a symlink's
 * target; or the lookup's errno. tests/test_tfs_kernel.py compares this with the host's view. */

/* Bytes as console text: printable ASCII except backslash as is, anything else as \xNN. */
static const char *escape(char *out, size_t size, const char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 5 < size; i++) {
        unsigned char c = s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            out[o++] = c;
        else
            o += snprintf(out + o, size - o, "\\x%02x", c);
    }
    out[o] = 0;
    return out;
}

/* Six octal digits (the kernel's printf has no %o). */
static const char *octal6(char out[7], uint32_t v)
{
    for (int i = 5; i >= 0; i--, v >>= 3)
        out[i] = '0' + (v & 7);
    out[6] = 0;
    return out;
}

static void tfstest_file(struct vnode *v, const char *path)
{
    uint64_t chunk = 64 * 1024, off = 0;
    uint8_t *buf = kmalloc(chunk);
    uint32_t crc = 0;
    if (!buf)
        panic("tfstest: out of memory");
    for (;;) {
        int64_t n = vfs_read(v, off, buf, chunk);
        if (n < 0)
            panic("tfstest: read of %s failed: %ld", path, n);
        if (n == 0)
            break;
        crc = tfs_crc32(crc, buf, n);
        off += n;
    }
    kfree(buf);
    kprintf("tfstest: %s: file size %lu crc32 %08x\n", path, off, crc);
}

static void tfstest_dir(struct vnode *dir, const char *path)
{
    static struct vdirent e;
    static char name[4 * 256];
    uint64_t cookie = 0;
    while (vfs_readdir(dir, &cookie, &e) == 1) {
        struct vnode *child;
        struct vstat st;
        int err = vfs_lookup(dir, e.name, 0, &child);
        if (err || vfs_stat(child, &st))
            panic("tfstest: %s/%s listed but not found (%d)", path, e.name, err);
        if (st.ino != e.ino)
            panic("tfstest: %s/%s: readdir and lookup disagree on the inode", path, e.name);
        char mode[7];
        kprintf("tfstest: %s: %c %s %lu %u %s\n", path,
                e.type == VNODE_DIR ? 'd' : e.type == VNODE_FILE ? 'f' : 'l', octal6(mode, st.mode), st.size, st.nlink,
                escape(name, sizeof(name), e.name, strlen(e.name)));
    }
}

static void tfstest_one(const char *spec, size_t len)
{
    static char spec_path[VFS_PATH_MAX + 2], path[208], text[VFS_PATH_MAX], target[TFS_SYMLINK_MAX],
        canon[VFS_PATH_MAX];
    if (len >= sizeof(spec_path))
        len = sizeof(spec_path) - 1;
    memcpy(spec_path, spec, len);
    spec_path[len] = 0;
    /* The label: the path as given ('@' included), cut to 200 bytes + "..." to fit a line. */
    snprintf(path, sizeof(path), "%.200s%s", spec_path, len > 200 ? "..." : "");
    bool follow = spec_path[0] != '@';
    struct vnode *v;
    int err = vfs_lookup(NULL, spec_path + !follow, follow ? VFS_FOLLOW : 0, &v);
    if (err) {
        kprintf("tfstest: %s: error %d\n", path, -err);
        return;
    }
    int clen = vfs_path(v, canon, sizeof(canon));
    kprintf("tfstest: %s: at %s\n", path, clen < 0 ? "?" : escape(text, sizeof(text), canon, clen));
    struct vstat st;
    vfs_stat(v, &st);
    char mode[7];
    kprintf("tfstest: %s: ino %lu mode %s uid %u gid %u nlink %u blksize %u blocks %lu\n", path, st.ino,
            octal6(mode, st.mode), st.uid, st.gid, st.nlink, st.blksize, st.blocks);
    if (vfs_type(v) == VNODE_DIR) {
        tfstest_dir(v, path);
    } else if (vfs_type(v) == VNODE_FILE) {
        tfstest_file(v, path);
    } else {
        int64_t n = vfs_readlink(v, target, sizeof(target));
        kprintf("tfstest: %s: link %s\n", path, escape(text, sizeof(text), target, n));
    }
}

/* Runs after the mount, before any program: the kernel is single-threaded here, so the
 * buffers above can be static. */
static void tfstest(const char *spec)
{
    while (*spec) {
        const char *end = strchr(spec, ':');
        size_t len = end ? (size_t)(end - spec) : strlen(spec);
        tfstest_one(spec, len);
        spec += len + (end != NULL);
    }
    kprintf("tfstest: done\n");
}
