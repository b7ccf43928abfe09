/* The table of files the kernel makes itself (interface: include/kfile.h). A few dozen
 * entries, looked up by exact path: a linear scan costs less than the path walk it saves.
 * Published entries also have a vnode in the tree whose `kfile` field points back here. */
#include "kernel.h"
#include "perm.h"
#include "kfile.h"
#include "vnode.h"
#include "linux_abi.h"
#include "vfs.h"
#include "mm.h"
#include "kernel.h"
#include "cpu.h"
#include <string.h>

/* The fixed files (/proc, /dev, /sys: a few dozen), one /sys cpuN directory per CPU, and the
 * templates of a /proc/<pid> directory (procfs_pid.c: a dozen). */
#define MAX_KFILES (100 + MAX_CPUS)

static struct {
    const char *path;
    kfile_open_fn open;        /* NULL for a directory or symlink */
    uint32_t mode;             /* S_IFMT | permissions; 0: not in the tree */
    const char *target;        /* symlinks */
    kfile_link_fn link;        /* symlinks whose target is made when followed (/proc/self) */
    kfile_refresh_fn refresh;  /* directories whose entries are made when looked into (fd/) */
    bool template;             /* made in many directories (kfile_instantiate), never published */
    uint32_t rdev, blksize;    /* devices whose stat the walk answers (devpts's); 0: none */
} table[MAX_KFILES];
static int count;
static bool published;   /* kfile_publish ran: the names with a mode are in the tree */

static enum vnode_type type_of(uint32_t mode)
{
    return (mode & S_IFMT) == S_IFDIR ? VNODE_DIR : (mode & S_IFMT) == S_IFLNK ? VNODE_SYMLINK : VNODE_FILE;
}

static void add(const char *path, kfile_open_fn open, uint32_t mode, const char *target)
{
    for (int i = 0; i < count; i++)
        if (!strcmp(table[i].path, path))
            panic("kfile: %s registered twice", path);
    if (count == MAX_KFILES)
        panic("kfile: more than %d kernel-made files", MAX_KFILES);
    table[count].path = path;
    table[count].open = open;
    table[count].mode = mode;
    table[count].target = target;
    count++;
}

void kfile_register(const char *path, kfile_open_fn open, uint32_t mode) { add(path, open, mode, NULL); }
void kfile_register_device(const char *path, kfile_open_fn open, uint32_t mode, uint32_t rdev, uint32_t blksize)
{
    add(path, open, mode, NULL);
    table[count - 1].rdev = rdev;
    table[count - 1].blksize = blksize;
}
void kfile_set_blksize(int template, uint32_t blksize) { table[template].blksize = blksize; }
uint32_t kfile_blksize(const struct vnode *v) { return v->kfile > 0 ? table[v->kfile - 1].blksize : 0; }
void kfile_register_dynamic_link(const char *path, kfile_link_fn link)
{
    add(path, NULL, S_IFLNK | 0777, "");
    table[count - 1].link = link;
}

int kfile_template(const char *name, kfile_open_fn open, kfile_link_fn link, kfile_refresh_fn refresh, uint32_t mode)
{
    add(name, open, mode, link || (mode & S_IFMT) != S_IFLNK ? NULL : "");
    table[count - 1].link = link;
    table[count - 1].refresh = refresh;
    table[count - 1].template = true;
    return count - 1;
}
void kfile_register_dir(const char *path) { add(path, NULL, S_IFDIR | 0555, NULL); }
void kfile_register_symlink(const char *path, const char *target) { add(path, NULL, S_IFLNK | 0777, target); }

struct file *kfile_open(const char *path, int flags)
{
    for (int i = 0; i < count; i++)   /* published names are found by the walk instead */
        if (table[i].open && !table[i].template && !(table[i].mode && published) && !strcmp(table[i].path, path))
            return table[i].open(table[i].path, flags);
    return NULL;
}

