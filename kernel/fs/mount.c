/* The mount table of mount(2) and umount2 (include/mount.h), and mount namespaces, after
 * Linux's fs/namespace.c.
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
#include "vfs.h"
#include "vnode.h"
#include "volume.h"
#include "process.h"
#include "file.h"
#include "linux_uapi.h"
#include <string.h>

#define TMPFS_MAGIC        0x01021994
#define RAMFS_MAGIC        0x858458f6
#define PROC_SUPER_MAGIC   0x9fa0
#define SYSFS_MAGIC        0x62656572
#define DEVPTS_SUPER_MAGIC 0x1cd1
#define TFS_MAGIC          0x55544653   /* sys_fs.c's: a bind of the image or a volume */

/* A file system instance (Linux's super_block): what a bind mount shares with its source. */
struct superblock {
    const char *type;
    uint32_t magic;
    bool read_only;            /* SB_RDONLY: MS_RDONLY at mount and remount */
    bool tmpfs;                /* sizes and tmpfs's options apply */
    uint64_t max_blocks;       /* pages; 0: unlimited */
    uint64_t max_inodes;       /* 0: unlimited */
    bool sized, inodes_set;    /* given, not the defaults (mountinfo shows them then) */
    uint32_t mode, uid, gid;   /* the root's, as given */
    struct vnode *root;
    int refs;                  /* mounts of it, in every namespace */
    uint32_t dev;              /* st_dev (new_encode_dev): an anonymous 0:N for a tmpfs or ramfs */
};

struct mount {
    int id;
    struct superblock *sb;     /* NULL: a bind of the boot image or a volume */
    char *source;
    char *root_path;           /* mountinfo's fourth field: the bound directory within its file system */
    struct vnode *root;        /* what the mount point shows */
    struct vnode *dir;         /* the directory holding the mount point's entry */
    struct dentry *d;          /* that entry (the walk shows root there, not d->v) */
    unsigned long flags;       /* MOUNT_PER_MOUNT bits */
    unsigned long propagation; /* MOUNT_PRIVATE (the default of `unshare --propagation private`), ... */
    int peer_group;            /* shared: its peer group id */
    bool expire_marked;        /* MNT_EXPIRE asked once: the next asks unmounts */
    struct mount *next;        /* newest first */
};

/* A mount namespace: its mounts, newest first. A process points at its own (NULL: the first). */
struct mnt_ns {
    int refs;
    uint32_t inum;             /* /proc/<pid>/ns/mnt's number */
    struct mount *list;
    unsigned long root_flags;  /* the tree's own mount (id 1): its MOUNT_PER_MOUNT flags */
};

/* The tree's super block is read-only (a remount of "/" without MS_BIND): for every namespace. */
static bool tree_read_only;

#define PROC_MNT_INIT_INO 0xf0000001u  /* the initial mount namespace's, as a booted Linux numbers it */
static struct mnt_ns initial_ns = { 1, PROC_MNT_INIT_INO, NULL, MOUNT_RELATIME };
static int next_id = 2;        /* 1 is the root's */
static int next_peer_group = 1;
static uint32_t next_anon_dev = 0x40;  /* past the kernel's own (sockfs 0:8, pipefs 0:12, ...) */

int mount_alloc_id(void) { return next_id++; }

static struct mnt_ns *ns_of(const struct process *p) { return p && p->mnt_ns ? p->mnt_ns : &initial_ns; }
static struct mnt_ns *ns_now(void) { return ns_of(current_process()); }

/* The newest mount of the caller's namespace on entry d, or NULL. */
static struct mount *top_at(const struct dentry *d)
{
    for (struct mount *m = ns_now()->list; m; m = m->next)
        if (m->d == d)
            return m;
    return NULL;
}

struct vnode *mount_cross(struct dentry *d)
{
    struct mount *m = ns_now()->list ? top_at(d) : NULL;
    return m ? m->root : d->v;
}

/* m is what its mount point shows (no newer mount of the namespace on the same entry). */
static bool attached(const struct mount *m) { return top_at(m->d) == m; }

