/* What the mount table's files share (internal to kernel/fs: mount.c, mount_tmpfs.c,
 * mount_umount.c, mount_show.c, mount_ns.c; the interface is include/mount.h). */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

struct vnode;
struct dentry;
struct process;

#define TMPFS_MAGIC        0x01021994
#define RAMFS_MAGIC        0x858458f6
#define PROC_SUPER_MAGIC   0x9fa0
#define SYSFS_MAGIC        0x62656572
#define DEVPTS_SUPER_MAGIC 0x1cd1

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
    bool holds_root;           /* a bind: the bound node is held (vfs_get) while the mount lives */
    bool expire_marked;        /* MNT_EXPIRE asked once: the next asks unmounts */
    struct mount *next;        /* newest first */
};

/* A mount namespace: its mounts, newest first. A process points at its own (NULL: the first). */
struct mnt_ns {
    int refs;
    uint32_t inum;             /* /proc/<pid>/ns/mnt's number */
    struct mount *list;
    unsigned long root_flags;  /* the tree's own mount (id 1): its MOUNT_PER_MOUNT flags */
    struct mnt_ns *next_ns;    /* every namespace (mnt_all_ns): an entry's removal reaches them all */
};

/* Every mount namespace, the first one first. */
extern struct mnt_ns *mnt_all_ns;

/* The tree's super block is read-only (a remount of "/" without MS_BIND): for every namespace. */
extern bool mnt_tree_read_only;
extern struct mnt_ns mnt_initial_ns;

/* The process's namespace (NULL in the process: the first), the caller's. */
struct mnt_ns *mnt_ns_of(const struct process *p);
struct mnt_ns *mnt_ns_now(void);
/* n ids in a row for new mounts: the first. */
int mnt_alloc_ids(int n);
/* m is what its mount point shows (no newer mount of its namespace on the same entry). */
bool mnt_attached(const struct mount *m);
/* The attached mount whose root is exactly n (the newest, when several are stacked). */
struct mount *mnt_rooted_at(const struct vnode *n);
/* The table's mount v is on, or NULL (the root, a volume, or an unlinked node's). */
struct mount *mnt_of(const struct vnode *v);
/* v is on the tree's own mount ("/", id 1); v is a volume's root. */
bool mnt_on_tree(const struct vnode *v);
bool mnt_volume_root(const struct vnode *v);
/* v is top or below it. */
bool mnt_below(const struct vnode *v, const struct vnode *top);
char *mnt_dup(const char *s);
void mnt_discard(struct mount *m);
/* How many mounts, in every namespace, hold v as their bound root (those are not "in use"). */
int mnt_root_holds(const struct vnode *v);
/* m is off every list: its file system goes with its last mount (mount_umount.c). */
void mnt_put(struct mount *m, bool in_use);
/* tmpfs's (and the generic) options into sb; on a remount mode/uid/gid are taken and ignored. */
int mnt_parse_options(struct superblock *sb, const char *data, bool remount);
/* A tmpfs's options that differ from its defaults (",size=...k,mode=..."), as shmem_show_options. */
size_t mnt_sb_options(char *buf, size_t size, const struct superblock *sb);
/* The pages the files below v hold, and (*inodes) the nodes there, v's own included. */
uint64_t mnt_pages_in(const struct vnode *v, uint64_t *inodes, int depth);
/* show_mnt_opts's per-mount flag names after "rw"/"ro" (",nosuid,relatime"). */
size_t mnt_flag_names(char *buf, size_t size, unsigned long f);
