/* Files the kernel makes itself: the devices (/dev/null, /dev/console, ..., fs/devfs.c), the
 * /proc and /sys files whose contents come from kernel state (fs/procfs.c), and
 * /etc/resolv.conf from DHCP (net/resolv.c). Each owner registers its paths at boot; openat,
 * stat and access consult the table, so the file layer knows no owner and no owner knows
 * another.
 *
 * A file registered with a mode also gets a name in the tree once the root is mounted
 * (kfile_publish), with its directories, so /proc, /dev and /sys list as Linux lists them and a
 * walk relative to a directory, or through a symlink (/proc/self -> 1), finds it. Those names
 * are the kernel's: they never reach a volume (they do not outlive the boot, as on Linux, where
 * they belong to procfs, devtmpfs and sysfs). */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct file;
struct vnode;

/* Open the kernel's file at path; NULL lets the path fall through to the tree (resolv.conf
 * before DHCP named a server) or means out of memory. */
typedef struct file *(*kfile_open_fn)(const char *path, int flags);
/* A symlink's target made when it is followed or read: its length, or < 0 when the thing it
 * names is gone. path is the link's own (/proc/42/exe). */
typedef int (*kfile_link_fn)(const char *path, char *buf, size_t size);
/* A directory's entries brought up to date before it is looked into (/proc/42/fd). */
typedef void (*kfile_refresh_fn)(struct vnode *dir, const char *path);
#define KFILE_PATH_MAX 256

/* At boot, before any program runs. A path is registered once. mode is the file's type and
 * permissions as stat shows them (S_IFREG | 0444, S_IFCHR | 0666); 0 keeps it out of the tree
 * (found by its exact path only: a file that may fall through to the image's own). */
void kfile_register(const char *path, kfile_open_fn open, uint32_t mode);
/* A device whose number and st_blksize a stat of its name reports without opening it (an open
 * of /dev/ptmx makes a terminal; of a slave, maybe a controlling one). */
void kfile_register_device(const char *path, kfile_open_fn open, uint32_t mode, uint32_t rdev, uint32_t blksize);
/* A template's entries report blksize (devpts's 1024); each entry's number is its vnode's rdev. */
void kfile_set_blksize(int template, uint32_t blksize);
/* What stat reports as st_blksize for a kernel entry; 0: the tree's block size. */
uint32_t kfile_blksize(const struct vnode *v);
/* An open function's failure with an errno (-ENXIO, -EIO): what openat returns. */
static inline struct file *kfile_fail(int err) { return (struct file *)(intptr_t)err; }
/* The errno of such a failure, 0 for a file (or NULL). */
static inline int kfile_failed(const struct file *f)
{
    return (intptr_t)f < 0 && (intptr_t)f >= -4095 ? (int)(intptr_t)f : 0;
}
/* A directory of the kernel's that holds no registered file (/sys/devices/system/cpu/cpu0). */
void kfile_register_dir(const char *path);
/* A symlink of the kernel's (/proc/self -> 1). */
void kfile_register_symlink(const char *path, const char *target);
/* A symlink whose target is made each time (/proc/self: the caller's pid). */
void kfile_register_dynamic_link(const char *path, kfile_link_fn link);
/* A kind of entry made in many directories (each /proc/<pid>'s status, exe, fd): its index.
 * name is for diagnostics; open, link and refresh as above (NULL where they do not apply). */
int kfile_template(const char *name, kfile_open_fn open, kfile_link_fn link, kfile_refresh_fn refresh, uint32_t mode);
/* Make an entry of a template in dir (a kernel directory) as name. 0 or -errno. */
int kfile_instantiate(struct vnode *dir, const char *name, int template, struct vnode **out);
/* Called by the walk before it follows or reads a symlink, and before it looks into a directory. */
void kfile_refresh_link(struct vnode *v);
void kfile_refresh_dir(struct vnode *dir);
/* Once the root is mounted: every registered name and its directories in the tree. A name the
 * image already has is left to the image. */
void kfile_publish(void);
/* The kernel's file at path (an exact, absolute path), or NULL when it makes none there; once
 * published, a name in the tree is found by the walk (kfile_open_vnode), not here. */
struct file *kfile_open(const char *path, int flags);
/* The kernel's file behind a name the walk found: *is_kernel tells whether v is one; the file
 * is NULL on out of memory (or a file that falls through, see kfile_open_fn). */
struct file *kfile_open_vnode(struct vnode *v, int flags, bool *is_kernel);
/* /proc's links to objects (a template link: <pid>/exe, cwd, fd/N), Linux's "magic links";
 * /proc/self and the other fixed links are ordinary symlinks. */
bool kfile_magic_link(const struct vnode *v);
/* A published file's mode (S_IFCHR | 0666 for a device), 0 for anything else. */
uint32_t kfile_mode(const struct vnode *v);
