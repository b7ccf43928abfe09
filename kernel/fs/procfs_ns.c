/* /proc/<pid>/ns/ and the files its links open (include/nsfs.h), after Linux's fs/nsfs.c and
 * fs/proc/namespaces.c. A link's text is "TYPE:[INODE]"; following it to open or stat reaches
 * the namespace itself (VFS_STOP_AT_OBJECT ends the walk on the link): a read-only file whose
 * inode number is the namespace's, so `stat -L` compares namespaces as on Linux. */
#include "kernel.h"
#include "nsfs.h"
#include "file.h"
#include "kfile.h"
#include "vfs.h"
#include "vnode.h"
#include "procfs_pid.h"
#include "process.h"
#include "mount.h"
#include "uts.h"
#include "mm.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

/* proc_ns.h's initial inode numbers; net's and mnt's are the first two dynamic ones. */
static const struct ns_kind {
    const char *name;
    unsigned long type;
    uint32_t initial;
} kinds[] = {
    { "cgroup", CLONE_NEWCGROUP, 0xeffffffbu }, { "ipc", CLONE_NEWIPC, 0xefffffffu },
    { "mnt", CLONE_NEWNS, 0 }, { "net", CLONE_NEWNET, 0xf0000000u },
    { "pid", CLONE_NEWPID, 0xeffffffcu }, { "pid_for_children", CLONE_NEWPID, 0xeffffffcu },
    { "time", CLONE_NEWTIME, 0xeffffffau }, { "time_for_children", CLONE_NEWTIME, 0xeffffffau },
    { "user", CLONE_NEWUSER, 0xeffffffdu }, { "uts", CLONE_NEWUTS, 0 },
};

/* After net's and mnt's initial numbers, the first two dynamic ones. */
static uint32_t next_inum = 0xf0000002u;

uint32_t nsfs_alloc_inum(void) { return next_inum++; }

static const struct ns_kind *kind_named(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
        if (!strcmp(kinds[i].name, name))
            return &kinds[i];
    return NULL;
}

static uint32_t number_of_ns(const struct ns_kind *k, const struct process *p)
{
    if (k->type == CLONE_NEWUTS)
        return uts_inum(p);
    if (k->type == CLONE_NEWNS)
        return mount_ns_inum(p);
    return k->initial;
}

static const char *type_name(unsigned long type)
{
    for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
        if (kinds[i].type == type)
            return kinds[i].name;
    return "?";
}

/* ---- the open file ---- */

struct ns_file {
    unsigned long type;
    uint32_t inum;
    void *ns;                  /* the uts_ns or mnt_ns it holds; NULL for the single ones */
};

static int ns_stat(struct file *f, struct linux_stat *st)
{
    struct ns_file *n = f->priv;
    memset(st, 0, sizeof(*st));
    st->st_dev = 4;                    /* nsfs's anonymous device, 0:4 */
    st->st_ino = n->inum;
    st->st_mode = S_IFREG | 0444;
    st->st_nlink = 1;
    st->st_blksize = PAGE_SIZE;
    return 0;
}

static void ns_release(struct file *f)
{
    struct ns_file *n = f->priv;
    if (n->type == CLONE_NEWUTS)
        uts_ns_drop(n->ns);
    else if (n->type == CLONE_NEWNS)
        mount_ns_drop(n->ns);
    kfree(n);
}

static const struct file_ops ns_ops = { .kind = FILE_NSFS, .stat = ns_stat, .release = ns_release };

unsigned long nsfs_type(const struct file *f)
{
    return f->kind == FILE_NSFS ? ((struct ns_file *)f->priv)->type : 0;
}

int nsfs_name(struct file *f, char *buf, size_t size)
{
    struct ns_file *n = f->priv;
    return snprintf(buf, size, "%s:[%u]", type_name(n->type), n->inum);
}

int nsfs_enter(struct file *f)
{
    struct ns_file *n = f->priv;
    struct process *p = current_process();
    if (n->type == CLONE_NEWUTS)
        uts_ns_enter(p, n->ns);
    else if (n->type == CLONE_NEWNS)
        mount_ns_enter(p, n->ns);
    return 0;                          /* the single ones: the caller is in it already */
}

/* ---- /proc/<pid>/ns/ ---- */

/* The process and kind a link's path names ("/proc/<pid>/ns/<kind>"). */
static const struct ns_kind *link_target(const char *path, struct process **p)
{
    const char *slash = strrchr(path, '/');
    *p = process_of(path, NULL);
    if (!slash || slash - path < 3 || strncmp(slash - 3, "/ns", 3))
        return NULL;
    return *p ? kind_named(slash + 1) : NULL;
}

static int ns_link(const char *path, char *buf, size_t size)
{
    struct process *p;
    const struct ns_kind *k = link_target(path, &p);
    return k ? snprintf(buf, size, "%s:[%u]", k->type == CLONE_NEWPID && strchr(k->name, '_') ? "pid" :
                                              k->type == CLONE_NEWTIME && strchr(k->name, '_') ? "time" : k->name,
                        number_of_ns(k, p))
             : -ENOENT;
}

static const struct ns_kind *kind_of_link(struct vnode *link, struct process **p)
{
    char path[KFILE_PATH_MAX];
    if (vfs_path(link, path, sizeof(path)) < 0)
        return NULL;
    return link_target(path, p);
}

int procfs_ns_reopen(struct vnode *link, int flags, struct file **out)
{
    struct process *p;
    const struct ns_kind *k = kind_of_link(link, &p);
    if (!k)
        return 1;                      /* not one of ours */
    if ((flags & O_ACCMODE) != O_RDONLY)
        return -EACCES;                /* the file is 0444 */
    struct ns_file *n = kzalloc(sizeof(*n));
    if (!n)
        return -ENOMEM;
    n->type = k->type;
    n->inum = number_of_ns(k, p);
    if (k->type == CLONE_NEWUTS)
        n->ns = uts_ns_hold(p);
    else if (k->type == CLONE_NEWNS)
        n->ns = mount_ns_hold(p);
    struct file *f = file_alloc(&ns_ops, n, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC));
    if (!f) {
        f = NULL;
        struct file tmp = { .priv = n };
        ns_release(&tmp);
        return -ENOMEM;
    }
    *out = f;
    return 0;
}

int procfs_ns_stat(struct vnode *link, struct linux_stat *st)
{
    struct process *p;
    const struct ns_kind *k = kind_of_link(link, &p);
    if (!k)
        return 1;
    struct ns_file n = { k->type, number_of_ns(k, p), NULL };
    struct file f = { .priv = &n };
    return ns_stat(&f, st);
}

static int ns_dir_entry, ns_link_entry;

void procfs_ns_init(void)
{
    ns_dir_entry = kfile_template("ns", NULL, NULL, NULL, S_IFDIR | 0511);
    ns_link_entry = kfile_template("ns/N", NULL, ns_link, NULL, S_IFLNK | 0777);
}

void procfs_ns_instantiate(struct vnode *pid_dir)
{
    struct vnode *dir;
    if (kfile_instantiate(pid_dir, "ns", ns_dir_entry, &dir))
        return;
    for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
        kfile_instantiate(dir, kinds[i].name, ns_link_entry, NULL);
}