/* The attached mount whose root is exactly n (the newest, when several are stacked). */
static struct mount *mount_rooted_at(const struct vnode *n)
{
    for (struct mount *m = ns_now()->list; m; m = m->next)
        if (m->root == n && attached(m))
            return m;
    return NULL;
}

/* The table's mount v is on, or NULL (the root, a volume, or an unlinked node's). */
static struct mount *mount_of(const struct vnode *v)
{
    if (!ns_now()->list)
        return NULL;
    for (const struct vnode *n = v; n; n = n->parent == n ? NULL : n->parent) {
        struct mount *m = mount_rooted_at(n);
        if (m)
            return m;
    }
    return NULL;
}

static size_t mount_opts(char *buf, size_t size, unsigned long f);

/* A volume's root (volume.c's mounts, other than a writable boot image's "/"). */
static bool volume_root(const struct vnode *v) { return v->vol && v->vol->root == v && v != vfs_root(); }

/* v is on the tree's own mount: below no table mount, no volume mounted at a path, and not in
 * /proc, /sys or /dev (the kernel's trees: proc, sysfs and devtmpfs mounts on Linux, which a
 * remount of "/" leaves as they are). */
static bool on_tree(const struct vnode *v)
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
    struct mount *m = mount_of(v);
    return m ? m->flags : ns_now()->root_flags != MOUNT_RELATIME && on_tree(v) ? ns_now()->root_flags : 0;
}

bool mount_read_only(const struct vnode *v)
{
    struct mount *m = mount_of(v);
    if (!m)
        return ((ns_now()->root_flags & MOUNT_RDONLY) || tree_read_only) && on_tree(v);
    return (m->flags & MOUNT_RDONLY) || (m->sb && m->sb->read_only);
}

void mount_root_options(char *mnt, size_t mnt_size, char *sb, size_t sb_size)
{
    unsigned long f = ns_now()->root_flags;
    size_t n = (size_t)snprintf(mnt, mnt_size, "%s", (f & MOUNT_RDONLY) || tree_read_only ? "ro" : "rw");
    if (n < mnt_size)
        mount_opts(mnt + n, mnt_size - n, f);
    snprintf(sb, sb_size, "%s", tree_read_only ? "ro" : "rw");
}

void mount_root_info_options(char *mnt, size_t mnt_size)
{
    unsigned long f = ns_now()->root_flags;
    size_t n = (size_t)snprintf(mnt, mnt_size, "%s", f & MOUNT_RDONLY ? "ro" : "rw");
    if (n < mnt_size)
        mount_opts(mnt + n, mnt_size - n, f);
}

const void *mount_key(const struct vnode *v) { return mount_of(v); }

bool mount_on_entry(const struct dentry *d) { return top_at(d) != NULL; }

bool mount_is_root(const struct vnode *v) { return mount_rooted_at(v) != NULL; }

uint32_t mount_dev_of(const struct vnode *v)
{
    struct mount *m = mount_of(v);
    return m && m->sb && m->sb->dev ? m->sb->dev : 1;   /* else the tree's 0:1 */
}

int mount_id_of(const struct vnode *v)
{
    struct mount *m = mount_of(v);
    return m ? m->id : 0;
}

/* ---- making and attaching ---- */

static char *dup_string(const char *s)
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
    struct mount *m = mount_rooted_at(at);
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

static void discard(struct mount *m)
{
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
    if (m->sb)
        m->sb->refs++;
    m->next = ns_now()->list;
    ns_now()->list = m;
    return 0;
}

/* memparse: a number with an optional k/m/g/t/p/e suffix (binary units); *end past it. */
static bool parse_size(const char *s, size_t len, uint64_t *out, bool *percent)
{
    uint64_t n = 0;
    size_t i = 0;
    if (!len)
        return false;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        n = n * 10 + (uint64_t)(s[i] - '0');
    if (i == 0)
        return false;
    *percent = false;
    if (i < len) {
        const char *units = "kmgtpe";
        const char *u = NULL;
        for (const char *c = units; *c; c++)
            if (s[i] == *c || s[i] == *c - 32)
                u = c;
        if (u)
            n <<= 10 * (u - units + 1);
        else if (s[i] == '%' && percent)
            *percent = true;
        else
            return false;
        i++;
    }
    if (i != len)
        return false;
    *out = n;
    return true;
}

