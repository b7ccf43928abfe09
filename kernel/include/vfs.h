/* The virtual file system the ELF loader and the file syscalls use: the TFS image mounted at /,
 * writable, with every change kept in memory for the life of the program (nothing is written
 * back to the disk image). Vnodes are never freed while the system runs, so callers need no
 * reference counting; an unlinked file's data goes when its last open file closes.
 * Every function returns a negative errno on failure. */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

struct vnode;
struct block_device;

enum vnode_type { VNODE_FILE = 1, VNODE_DIR = 2, VNODE_SYMLINK = 3, VNODE_SOCKET = 4, VNODE_FIFO = 5,
                  VNODE_CHR = 6, VNODE_BLK = 7 };
/* sockets: bound AF_UNIX names (or mknod's); FIFOs: named pipes (fs/fifo.c); CHR, BLK: mknod's
 * device nodes (their number in the vnode's rdev; opened by devfs_open_number) */

struct vstat {
    uint64_t ino;
    uint32_t mode;        /* S_IFREG/S_IFDIR/S_IFLNK | permission bits, as Linux */
    uint32_t nlink;
    uint32_t uid, gid;
    uint64_t size;
    uint64_t atime_ns, mtime_ns, ctime_ns;
    uint32_t blksize;     /* the filesystem's block size (the image header's), never a literal */
    uint64_t blocks;      /* 512-byte units actually allocated (holes excluded) */
    uint32_t rdev;        /* a device node's number, as Linux's new_encode_dev */
};

struct vdirent {
    uint64_t ino;
    enum vnode_type type;
    uint32_t kernel_mode;   /* a kernel-made file's mode (kfile.h): S_IFCHR for a device; else 0 */
    char name[256];
};

#define VFS_FOLLOW       1    /* follow a symlink in the last component */
/* openat2's RESOLVE_* (Linux's LOOKUP_*): the walk refuses what they name instead of taking it. */
#define VFS_NO_SYMLINKS  2    /* any symlink to follow: ELOOP */
#define VFS_NO_MAGICLINKS 4   /* /proc's links to objects (fd/N, exe, cwd): ELOOP */
#define VFS_NO_XDEV      8    /* a step into another mount: EXDEV */
#define VFS_BENEATH      16   /* never above the start (absolute paths and links, "..", magic links): EXDEV */
#define VFS_IN_ROOT      32   /* the start is "/" for this walk */
/* A followed magic link to an object without a path (fd/N of a pipe: "pipe:[N]") ends the walk
 * on the link itself, as Linux's nd_jump_link lands on the object: the caller opens it
 * (procfs_fd_reopen). Without this flag such a walk is ENOENT. */
#define VFS_STOP_AT_OBJECT 64
#define VFS_MAX_SYMLINKS 40   /* like Linux: more is ELOOP */
#define VFS_PATH_MAX     4096

int vfs_mount_root(struct block_device *dev);
/* Mount the volume on dev at path (the `mount=` kernel option; kernel/fs/volume.c). */
int vfs_mount_volume(struct block_device *dev, const char *path, bool read_only);
/* fsync/fdatasync: 0 once v's changes and the metadata that finds them are on the disk (at once
 * for the boot image, whose changes live in memory only); -EIO, -ENOSPC otherwise. */
int vfs_fsync(struct vnode *v);
/* sync, and the exit path: every volume. */
int vfs_sync_all(void);
/* statfs on a volume: its blocks and free blocks; false for memory-backed paths. */
bool vfs_volume_space(struct vnode *v, uint64_t *blocks, uint64_t *bfree);
/* After a write through a file: O_SYNC/O_DSYNC (sync) writes it out now, otherwise the
 * write-back bound may. */
void vfs_written(struct vnode *v, bool sync);
struct vnode *vfs_root(void);
/* The calling process's "/": where absolute paths start and ".." stops (its chroot), the tree's
 * root unless it changed it. */
