/* The mount table of mount(2) (include/mount.h), after Linux's fs/namespace.c: finding the
 * mount a node is on, and making mounts (new ones, binds, remounts, propagation, moves). Its
 * siblings: mount_tmpfs.c (options), mount_umount.c, mount_show.c (what /proc and statfs show),
 * mount_ns.c (namespaces).
 *
 * The tree is one graph of vnodes with one parent each. A mount hangs on its mount point's
 * directory entry: the path walk, stepping through an entry, takes the root of the newest mount
 * the caller's namespace has there (mount_cross, Linux's __lookup_mnt), so a namespace's mounts
 * are its own and unmounting is taking the mount off the list. The mount a node is on is found
 * by walking up its parents to the first root of an attached mount; the boot image's root and
 * the volumes are not in this table (volume.c grafts them into the entry itself, for everyone).
 *
 * A bind mount shows the same nodes at a second place. Those nodes keep their first parent, so
 * below a bind of another directory ".." and the paths /proc and getcwd report are the source's,
 * and the bind's flags apply to the source as well (Linux's mounts are (mount, dentry) pairs;
 * ours are nodes). A self-bind (`mount --bind D D`, then a read-only remount: the usual way to
 * make a tree read-only) has none of these differences. */
#include "kernel.h"
#include "errno.h"
#include "mm.h"
#include "mount.h"
#include "mount_internal.h"
#include "vfs.h"
#include "vnode.h"
#include "volume.h"
#include "process.h"
#include "linux_uapi.h"
#include <string.h>

bool mnt_tree_read_only;

#define PROC_MNT_INIT_INO 0xf0000001u  /* the initial mount namespace's, as a booted Linux numbers it */
struct mnt_ns mnt_initial_ns = { 1, PROC_MNT_INIT_INO, NULL, MOUNT_RELATIME, NULL };
struct mnt_ns *mnt_all_ns = &mnt_initial_ns;
static int next_id = 2;        /* 1 is the root's */
static int next_peer_group = 1;
static uint32_t next_anon_dev = 0x40;  /* past the kernel's own (sockfs 0:8, pipefs 0:12, ...) */

int mount_alloc_id(void) { return next_id++; }

int mnt_alloc_ids(int n)
{
    int first = next_id;
    next_id += n;
    return first;
}

struct mnt_ns *mnt_ns_of(const struct process *p) { return p && p->mnt_ns ? p->mnt_ns : &mnt_initial_ns; }
struct mnt_ns *mnt_ns_now(void) { return mnt_ns_of(current_process()); }

/* The newest mount of the caller's namespace on entry d, or NULL. */
static struct mount *top_at(const struct dentry *d)
{
    for (struct mount *m = mnt_ns_now()->list; m; m = m->next)
        if (m->d == d)
            return m;
    return NULL;
}

struct vnode *mount_cross(struct dentry *d)
{
    struct mount *m = mnt_ns_now()->list ? top_at(d) : NULL;
    return m ? m->root : d->v;
}

/* m is what its mount point shows (no newer mount of the namespace on the same entry). */
bool mnt_attached(const struct mount *m) { return top_at(m->d) == m; }

/* The attached mount whose root is exactly n (the newest, when several are stacked). */
struct mount *mnt_rooted_at(const struct vnode *n)
{
    for (struct mount *m = mnt_ns_now()->list; m; m = m->next)
        if (m->root == n && mnt_attached(m))
            return m;
    return NULL;
}

/* The table's mount v is on, or NULL (the root, a volume, or an unlinked node's). */
struct mount *mnt_of(const struct vnode *v)
{
    if (!mnt_ns_now()->list)
        return NULL;
    for (const struct vnode *n = v; n; n = n->parent == n ? NULL : n->parent) {
        struct mount *m = mnt_rooted_at(n);
        if (m)
            return m;
    }
    return NULL;
}

/* A volume's root (volume.c's mounts, other than a writable boot image's "/"). */
bool mnt_volume_root(const struct vnode *v) { return v->vol && v->vol->root == v && v != vfs_root(); }

/* v is on the tree's own mount: below no table mount, no volume mounted at a path, and not in
 * /proc, /sys or /dev (the kernel's trees: proc, sysfs and devtmpfs mounts on Linux, which a
 * remount of "/" leaves as they are). */
bool mnt_on_tree(const struct vnode *v)
{
    if (v->vol && v->vol->root != vfs_root())
        return false;
    const struct vnode *root = vfs_root(), *top = v;
    while (top->parent && top->parent != root && top->parent != top)
        top = top->parent;
    if (top == root || top->parent != root)
        return true;
    return strcmp(top->name, "proc") && strcmp(top->name, "sys") && strcmp(top->name, "dev");
}