static bool parse_uint(const char *s, size_t len, int base, uint64_t *out)
{
    uint64_t n = 0;
    if (!len)
        return false;
    for (size_t i = 0; i < len; i++) {
        int digit = s[i] - '0';
        if (digit < 0 || digit >= base)
            return false;
        n = n * (uint64_t)base + (uint64_t)digit;
        if (n > 0xffffffffu)
            return false;
    }
    *out = n;
    return true;
}

/* The options a tmpfs takes (shmem_parse_one), comma-separated; the generic sb flags ("ro",
 * "rw", ...) as vfs_parse_sb_flag takes them. Unknown ones, bad values: EINVAL. */
static int parse_tmpfs(struct superblock *sb, const char *data, bool remount)
{
    uint64_t ram = page_total_count();
    for (const char *p = data; p && *p;) {
        const char *key = p, *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        p = comma ? comma + 1 : p + len;
        if (!len)
            continue;
        const char *eq = memchr(key, '=', len);
        size_t klen = eq ? (size_t)(eq - key) : len;
        const char *val = eq ? eq + 1 : NULL;
        size_t vlen = eq ? len - klen - 1 : 0;
        uint64_t n;
        bool pct;
#define IS(word) (klen == sizeof(word) - 1 && !memcmp(key, word, klen))
        if (IS("ro") && !val) {
            sb->read_only = true;
        } else if (IS("rw") && !val) {
            sb->read_only = false;
        } else if (IS("size") && val && sb->tmpfs) {
            if (!parse_size(val, vlen, &n, &pct))
                return -EINVAL;
            sb->max_blocks = pct ? ram * n / 100 : (n + PAGE_SIZE - 1) / PAGE_SIZE;
            sb->sized = true;
        } else if (IS("nr_blocks") && val && sb->tmpfs) {
            if (!parse_size(val, vlen, &n, &pct) || pct)
                return -EINVAL;
            sb->max_blocks = n;
            sb->sized = true;
        } else if (IS("nr_inodes") && val && sb->tmpfs) {
            if (!parse_size(val, vlen, &n, &pct) || pct)
                return -EINVAL;
            sb->max_inodes = n;
            sb->inodes_set = true;
        } else if (IS("mode") && val) {
            if (!parse_uint(val, vlen, 8, &n))
                return -EINVAL;
            if (!remount)
                sb->mode = (uint32_t)n & 07777;
        } else if (IS("uid") && val) {
            if (!parse_uint(val, vlen, 10, &n))
                return -EINVAL;
            if (!remount)
                sb->uid = (uint32_t)n;
        } else if (IS("gid") && val) {
            if (!parse_uint(val, vlen, 10, &n))
                return -EINVAL;
            if (!remount)
                sb->gid = (uint32_t)n;
        } else {
            return -EINVAL;            /* "tmpfs: Unknown parameter" */
        }
#undef IS
    }
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
        int err = parse_tmpfs(sb, data, false);
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
    if (!m || !(m->source = dup_string(source ? source : "none")) || !(m->root_path = dup_string("/"))) {
        if (m)
            discard(m);
        return -ENOMEM;
    }
    m->sb = sb;
    m->root = root;
    m->flags = flags & MOUNT_PER_MOUNT;
    if (!(flags & (MOUNT_NOATIME | MOUNT_STRICTATIME)))
        m->flags |= MOUNT_RELATIME;
    int err = attach(m, at);
    if (err)
        discard(m);
    if (err && sb->root == root && root) {   /* a new tree that never got a name */
        kfree(root);
        kfree(sb);
    }
    return err;
}

int mount_bind(struct vnode *from, struct vnode *at, bool rec)
{
    (void)rec;                         /* submounts below `from` show through the shared nodes */
    struct mount *src = mount_of(from);
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
    m->root_path = n >= 0 ? path : (kfree(path), dup_string("/"));
    m->sb = src ? src->sb : NULL;
    m->source = dup_string(src ? src->source : NULL);
    m->root = from;
    m->flags = (src ? src->flags : MOUNT_RELATIME) & ~(unsigned long)MOUNT_RDONLY;   /* clone_mnt keeps atime, nosuid... */
    if (src)
        m->flags |= src->flags & MOUNT_RDONLY;
    if (!m->source || !m->root_path) {
        discard(m);
        return -ENOMEM;
    }
    int err = attach(m, at);
    if (err)
        discard(m);
    return err;
}