struct vnode *vfs_lookup_root(void);
/* chroot: the calling process's "/" becomes dir (a directory). */
void vfs_set_lookup_root(struct vnode *dir);
/* /proc/mounts: a line per mounted file system (the root, then each volume) in buf, as
 * snprintf; returns the length written (size when it did not fit). */
size_t vfs_mounts(char *buf, size_t size);
/* /proc/<pid>/mountinfo: the same mounts, in its format (root first, then the volumes). */
size_t vfs_mountinfo(char *buf, size_t size);
/* The id of the mount v is on (mountinfo's first field, fdinfo's mnt_id): the root's is 1. */
int vfs_mount_id(const struct vnode *v);
/* Resolve path (absolute, or relative to `cwd`; NULL cwd means /). Intermediate symlinks are
 * always followed, the last one only with VFS_FOLLOW. With VFS_BENEATH or VFS_IN_ROOT, `cwd`
 * (not NULL) is the walk's top even for an absolute path. */
int vfs_lookup(struct vnode *cwd, const char *path, int flags, struct vnode **out);
enum vnode_type vfs_type(struct vnode *v);
int vfs_stat(struct vnode *v, struct vstat *st);
/* Bytes read (0 at or past end of file); holes read as zeros. */
int64_t vfs_read(struct vnode *v, uint64_t offset, void *buf, uint64_t len);
/* Target length; not NUL-terminated, truncated to size like readlink(2). */
int64_t vfs_readlink(struct vnode *v, char *buf, size_t size);
/* Directory entries in order, "." and ".." first; *cookie starts at 0. Returns 1 and fills
 * *out, 0 at the end. */
int vfs_readdir(struct vnode *dir, uint64_t *cookie, struct vdirent *out);
/* lseek's SEEK_DATA (hole false) and SEEK_HOLE for a regular file, as tmpfs answers them: page by
 * page, a page without memory is a hole, and so is everything from the size on; -ENXIO when off
 * is at or past the size or no data follows. */
int64_t vfs_seek_data(struct vnode *v, uint64_t off, bool hole);
/* When v was made, for statx's STATX_BTIME: false for the image's nodes (TFS keeps no birth time). */
bool vfs_birth_time(struct vnode *v, int64_t *ns);
/* The absolute path a vnode was found at (for /proc/self/exe, getcwd), from the tree's root. */
int vfs_path(struct vnode *v, char *buf, size_t size);
/* The path as the calling process sees it, from its "/" (chroot): as vfs_path, and *outside set
 * when v is not below that "/" (then the path is the tree's, as Linux's d_path gives it). */
int vfs_path_seen(struct vnode *v, char *buf, size_t size, bool *outside);
/* The path as /proc shows a mapped or open file (Linux's d_path): an unlinked one's last path
 * followed by " (deleted)". */
int vfs_proc_path(struct vnode *v, char *buf, size_t size);

/* ---- changes (vfs_write.c) ----
 * Names are single path components. Errors as Linux gives them: EEXIST, ENOENT, ENOTDIR,
 * EISDIR, ENOTEMPTY, EINVAL (a directory into itself), EBUSY ("." or "..", the root), ENOSPC
 * when memory runs out. */
int vfs_create(struct vnode *dir, const char *name, size_t len, enum vnode_type type, uint32_t mode,
               const char *target, struct vnode **out);
/* unlink (want_dir false) or rmdir (true). */
int vfs_remove(struct vnode *dir, const char *name, size_t len, bool want_dir);
/* flags: RENAME_NOREPLACE (1), RENAME_EXCHANGE (2). */
int vfs_rename(struct vnode *odir, const char *oname, size_t olen, struct vnode *ndir, const char *nname,
               size_t nlen, unsigned flags);
int vfs_link(struct vnode *v, struct vnode *dir, const char *name, size_t len);
/* A regular file with no name (memfd_create, O_TMPFILE): it lives while it is open. */
int vfs_create_unnamed(uint32_t mode, struct vnode **out);
/* The name /proc shows for such a file (before " (deleted)"): Linux's "/memfd:NAME",
 * "/SYSV%08x". Without memory for it the file shows none. */