unsigned long mount_flags_of(const struct vnode *v)
{
    struct mount *m = mnt_of(v);
    return m ? m->flags : mnt_ns_now()->root_flags != MOUNT_RELATIME && mnt_on_tree(v) ? mnt_ns_now()->root_flags : 0;
}

bool mount_read_only(const struct vnode *v)
{
    struct mount *m = mnt_of(v);
    if (!m)
        return ((mnt_ns_now()->root_flags & MOUNT_RDONLY) || mnt_tree_read_only) && mnt_on_tree(v);
    return (m->flags & MOUNT_RDONLY) || (m->sb && m->sb->read_only);
}

const void *mount_key(const struct vnode *v) { return mnt_of(v); }

bool mount_on_entry(const struct dentry *d) { return top_at(d) != NULL; }

bool mount_is_root(const struct vnode *v) { return mnt_rooted_at(v) != NULL; }

uint32_t mount_dev_of(const struct vnode *v)
{
    struct mount *m = mnt_of(v);
    return m && m->sb && m->sb->dev ? m->sb->dev : 1;   /* else the tree's 0:1 */
}

int mount_id_of(const struct vnode *v)
{
    struct mount *m = mnt_of(v);
    return m ? m->id : 0;
}

/* ---- making and attaching ---- */

char *mnt_dup(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *p = kmalloc(n);
    if (p)
        memcpy(p, s ? s : "", n);
    return p;
}

/* The directory entry that names `at` (the node a walk to the mount point ended on): a mount's
 * root is on its mount's entry. */
static int entry_of(struct vnode *at, struct vnode **dir, struct dentry **d)
{
    struct mount *m = mnt_rooted_at(at);
    if (m) {
        *dir = m->dir;
        *d = m->d;
        return 0;
    }
    if (!at->parent || at->parent == at || at == vfs_lookup_root())
        return -EBUSY;                 /* the root: our mounts hang on an entry */
    struct dentry *e = vnode_find(at->parent, at->name, at->name_len);
    if (!e || e->v != at)
        return -ENOENT;
    *dir = at->parent;
    *d = e;
    return 0;
}

int mnt_root_holds(const struct vnode *v)
{
    int n = 0;
    for (struct mnt_ns *ns = mnt_all_ns; ns; ns = ns->next_ns)
        for (struct mount *m = ns->list; m; m = m->next)
            n += m->holds_root && m->root == v;
    return n;
}

void mount_forget_entry(const struct dentry *d)
{
    for (struct mnt_ns *ns = mnt_all_ns; ns; ns = ns->next_ns)
        for (struct mount **pp = &ns->list; *pp;) {
            struct mount *m = *pp;
            if (m->d != d) {
                pp = &m->next;
                continue;
            }
            *pp = m->next;             /* Linux's detach_mounts: lazily unmounted */
            mnt_put(m, true);
        }
}

void mnt_discard(struct mount *m)
{
    if (m->holds_root)
        vfs_put(m->root);
    kfree(m->source);
    kfree(m->root_path);
    kfree(m);
}

/* Put m (root set) on top at `at`: Linux's graft_tree, ENOTDIR when one is a directory and the
 * other is not. */
static int attach(struct mount *m, struct vnode *at)
{
    if ((at->type == VNODE_DIR) != (m->root->type == VNODE_DIR))
        return -ENOTDIR;
    int err = entry_of(at, &m->dir, &m->d);
    if (err)
        return err;
    if (m->root->type == VNODE_DIR && m->root->parent == NULL) {   /* a new tree's root: its name */
        m->root->parent = m->dir;
        m->root->name = m->d->name;
        m->root->name_len = m->d->len;
    }
    m->id = mount_alloc_id();
    m->propagation = MOUNT_PRIVATE;
    if (!m->sb || m->sb->root != m->root) {   /* a bind: its node may lose its last name meanwhile */
        vfs_get(m->root);
        m->holds_root = true;
    }
    if (m->sb)
        m->sb->refs++;
    m->next = mnt_ns_now()->list;
    mnt_ns_now()->list = m;
    return 0;
}

/* The kernel's own trees a mount of their type shows again (Linux makes a new instance; ours
 * are one tree each). */
static const struct { const char *type, *path; uint32_t magic; } kernel_trees[] = {
    { "proc", "/proc", PROC_SUPER_MAGIC }, { "sysfs", "/sys", SYSFS_MAGIC },
    { "devtmpfs", "/dev", TMPFS_MAGIC }, { "devpts", "/dev/pts", DEVPTS_SUPER_MAGIC },
};

