/* The table of files the kernel makes itself (interface: include/kfile.h). A few dozen
 * entries, looked up by exact path: a linear scan costs less than the path walk it saves.
 * Published entries also have a vnode in the tree whose `kfile` field points back here. */
#include "kernel.h"
#include "kfile.h"
#include "vnode.h"
#include "linux_abi.h"
#include "cpu.h"
#include <string.h>

/* The fixed files (/proc, /dev, /sys: a few dozen) and one /sys cpuN directory per CPU. */
#define MAX_KFILES (64 + MAX_CPUS)

static struct {
    const char *path;
    kfile_open_fn open;        /* NULL for a directory or symlink */
    uint32_t mode;             /* S_IFMT | permissions; 0: not in the tree */
    const char *target;        /* symlinks */
} table[MAX_KFILES];
static int count;
static bool published;   /* kfile_publish ran: the names with a mode are in the tree */

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
void kfile_register_dir(const char *path) { add(path, NULL, S_IFDIR | 0555, NULL); }
void kfile_register_symlink(const char *path, const char *target) { add(path, NULL, S_IFLNK | 0777, target); }

struct file *kfile_open(const char *path, int flags)
{
    for (int i = 0; i < count; i++)   /* published names are found by the walk instead */
        if (table[i].open && !(table[i].mode && published) && !strcmp(table[i].path, path))
            return table[i].open(table[i].path, flags);
    return NULL;
}

struct file *kfile_open_vnode(struct vnode *v, int flags, bool *is_kernel)
{
    *is_kernel = v->kfile > 0 && table[v->kfile - 1].open;
    return *is_kernel ? table[v->kfile - 1].open(table[v->kfile - 1].path, flags) : NULL;
}

uint32_t kfile_mode(const struct vnode *v) { return v->kfile > 0 ? table[v->kfile - 1].mode : 0; }

/* Directories the kernel makes on the way to its files: devtmpfs's /dev is 0755, procfs's and
 * sysfs's directories 0555. */
static uint32_t dir_mode(const char *path) { return strncmp(path, "/dev/", 5) ? 0555 : 0755; }

static enum vnode_type type_of(uint32_t mode)
{
    return (mode & S_IFMT) == S_IFDIR ? VNODE_DIR : (mode & S_IFMT) == S_IFLNK ? VNODE_SYMLINK : VNODE_FILE;
}

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
        if (table[i].mode)
            publish(i);
    published = true;
}
