/* The mount table of mount(2) (fs/mount.c): tmpfs trees, the kernel's own trees (/proc, /sys,
 * /dev, /dev/pts) mounted again, and bind mounts, grafted on the one vnode tree by replacing a
 * directory entry's node (as volumes are, fs/volume.c) and putting it back at umount. The boot
 * image's root and the volumes are mounts too, but not this table's: they stay where boot put
 * them. Every function returns a negative errno on failure. */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

struct vnode;
struct linux_statfs;

/* mount(2)'s flags (Linux's MS_*: include/uapi/linux/mount.h). */
#define MOUNT_RDONLY      1
#define MOUNT_NOSUID      2
#define MOUNT_NODEV       4
#define MOUNT_NOEXEC      8
#define MOUNT_SYNCHRONOUS 16
#define MOUNT_REMOUNT     32
#define MOUNT_MANDLOCK    64
#define MOUNT_DIRSYNC     128
#define MOUNT_NOSYMFOLLOW 256
#define MOUNT_NOATIME     1024
#define MOUNT_NODIRATIME  2048
#define MOUNT_BIND        4096
#define MOUNT_MOVE        8192
#define MOUNT_REC         16384
#define MOUNT_SILENT      32768
#define MOUNT_POSIXACL    (1 << 16)
#define MOUNT_UNBINDABLE  (1 << 17)
#define MOUNT_PRIVATE     (1 << 18)
#define MOUNT_SLAVE       (1 << 19)
#define MOUNT_SHARED      (1 << 20)
#define MOUNT_RELATIME    (1 << 21)
#define MOUNT_STRICTATIME (1 << 24)
#define MOUNT_LAZYTIME    (1 << 25)
#define MOUNT_NOUSER      (1u << 31)
#define MOUNT_MGC_MASK    0xffff0000u
#define MOUNT_MGC_VAL     0xc0ed0000u
#define MOUNT_PROPAGATION (MOUNT_UNBINDABLE | MOUNT_PRIVATE | MOUNT_SLAVE | MOUNT_SHARED)
/* The per-mount flags (Linux's MNT_USER_SETTABLE_MASK, in MS_* bits). */
#define MOUNT_PER_MOUNT   (MOUNT_RDONLY | MOUNT_NOSUID | MOUNT_NODEV | MOUNT_NOEXEC | MOUNT_NOATIME | \
                           MOUNT_NODIRATIME | MOUNT_RELATIME | MOUNT_NOSYMFOLLOW)

/* umount2's flags. */
#define UMOUNT_FORCE    1
#define UMOUNT_DETACH   2
#define UMOUNT_EXPIRE   4
#define UMOUNT_NOFOLLOW 8

/* A new file system of `type` (tmpfs, ramfs, proc, sysfs, devtmpfs, devpts) on `at`, with its
 * option string `data` (may be NULL). -ENODEV for a type we do not have. */
int mount_new(struct vnode *at, const char *type, const char *source, unsigned long flags, const char *data);
/* MS_BIND: `from` (a directory or file) shown at `at` too. */
int mount_bind(struct vnode *from, struct vnode *at, bool rec);
/* MS_REMOUNT (with MS_BIND: the mount's own flags only). */
int mount_remount(struct vnode *at, unsigned long flags, const char *data);
/* MS_SHARED/PRIVATE/SLAVE/UNBINDABLE: `at` must be a mount's root. */
int mount_propagation(struct vnode *at, unsigned long flags);
/* MS_MOVE: the mount whose root is `from` goes to `at`. */
int mount_move(struct vnode *from, struct vnode *at);
/* umount2 of the mount whose root `at` is. */
int mount_umount(struct vnode *at, int flags);

/* The table's mount v is on has these MS_* per-mount flags (0 when v is on the root or a
 * volume). */
unsigned long mount_flags_of(const struct vnode *v);
/* Is v on a read-only mount (the mount's flag, or its file system's)? */
bool mount_read_only(const struct vnode *v);
/* The tree's own mount's options for /proc/mounts (mnt: "rw,relatime"...; sb: "rw"/"ro"), and
 * mountinfo's per-mount field. */
void mount_root_options(char *mnt, size_t mnt_size, char *sb, size_t sb_size);
void mount_root_info_options(char *mnt, size_t mnt_size);
/* The mount v is on, for EXDEV and RESOLVE_NO_XDEV: an opaque key, NULL for the root/volumes. */
const void *mount_key(const struct vnode *v);
/* st_dev of v: its tmpfs's own anonymous device, else the tree's (1, 0:1). */
uint32_t mount_dev_of(const struct vnode *v);
/* The id of the table's mount v is on, 0 for the root and volumes. */
int mount_id_of(const struct vnode *v);
struct dentry;
/* The directory entry d is a mount point of the caller's namespace (rmdir, unlink, rename: EBUSY). */
bool mount_on_entry(const struct dentry *d);
/* v is the root of a mount of the caller's namespace (statx's STATX_ATTR_MOUNT_ROOT). */
bool mount_is_root(const struct vnode *v);
/* Entry d goes (unlink, rmdir, rename): every namespace's mounts on it are unmounted, as
 * Linux's detach_mounts (the caller's own made it EBUSY already). */
void mount_forget_entry(const struct dentry *d);
/* statfs on a table mount: true with *sf filled (f_type, sizes, f_flags). */
bool mount_statfs(const struct vnode *v, struct linux_statfs *sf);
/* The table's /proc/mounts and mountinfo lines, in mount order; the length written (size when cut). */
size_t mount_lines(char *buf, size_t size, bool mountinfo);
/* The node the walk shows at directory entry d: the root of the caller's namespace's newest
 * mount there, else d->v. */
struct vnode *mount_cross(struct dentry *d);

/* Mount namespaces. A new process's: its parent's, or (fresh: CLONE_NEWNS) a copy of its table. */
struct process;
struct mnt_ns;
int mount_ns_fork(struct process *child, const struct process *parent, bool fresh);
/* unshare(CLONE_NEWNS): the caller's own copy of its table. */
int mount_ns_unshare(struct process *p);
/* The process is freed: its hold on its namespace goes. */
void mount_ns_release(struct process *p);
void mount_ns_release_list(struct mnt_ns *ns);
/* /proc/<pid>/ns/mnt's number (the first namespace's is Linux's 0xEFFFFFF8). */
uint32_t mount_ns_inum(const struct process *p);
/* An open /proc/<pid>/ns/mnt holds p's namespace; setns enters one (its root becomes the
 * process's root and cwd, as mntns_install). */
struct mnt_ns *mount_ns_hold(const struct process *p);
void mount_ns_drop(struct mnt_ns *ns);
uint32_t mount_ns_number(const struct mnt_ns *ns);
void mount_ns_enter(struct process *p, struct mnt_ns *ns);
/* An id for a new mount (mountinfo's first field): volumes take theirs here too. */
int mount_alloc_id(void);