int mount_remount(struct vnode *at, unsigned long flags, const char *data)
{
    struct mount *m = mount_rooted_at(at);
    bool tree = !m && at == vfs_root();
    if (!m && !tree)
        return volume_root(at) ? -ENOSYS : -EINVAL;   /* path_mounted */
    unsigned long *own = tree ? &ns_now()->root_flags : &m->flags;
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
        int err = parse_tmpfs(&generic, data, true);
        if (err)
            return err;
        tree_read_only = flags & MOUNT_RDONLY;
        *own = mnt;
        return 0;
    }
    if (m->sb && (m->sb->tmpfs || !strcmp(m->sb->type, "ramfs"))) {
        struct superblock next = *m->sb;
        next.read_only = flags & MOUNT_RDONLY;
        int err = parse_tmpfs(&next, data, true);
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
    struct mount *m = mount_rooted_at(at);
    if (!m)                            /* the tree's and the volumes' mounts: nothing propagates (recorded nowhere) */
        return at == vfs_root() || volume_root(at) ? 0 : -EINVAL;
    for (struct mount *s = ns_now()->list; s; s = s->next) {
        bool below = s == m;
        for (struct vnode *n = s->dir; (flags & MOUNT_REC) && n && !below; n = n->parent == n ? NULL : n->parent)
            below = n == m->root;
        if (!below || !attached(s))
            continue;
        if (type == MOUNT_SHARED && s->propagation != MOUNT_SHARED)
            s->peer_group = next_peer_group++;
        s->propagation = type;
    }
    return 0;
}