/* A template's file learns where it is (which /proc/<pid>) from its path in the tree. */
struct file *kfile_open_vnode(struct vnode *v, int flags, bool *is_kernel)
{
    *is_kernel = v->kfile > 0 && table[v->kfile - 1].open;
    if (!*is_kernel)
        return NULL;
    if (!table[v->kfile - 1].template)
        return table[v->kfile - 1].open(table[v->kfile - 1].path, flags);
    char path[KFILE_PATH_MAX];
    return vfs_path(v, path, sizeof(path)) < 0 ? NULL : table[v->kfile - 1].open(path, flags);
}

void kfile_refresh_link(struct vnode *v)
{
    if (v->kfile <= 0 || !table[v->kfile - 1].link)
        return;
    char path[KFILE_PATH_MAX], target[KFILE_PATH_MAX];
    int len = vfs_path(v, path, sizeof(path));
    if (len >= 0)
        len = table[v->kfile - 1].link(path, target, sizeof(target));
    if (len < 0)
        len = snprintf(target, sizeof(target), "%s", "");   /* the thing it named is gone */
    /* Replaced only when it changed: a walk in progress may still be reading the old one. */
    if (v->target && v->size == (uint64_t)len && !memcmp(v->target, target, (size_t)len))
        return;
    char *t = kmalloc((size_t)len + 1);
    if (!t)
        return;
    memcpy(t, target, (size_t)len);
    t[len] = 0;
    kfree(v->target);
    v->target = t;
    v->size = (uint64_t)len;
}

bool kfile_magic_link(const struct vnode *v)
{
    return v->kfile > 0 && table[v->kfile - 1].template && table[v->kfile - 1].link;
}

void kfile_refresh_dir(struct vnode *dir)
{
    if (dir->kfile <= 0 || !table[dir->kfile - 1].refresh)
        return;
    char path[KFILE_PATH_MAX];
    if (vfs_path(dir, path, sizeof(path)) >= 0)
        table[dir->kfile - 1].refresh(dir, path);
}

int kfile_instantiate(struct vnode *dir, const char *name, int template, struct vnode **out)
{
    uint32_t mode = table[template].mode;
    struct vnode *v;
    const char *target = table[template].target ? table[template].target : "";   /* links: made when followed */
    struct fs_ident kernel;            /* the kernel's entry, whoever's fork made it: no DAC */
    const struct fs_ident *saved;
    perm_kernel_begin(&kernel, &saved);
    int err = vfs_create(dir, name, strlen(name), type_of(mode), mode & 07777, target, &v);
    perm_access_end(saved);
    if (err)
        return err;
    v->kfile = template + 1;
    v->uid = v->gid = 0;               /* the kernel's, whoever's fork or open made it now */
    if (out)
        *out = v;
    return 0;
}

uint32_t kfile_mode(const struct vnode *v) { return v->kfile > 0 ? table[v->kfile - 1].mode : 0; }

/* Directories the kernel makes on the way to its files: devtmpfs's /dev is 0755, procfs's and
 * sysfs's directories 0555. */
static uint32_t dir_mode(const char *path) { return strncmp(path, "/dev/", 5) ? 0555 : 0755; }

/* The entry's name in the tree, with the directories leading to it; an existing name (the
 * image's, or one published before) is kept, and a non-directory on the way ends the entry. */
static void publish(int index)
{
    const char *path = table[index].path;
    struct vnode *dir = vnode_root();
    const char *p = path + 1;
    while (dir) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        bool last = !slash;
        struct dentry *d = vnode_find(dir, p, len);
        struct vnode *v = d ? d->v : NULL;
        if (!v) {
            uint32_t mode = last ? table[index].mode : S_IFDIR | dir_mode(path);
            if (vfs_create(dir, p, len, type_of(mode), mode & 07777, table[index].target, &v)) {
                kinfo("kfile: no room in the tree for %s\n", path);
                return;
            }
            v->kfile = last ? index + 1 : KFILE_DIR;
            if (last)
                vfs_set_rdev(v, table[index].rdev);
        }
        if (last)
            return;
        dir = v->type == VNODE_DIR ? v : NULL;
        p = slash + 1;
    }
}

void kfile_publish(void)
{
    if (!vnode_root())
        return;
    for (int i = 0; i < count; i++)
        if (table[i].mode && !table[i].template)
            publish(i);
    published = true;
}