static struct superblock *kernel_tree_sb(size_t i)
{
    static struct superblock sbs[ARRAY_SIZE(kernel_trees)];
    struct superblock *sb = &sbs[i];
    if (!sb->type) {
        sb->type = kernel_trees[i].type;
        sb->magic = kernel_trees[i].magic;
        sb->mode = 0755;
    }
    return sb;
}

int mount_new(struct vnode *at, const char *type, const char *source, unsigned long flags, const char *data)
{
    struct superblock *sb = NULL;
    struct vnode *root = NULL;
    bool tmpfs = !strcmp(type, "tmpfs"), ramfs = !strcmp(type, "ramfs");
    if (tmpfs || ramfs) {
        if (!(sb = kzalloc(sizeof(*sb))))
            return -ENOMEM;
        sb->type = tmpfs ? "tmpfs" : "ramfs";
        sb->magic = tmpfs ? TMPFS_MAGIC : RAMFS_MAGIC;
        sb->tmpfs = tmpfs;
        sb->mode = 01777;
        sb->dev = next_anon_dev++;     /* get_anon_bdev: 0:N, one per file system */
        if (tmpfs) {                   /* shmem_default_max_blocks/inodes: half of RAM */
            sb->max_blocks = page_total_count() / 2;
            sb->max_inodes = page_total_count() / 2;
        } else {
            sb->mode = 0755;
        }
        int err = mnt_parse_options(sb, data, false);
        if (err) {
            kfree(sb);
            return err;
        }
        if (!(root = vnode_new(VNODE_DIR, sb->mode))) {
            kfree(sb);
            return -ENOMEM;
        }
        root->nlink = 2;
        root->uid = sb->uid;
        root->gid = sb->gid;
        sb->root = root;
    } else {
        for (size_t i = 0; i < ARRAY_SIZE(kernel_trees) && !sb; i++)
            if (!strcmp(type, kernel_trees[i].type)) {
                sb = kernel_tree_sb(i);
                if (vfs_lookup(NULL, kernel_trees[i].path, 0, &root))
                    return -ENODEV;
            }
        if (!sb)
            return -ENODEV;            /* get_fs_type found none */
        if (data && *data && strcmp(data, "rw") && strcmp(data, "ro"))
            kinfo("mount: %s options \"%s\" are not applied (one tree for every mount)\n", type, data);
    }
    if (sb->tmpfs || !strcmp(type, "ramfs"))
        sb->read_only = flags & MOUNT_RDONLY;
    struct mount *m = kzalloc(sizeof(*m));
    if (!m || !(m->source = mnt_dup(source ? source : "none")) || !(m->root_path = mnt_dup("/"))) {
        if (m)
            mnt_discard(m);
        return -ENOMEM;
    }
    m->sb = sb;
    m->root = root;
    m->flags = flags & MOUNT_PER_MOUNT;
    if (!(flags & (MOUNT_NOATIME | MOUNT_STRICTATIME)))
        m->flags |= MOUNT_RELATIME;
    int err = attach(m, at);
    if (err)
        mnt_discard(m);
    if (err && sb->root == root && root) {   /* a new tree that never got a name */
        kfree(root);
        kfree(sb);
    }
    return err;
}

int mount_bind(struct vnode *from, struct vnode *at, bool rec)
{
    (void)rec;                         /* submounts below `from` show through the shared nodes */
    struct mount *src = mnt_of(from);
    struct mount *m = kzalloc(sizeof(*m));
    char *path = kmalloc(VFS_PATH_MAX);
    if (!m || !path) {
        kfree(m);
        kfree(path);
        return -ENOMEM;
    }
    /* the bound node's path within its own file system (mountinfo's root field) */
    int n = vfs_path(from, path, VFS_PATH_MAX);
    if (n >= 0 && src) {
        char base[VFS_PATH_MAX];
        int b = vfs_path(src->root, base, sizeof(base));
        if (b > 1 && !strncmp(path, base, (size_t)b))
            memmove(path, path + b, (size_t)(n - b) + 1);
        if (!path[0])
            memcpy(path, "/", 2);
        else if (src->root_path[1]) {   /* a bind of a bind: below its root path */
            size_t rl = strlen(src->root_path), pl = strlen(path);
            if (rl + pl < VFS_PATH_MAX) {
                memmove(path + rl, path, pl + 1);
                memcpy(path, src->root_path, rl);
            }
        }
    }
    m->root_path = n >= 0 ? path : (kfree(path), mnt_dup("/"));
    m->sb = src ? src->sb : NULL;
    char device[40];                   /* a bind of the image or a volume: its disk, as Linux names the source */
    if (!src && vfs_device_path(from, device, sizeof(device)) < 0)
        device[0] = 0;
    m->source = mnt_dup(src ? src->source : device);
    m->root = from;
    m->flags = (src ? src->flags : MOUNT_RELATIME) & ~(unsigned long)MOUNT_RDONLY;   /* clone_mnt keeps atime, nosuid... */
    if (src)
        m->flags |= src->flags & MOUNT_RDONLY;
    if (!m->source || !m->root_path) {
        mnt_discard(m);
        return -ENOMEM;
    }
    int err = attach(m, at);
    if (err)
        mnt_discard(m);
    return err;
}