void vfs_name_unnamed(struct vnode *v, const char *shown);
/* v is on a volume mounted read-only: writes to it are EROFS. */
bool vfs_read_only(struct vnode *v);
/* O_TMPFILE without O_EXCL: the unnamed file may be linked into the tree once (linkat). */
void vfs_tmpfile_linkable(struct vnode *v);
int64_t vfs_write(struct vnode *v, uint64_t offset, const void *buf, uint64_t len);
int vfs_truncate(struct vnode *v, uint64_t size);
/* fallocate as tmpfs does it: mode 0 or VFS_FALLOC_KEEP_SIZE allocate (ENOSPC when memory runs
 * out), VFS_FALLOC_PUNCH_HOLE (with KEEP_SIZE) frees; the caller has checked the range. */
#define VFS_FALLOC_KEEP_SIZE  1
#define VFS_FALLOC_PUNCH_HOLE 2
int vfs_fallocate(struct vnode *v, int mode, uint64_t offset, uint64_t len);

#define VATTR_MODE  1
#define VATTR_UID   2
#define VATTR_GID   4
#define VATTR_ATIME 8
#define VATTR_MTIME 16
struct vattr {
    unsigned mask;
    uint32_t mode, uid, gid;
    int64_t atime_ns, mtime_ns;
};
/* chmod/chown/utimes; the change time becomes now. */
int vfs_setattr(struct vnode *v, const struct vattr *a);
/* A read or a directory listing happened: the access time moves as Linux's default relatime
 * moves it (when it is not after the last change, or a day old). */
void vfs_accessed(struct vnode *v);
/* An open file holds its vnode: an unlinked file keeps its data until the last one closes. */
/* A device node's number (mknod's dev, Linux's new_encode_dev form); 0 for any other node. */
uint32_t vfs_rdev(const struct vnode *v);
void vfs_set_rdev(struct vnode *v, uint32_t rdev);
void vfs_get(struct vnode *v);
void vfs_put(struct vnode *v);
/* ETXTBSY as Linux 6.1 keeps it (fs/exec_busy.c): a file some live process runs (its exe) takes
 * no writer; a file open for writing cannot be executed. vfs_writer counts an open file that
 * may write (file_open_vnode, its release). */
bool vfs_executing(struct vnode *v);
bool vfs_open_for_write(struct vnode *v);
void vfs_writer(struct vnode *v, int delta);
/* A VMA holds its file the same way, and is counted: a file nobody maps needs no look through the
 * address spaces when it loses pages (vm_unmap_file). */
void vfs_get_mapping(struct vnode *v);
void vfs_put_mapping(struct vnode *v);
/* The physical page holding the file's bytes at offset (page-aligned), for MAP_SHARED: made
 * if it was a hole; -ENXIO past the end of the file. The file stays one owner of the page (mm.h's
 * page_ref: the caller takes its own), and frees it only when no mapping has it any more. */
int vfs_file_page(struct vnode *v, uint64_t offset, uint64_t *pa);
/* Pages of file v for a private mapping to map as they are until its first store (Linux maps
 * the page cache's page): up to n consecutive pages from page `index` on, each with an ownership
 * the caller holds (map it, or page_ref_put). An unchanged file's come from the page cache (the
 * missing ones read in one request); a changed file's are its own, and a hole becomes a zero page
 * of the file only when `make` (the page faulted: tmpfs fills a hole a mapping reads), else the
 * answer is -ENOENT. Returns how many (>= 1), 0 when v has no pages to share (the caller reads
 * a copy of its own), or a negative errno. */
int64_t vfs_private_pages(struct vnode *v, uint64_t index, uint64_t n, uint64_t *pas, bool make);
/* The page the file holds at page `index` (its own, or the page cache's), 0 when none: is a
 * mapping's page still the file's, or its own copy? */
uint64_t vfs_page_at(const struct vnode *v, uint64_t index);
/* The file's size now (a mapping's fault looks: past it is SIGBUS). */
uint64_t vfs_size(struct vnode *v);