int mount_move(struct vnode *from, struct vnode *at)
{
    struct mount *m = mount_rooted_at(from);
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

/* ---- umount ---- */

static bool below(const struct vnode *v, const struct vnode *top)
{
    for (const struct vnode *n = v; n; n = n->parent == n ? NULL : n->parent)
        if (n == top)
            return true;
    return false;
}

/* Something holds a node of m's tree: an open file or mapping, a process's cwd or root. */
static bool tree_in_use(const struct vnode *v, int depth)
{
    if (v->users || v->mappings)
        return true;
    if (v->type != VNODE_DIR || !v->listed || depth > 64)
        return false;                  /* an unlisted directory has no nodes made below it */
    for (struct dentry *d = v->entries; d; d = d->next)
        if (d->v->parent == v && tree_in_use(d->v, depth + 1))
            return true;
    return false;
}

static bool busy(const struct mount *m)
{
    for (struct mount *s = ns_now()->list; s; s = s->next)
        if (s != m && attached(s) && below(s->dir, m->root))
            return true;               /* a mount below it */
    for (struct process *p = process_first(); p; p = p->all_next)
        if (p->state == PROCESS_LIVE && ((p->cwd && below(p->cwd, m->root)) || (p->root && below(p->root, m->root)) ||
                                         (p->exe && below(p->exe, m->root))))
            return true;
    return tree_in_use(m->root, 0);
}

/* Free a tmpfs tree nobody holds (every entry unlinked, children first). */
static void free_tree(struct vnode *dir, int depth)
{
    struct dentry *d;
    while (depth < 64 && (d = dir->entries)) {
        if (d->v->type == VNODE_DIR && d->v->parent == dir)
            free_tree(d->v, depth + 1);
        vnode_unlink(dir, d);
    }
}

static void detach(struct mnt_ns *ns, struct mount *m)
{
    for (struct mount **pp = &ns->list; *pp; pp = &(*pp)->next)
        if (*pp == m) {
            *pp = m->next;
            break;
        }
}

/* m is gone from every list: its file system goes with its last mount, its tree too when a
 * tmpfs's nodes are held by nothing (else they live while held, unnamed). */
static void put_mount(struct mount *m, bool in_use)
{
    struct superblock *sb = m->sb;
    if (sb && --sb->refs == 0 && sb->root && (sb->tmpfs || !strcmp(sb->type, "ramfs"))) {
        if (!in_use) {
            free_tree(sb->root, 0);
            kfree(sb->root);
        }
        kfree(sb);
    }
    discard(m);
}

int mount_umount(struct vnode *at, int flags)
{
    struct mount *m = mount_rooted_at(at);
    if (!m && at == vfs_root() && at == vfs_lookup_root() && !(flags & (UMOUNT_DETACH | UMOUNT_EXPIRE))) {
        tree_read_only = true;         /* do_umount_root: the root is remounted read-only */
        return 0;
    }
    if (!m)
        return at == vfs_lookup_root() || at == vfs_root() ? -EBUSY : volume_root(at) ? -ENOSYS : -EINVAL;
    if ((flags & UMOUNT_EXPIRE) && (flags & (UMOUNT_FORCE | UMOUNT_DETACH)))
        return -EINVAL;
    if (flags & UMOUNT_EXPIRE) {       /* the first ask marks, the next unmounts an unused mount */
        if (busy(m))
            return -EBUSY;
        if (!m->expire_marked) {
            m->expire_marked = true;
            return -EAGAIN;
        }
    }
    bool in_use = busy(m);
    if (in_use && !(flags & UMOUNT_DETACH))
        return -EBUSY;
    struct mnt_ns *ns = ns_now();
    if (flags & UMOUNT_DETACH) {       /* umount_tree: the mounts below it go too */
        for (struct mount *s = ns->list, *next; s; s = next) {
            next = s->next;
            if (s != m && attached(s) && below(s->dir, m->root)) {
                detach(ns, s);         /* their nodes stay while anyone holds them */
                put_mount(s, true);
            }
        }
    }
    detach(ns, m);
    put_mount(m, in_use);
    return 0;
}

/* ---- what the program sees ---- */

static uint64_t pages_in(const struct vnode *v, uint64_t *inodes, int depth)
{
    uint64_t n = v->type == VNODE_FILE && v->in_memory ? v->pages_used : 0;
    (*inodes)++;
    if (v->type == VNODE_DIR && depth < 64)
        for (struct dentry *d = v->entries; d; d = d->next)
            n += d->v->parent == v || d->v->type != VNODE_DIR ? pages_in(d->v, inodes, depth + 1) : 0;
    return n;
}

bool mount_statfs(const struct vnode *v, struct linux_statfs *sf)
{
    struct mount *m = mount_of(v);
    if (!m || !m->sb)
        return false;
    const struct superblock *sb = m->sb;
    sf->f_type = sb->magic;
    sf->f_bsize = sf->f_frsize = PAGE_SIZE;
    sf->f_namelen = 255;
    sf->f_blocks = sf->f_bfree = sf->f_bavail = sf->f_files = sf->f_ffree = 0;
    if (sb->tmpfs && sb->root) {
        uint64_t inodes = 0, used = pages_in(sb->root, &inodes, 0);
        if (sb->max_blocks) {
            sf->f_blocks = sb->max_blocks;
            sf->f_bfree = sf->f_bavail = sb->max_blocks > used ? sb->max_blocks - used : 0;
        }
        if (sb->max_inodes) {
            sf->f_files = sb->max_inodes;
            sf->f_ffree = sb->max_inodes > inodes ? sb->max_inodes - inodes : 0;
        }
    }
    unsigned long f = m->flags;
    sf->f_flags = ST_VALID | ((f & MOUNT_RDONLY) || sb->read_only ? ST_RDONLY : 0) | (f & MOUNT_NOSUID ? 2 : 0) |
                  (f & MOUNT_NODEV ? 4 : 0) | (f & MOUNT_NOEXEC ? 8 : 0) | (f & MOUNT_NOATIME ? 1024 : 0) |
                  (f & MOUNT_NODIRATIME ? 2048 : 0) | (f & MOUNT_RELATIME ? ST_RELATIME : 0) |
                  (f & MOUNT_NOSYMFOLLOW ? 8192 : 0);
    return true;
}

/* show_mnt_opts's per-mount flags after "rw"/"ro". */
static size_t mount_opts(char *buf, size_t size, unsigned long f)
{
    buf[0] = 0;
    static const struct { unsigned long bit; const char *name; } names[] = {
        { MOUNT_NOSUID, ",nosuid" }, { MOUNT_NODEV, ",nodev" }, { MOUNT_NOEXEC, ",noexec" },
        { MOUNT_NOATIME, ",noatime" }, { MOUNT_NODIRATIME, ",nodiratime" }, { MOUNT_RELATIME, ",relatime" },
        { MOUNT_NOSYMFOLLOW, ",nosymfollow" },
    };
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if ((f & names[i].bit) && n < size)
            n += (size_t)snprintf(buf + n, size - n, "%s", names[i].name);
    return n < size ? n : size;
}

/* shmem_show_options: what differs from the defaults. */
static size_t sb_opts(char *buf, size_t size, const struct superblock *sb)
{
    size_t n = 0;
    buf[0] = 0;
    if (!sb || !sb->tmpfs)
        return sb && !strcmp(sb->type, "ramfs") && sb->mode != 0755 ?
               (size_t)snprintf(buf, size, ",mode=%03o", sb->mode) : 0;
    if (sb->max_blocks != page_total_count() / 2)
        n += (size_t)snprintf(buf + n, size - n, ",size=%luk", sb->max_blocks << (PAGE_SHIFT - 10));
    if (n < size && sb->max_inodes != page_total_count() / 2)
        n += (size_t)snprintf(buf + n, size - n, ",nr_inodes=%lu", sb->max_inodes);
    if (n < size && sb->mode != 01777)
        n += (size_t)snprintf(buf + n, size - n, ",mode=%03o", sb->mode);
    if (n < size && sb->uid)
        n += (size_t)snprintf(buf + n, size - n, ",uid=%u", sb->uid);
    if (n < size && sb->gid)
        n += (size_t)snprintf(buf + n, size - n, ",gid=%u", sb->gid);
    return n < size ? n : size;
}

size_t mount_lines(char *buf, size_t size, bool mountinfo)
{
    size_t n = 0;
    char *point = kmalloc(VFS_PATH_MAX);
    if (!point)
        return 0;
    /* mount order: the list is newest first, and a namespace's copies were numbered in order */
    size_t count = 0;
    for (struct mount *m = ns_now()->list; m; m = m->next)
        count++;
    struct mount **order = count ? kmalloc(count * sizeof(*order)) : NULL;
    if (count && !order) {
        kfree(point);
        return 0;
    }
    size_t k = 0;
    for (struct mount *m = ns_now()->list; m; m = m->next) {
        size_t i = k++;
        for (; i > 0 && order[i - 1]->id > m->id; i--)   /* insertion by id (moves keep theirs) */
            order[i] = order[i - 1];
        order[i] = m;
    }
    for (k = 0; k < count && n < size; k++) {
        struct mount *m = order[k];
        if (!attached(m))
            continue;
        bool outside;                  /* the mount point: its directory's path and the entry's name */
        int len = vfs_path_seen(m->dir, point, VFS_PATH_MAX, &outside);
        if (len < 0 || outside || (size_t)len + m->d->len + 2 > VFS_PATH_MAX)
            continue;                  /* not below the reader's root: Linux hides it too */
        if (len > 1)
            point[len++] = '/';
        memcpy(point + len, m->d->name, m->d->len + 1);
        const char *type = m->sb ? m->sb->type : "tfs";
        bool sb_ro = m->sb && m->sb->read_only, ro = sb_ro || (m->flags & MOUNT_RDONLY);
        char opts[128], sbo[160];
        mount_opts(opts, sizeof(opts), m->flags);
        sb_opts(sbo, sizeof(sbo), m->sb);
        if (!mountinfo) {
            n += (size_t)snprintf(buf + n, size - n, "%s %s %s %s%s%s 0 0\n", m->source, point, type, ro ? "ro" : "rw",
                                  opts, sbo);
            continue;
        }
        char shared[24] = "";
        if (m->propagation == MOUNT_SHARED)
            snprintf(shared, sizeof(shared), " shared:%d", m->peer_group);
        else if (m->propagation == MOUNT_UNBINDABLE)
            snprintf(shared, sizeof(shared), " unbindable");
        uint32_t dev = m->sb && m->sb->dev ? m->sb->dev : 1;
        n += (size_t)snprintf(buf + n, size - n, "%d %d %u:%u %s %s %s%s%s - %s %s %s%s\n", m->id, vfs_mount_id(m->dir),
                              (dev >> 8) & 0xfff, (dev & 0xff) | ((dev >> 12) & 0xfff00), m->root_path, point, m->flags & MOUNT_RDONLY ? "ro" : "rw", opts, shared, type, m->source,
                              sb_ro ? "ro" : "rw", sbo);
    }
    kfree(order);
    kfree(point);
    return n < size ? n : size;
}

/* ---- mount namespaces ---- */

static uint32_t next_ns_inum = 0xf0000100u;   /* proc_alloc_inum's range (uts_ns.c takes from its start) */

uint32_t mount_ns_inum(const struct process *p) { return ns_of(p)->inum; }

/* copy_mnt_ns: every mount of the caller's namespace again, in the same order, with new ids
 * (propagation kept: shared mounts stay in their peer groups). */
static struct mnt_ns *copy_ns(const struct mnt_ns *from)
{
    struct mnt_ns *ns = kzalloc(sizeof(*ns));
    if (!ns)
        return NULL;
    ns->refs = 1;
    ns->inum = next_ns_inum++;
    ns->root_flags = from->root_flags;
    struct mount **tail = &ns->list;
    for (const struct mount *m = from->list; m; m = m->next) {   /* newest first, kept so */
        struct mount *c = kmalloc(sizeof(*c));
        if (c)
            *c = *m;
        if (!c || !(c->source = dup_string(m->source)) || !(c->root_path = dup_string(m->root_path))) {
            if (c) {
                kfree(c->source);
                kfree(c);
            }
            mount_ns_release_list(ns);
            kfree(ns);
            return NULL;
        }
        c->next = NULL;
        if (c->sb)
            c->sb->refs++;
        *tail = c;
        tail = &c->next;
    }
    /* new ids in mount order (the list is newest first: number from its end) */
    int n = 0;
    for (struct mount *c = ns->list; c; c = c->next)
        n++;
    int first = next_id;
    next_id += n;
    for (struct mount *c = ns->list; c; c = c->next)
        c->id = first + --n;
    return ns;
}

void mount_ns_release_list(struct mnt_ns *ns)
{
    while (ns->list) {
        struct mount *m = ns->list;
        ns->list = m->next;
        put_mount(m, true);            /* another namespace's process may still hold its nodes */
    }
}

int mount_ns_fork(struct process *child, const struct process *parent, bool fresh)
{
    struct mnt_ns *from = ns_of(parent);
    if (fresh)
        return (child->mnt_ns = copy_ns(from)) ? 0 : -ENOMEM;
    from->refs++;
    child->mnt_ns = from == &initial_ns ? NULL : from;
    return 0;
}

void mount_ns_drop(struct mnt_ns *ns)
{
    if (ns && ns != &initial_ns && --ns->refs == 0) {
        mount_ns_release_list(ns);
        kfree(ns);
    }
}

void mount_ns_release(struct process *p)
{
    struct mnt_ns *ns = p->mnt_ns;
    p->mnt_ns = NULL;
    mount_ns_drop(ns);
}

struct mnt_ns *mount_ns_hold(const struct process *p)
{
    struct mnt_ns *ns = ns_of(p);
    ns->refs++;
    return ns;
}

uint32_t mount_ns_number(const struct mnt_ns *ns) { return ns->inum; }

void mount_ns_enter(struct process *p, struct mnt_ns *ns)
{
    ns->refs++;
    mount_ns_release(p);
    p->mnt_ns = ns == &initial_ns ? NULL : ns;
    p->root = NULL;
    p->cwd = vfs_root();
}

int mount_ns_unshare(struct process *p)
{
    struct mnt_ns *ns = copy_ns(ns_of(p));
    if (!ns)
        return -ENOMEM;
    mount_ns_release(p);
    p->mnt_ns = ns;
    return 0;
}