int mount_remount(struct vnode *at, unsigned long flags, const char *data)
{
    struct mount *m = mnt_rooted_at(at);
    bool tree = !m && at == vfs_root();
    if (!m && !tree)
        return mnt_volume_root(at) ? -ENOSYS : -EINVAL;   /* path_mounted */
    unsigned long *own = tree ? &mnt_ns_now()->root_flags : &m->flags;
    unsigned long mnt = flags & MOUNT_PER_MOUNT;
    if (!(flags & (MOUNT_NOATIME | MOUNT_STRICTATIME | MOUNT_RELATIME)))
        mnt |= MOUNT_RELATIME;
    if ((flags & MOUNT_BIND)) {        /* do_reconfigure_mnt: the mount only; atime kept unless given */
        if (!(flags & (MOUNT_NOATIME | MOUNT_NODIRATIME | MOUNT_RELATIME | MOUNT_STRICTATIME)))
            mnt = (mnt & ~(unsigned long)(MOUNT_NOATIME | MOUNT_NODIRATIME | MOUNT_RELATIME)) |
                  (*own & (MOUNT_NOATIME | MOUNT_NODIRATIME | MOUNT_RELATIME));
        *own = mnt;
        return 0;
    }
    if (tree) {                        /* the tree takes the generic options only ("ro", "rw", ...) */
        struct superblock generic = { .type = "tfs" };
        int err = mnt_parse_options(&generic, data, true);
        if (err)
            return err;
        mnt_tree_read_only = flags & MOUNT_RDONLY;
        *own = mnt;
        return 0;
    }
    if (m->sb && (m->sb->tmpfs || !strcmp(m->sb->type, "ramfs"))) {
        struct superblock next = *m->sb;
        next.read_only = flags & MOUNT_RDONLY;
        int err = mnt_parse_options(&next, data, true);
        if (err)
            return err;
        *m->sb = next;
    } else if (m->sb) {
        m->sb->read_only = flags & MOUNT_RDONLY;
    } else {
        return -ENOSYS;                /* a bind of the image or a volume: its super block is volume.c's */
    }
    m->flags = mnt;
    return 0;
}

int mount_propagation(struct vnode *at, unsigned long flags)
{
    unsigned long type = flags & ~(unsigned long)(MOUNT_REC | MOUNT_SILENT);
    /* flags_to_propagation_type: exactly one type */
    if (!type || (type & ~(unsigned long)MOUNT_PROPAGATION) || (type & (type - 1)))
        return -EINVAL;
    struct mount *m = mnt_rooted_at(at);
    if (!m)                            /* the tree's and the volumes' mounts: nothing propagates (recorded nowhere) */
        return at == vfs_root() || mnt_volume_root(at) ? 0 : -EINVAL;
    for (struct mount *s = mnt_ns_now()->list; s; s = s->next) {
        bool below = s == m;
        for (struct vnode *n = s->dir; (flags & MOUNT_REC) && n && !below; n = n->parent == n ? NULL : n->parent)
            below = n == m->root;
        if (!below || !mnt_attached(s))
            continue;
        if (type == MOUNT_SHARED && s->propagation != MOUNT_SHARED)
            s->peer_group = next_peer_group++;
        s->propagation = type;
    }
    return 0;
}

int mount_move(struct vnode *from, struct vnode *at)
{
    struct mount *m = mnt_rooted_at(from);
    if (!m)
        return -EINVAL;
    for (struct vnode *n = at; n; n = n->parent == n ? NULL : n->parent)
        if (n == m->root)
            return -ELOOP;             /* into itself */
    if ((at->type == VNODE_DIR) != (m->root->type == VNODE_DIR))
        return -ENOTDIR;
    struct vnode *dir;
    struct dentry *d;
    int err = entry_of(at, &dir, &d);
    if (err)
        return err;
    m->dir = dir;
    m->d = d;
    if (m->sb && m->sb->root == m->root) {
        m->root->parent = dir;
        m->root->name = d->name;
        m->root->name_len = d->len;
    }
    return 0;
}
