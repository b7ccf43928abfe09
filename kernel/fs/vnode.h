/* The in-memory file tree behind the VFS (internal to kernel/fs). The image's TFS is the lower,
 * read-only layer; every node the program touches becomes a vnode, and every change lives in
 * vnodes only, in RAM, for as long as the program runs (an overlay, like Linux's overlayfs over a
 * tmpfs). A directory lists its image entries the first time it is looked into; a file reads its
 * bytes from the image until the first change copies them into pages of its own. */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "vfs.h"

struct tfs;
struct tfs_node;
struct xattrs;

struct dentry {
    struct vnode *v;
    struct dentry *next;
    uint64_t pos;              /* getdents position, fixed for the entry's life (tmpfs's
                                * stable offsets): unlinking others never moves a reader */
    uint32_t len;
    char name[];               /* NUL-terminated */
};

struct vnode {
    enum vnode_type type;
    uint64_t ino;
    uint32_t mode;             /* permission bits (07777) */
    uint32_t uid, gid, nlink;
    uint64_t size;             /* files: bytes; symlinks: target length */
    int64_t atime_ns, mtime_ns, ctime_ns;
    int64_t btime_ns;          /* made by the program: its birth; 0 for the image's (unknown) */
    struct vnode *parent;      /* directory of its first name; NULL once unlinked */
    const char *name;          /* that name (inside the parent's dentry) */
    uint32_t name_len;
    const struct tfs_node *lower;   /* image node, or NULL for one the program made */
    /* directories */
    bool listed;               /* the image's entries are dentries now */
    struct dentry *entries;
    uint32_t subdirs;
    uint64_t last_pos;         /* the last entry's pos (0 and 1 are "." and "..") */
    /* files: once in memory, page-sized chunks (0: a hole) */
    bool in_memory;
    uint64_t *pages;
    uint64_t page_slots, pages_used;
    bool mapped_shared;        /* pages handed to MAP_SHARED mappings: stores through them leave
                                * no dirty mark, so a volume's sync writes every page */
    /* files not in memory: the page cache's pages of the lower bytes (page_cache.c; 0: none) */
    uint64_t *cached;
    uint64_t cached_slots;
    struct vnode *cache_prev, *cache_next;   /* on the cache's list while `cached` is set */
    bool copied_before;        /* a read() missed in the cache once (page_cache.h) */
    bool filled_once;          /* the cache has read from the file (a whole-file read-ahead is done) */
    bool linkable;             /* O_TMPFILE without O_EXCL: linkat may give it a name (I_LINKABLE) */
    /* symlinks */
    char *target;
    /* FIFOs: the pipe while any file is open on it (fs/fifo.c), else NULL */
    struct pipe *fifo;
    /* device nodes: the device's number (new_encode_dev) */
    uint32_t rdev;
    /* extended attributes (fs/xattr.c); NULL: none yet */
    struct xattrs *xattrs;
    /* open files and mappings; an unlinked vnode's memory goes when both are gone */
    uint32_t users;
    uint32_t mappings;         /* of those, VMAs */
    uint32_t writers;          /* of those, open files that may write (Linux's i_writecount > 0) */
    char *gone_path;           /* unlinked while in use: the path of its last name; made without
                                * one: what Linux names it ("/memfd:NAME"); kmalloc'd */
    /* on a volume (volume.h): NULL for the boot image, whose changes stay in memory */
    struct volume *vol;
    uint32_t tid;              /* tuple id on the volume; 0 until first written */
    uint32_t saved_crc;        /* CRC and length of the tuple the disk holds for it */
    uint32_t saved_len;
    uint64_t sync_epoch;       /* the last sync walk that visited it */
    uint64_t *blocks;          /* files: the volume block holding each page slot (0: none) */
    uint8_t *dirty;            /* files: the page changed since it was last written */
    /* made by the kernel (kfile.c): its table index + 1, or KFILE_DIR for a directory made on
     * the way to one; 0 for every other node */
    int kfile;
};

#define KFILE_DIR (-1)

/* Whether v's name is written to a volume: a bound AF_UNIX name, FIFOs and device nodes (TFS
 * has no such node types) and the kernel's own files do not outlive the boot. */
static inline bool vnode_outlives_boot(const struct vnode *v) { return v->type <= VNODE_SYMLINK && !v->kfile; }

void vnode_init(struct tfs *fs);
/* The filesystem v's unchanged bytes come from (the image, or v's volume). */
struct tfs *vnode_lower_fs(const struct vnode *v);
struct vnode *vnode_root(void);
int64_t vnode_now_ns(void);
/* The entry `name` in dir (a directory), or NULL. */
struct dentry *vnode_find(struct vnode *dir, const char *name, size_t len);
/* The first dentry of dir (after listing the image's entries). */
struct dentry *vnode_entries(struct vnode *dir);
struct vnode *vnode_new(enum vnode_type type, uint32_t mode);
int vnode_link(struct vnode *dir, const char *name, size_t len, struct vnode *v);
void vnode_unlink(struct vnode *dir, struct dentry *d);
int64_t vnode_read(struct vnode *v, uint64_t offset, void *buf, uint64_t len);
int64_t vnode_write(struct vnode *v, uint64_t offset, const void *buf, uint64_t len);
int vnode_truncate(struct vnode *v, uint64_t size);
int vnode_allocate(struct vnode *v, uint64_t offset, uint64_t len, bool keep_size);
int vnode_punch_hole(struct vnode *v, uint64_t offset, uint64_t len);
uint64_t vnode_blocks512(const struct vnode *v);
/* The pages every file held in memory has (written, or copied up): /proc/meminfo's Cached. */
extern uint64_t vnode_memory_pages;
/* Page `index` of a file, in memory from now on (a hole becomes a zero page), for MAP_SHARED (the
 * file is marked mapped_shared). The file owns its pages through mm.h's page_ref, one owner
 * among the mappings that took theirs: a page the file lets go of lives until they unmap it. */
int vnode_page(struct vnode *v, uint64_t index, uint64_t *pa);
/* vfs_private_pages for a file in memory. */
int64_t vnode_private_pages(struct vnode *v, uint64_t index, uint64_t n, uint64_t *pas, bool make);
/* The directory vnode for a volume's root at dentry d of parent (volume_mount). */
struct vnode *vnode_mount(struct volume *vol, const struct tfs_node *root, struct vnode *parent, struct dentry *d);
/* Free an unlinked vnode with no users left. */
void vnode_maybe_free(struct vnode *v);
