/* What the mount table shows (fs/mount.c): statfs of a mount, /proc/mounts and
 * /proc/<pid>/mountinfo lines (show_vfsmnt, show_mountinfo), the tree's own mount's options. */
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

void mount_root_options(char *mnt, size_t mnt_size, char *sb, size_t sb_size)
{
    unsigned long f = mnt_ns_now()->root_flags;
    size_t n = (size_t)snprintf(mnt, mnt_size, "%s", (f & MOUNT_RDONLY) || mnt_tree_read_only ? "ro" : "rw");
    if (n < mnt_size)
        mnt_flag_names(mnt + n, mnt_size - n, f);
    snprintf(sb, sb_size, "%s", mnt_tree_read_only ? "ro" : "rw");
}

void mount_root_info_options(char *mnt, size_t mnt_size)
{
    unsigned long f = mnt_ns_now()->root_flags;
    size_t n = (size_t)snprintf(mnt, mnt_size, "%s", f & MOUNT_RDONLY ? "ro" : "rw");
    if (n < mnt_size)
        mnt_flag_names(mnt + n, mnt_size - n, f);
}

/* ---- what the program sees ---- */

bool mount_statfs(const struct vnode *v, struct linux_statfs *sf)
{
    struct mount *m = mnt_of(v);
    if (!m || !m->sb)
        return false;
    const struct superblock *sb = m->sb;
    sf->f_type = sb->magic;
    sf->f_bsize = sf->f_frsize = PAGE_SIZE;
    sf->f_namelen = 255;
    sf->f_blocks = sf->f_bfree = sf->f_bavail = sf->f_files = sf->f_ffree = 0;
    if (sb->tmpfs && sb->root) {
        uint64_t inodes = 0, used = mnt_pages_in(sb->root, &inodes, 0);
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
size_t mnt_flag_names(char *buf, size_t size, unsigned long f)
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

size_t mount_lines(char *buf, size_t size, bool mountinfo)
{
    size_t n = 0;
    char *point = kmalloc(VFS_PATH_MAX);
    if (!point)
        return 0;
    /* mount order: the list is newest first, and a namespace's copies were numbered in order */
    size_t count = 0;
    for (struct mount *m = mnt_ns_now()->list; m; m = m->next)
        count++;
    struct mount **order = count ? kmalloc(count * sizeof(*order)) : NULL;
    if (count && !order) {
        kfree(point);
        return 0;
    }
    size_t k = 0;
    for (struct mount *m = mnt_ns_now()->list; m; m = m->next) {
        size_t i = k++;
        for (; i > 0 && order[i - 1]->id > m->id; i--)   /* insertion by id (moves keep theirs) */
            order[i] = order[i - 1];
        order[i] = m;
    }
    for (k = 0; k < count && n < size; k++) {
        struct mount *m = order[k];
        if (!mnt_attached(m))
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
        mnt_flag_names(opts, sizeof(opts), m->flags);
        mnt_sb_options(sbo, sizeof(sbo), m->sb);
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
