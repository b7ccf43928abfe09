/* Volumes (internal to kernel/fs): a writable TFS (format version 2, docs/tfs.md section 12) on
 * its own disk, mounted at a path of the tree. The vnodes below the mount point are the volume's
 * cache: they change in memory as on the boot image, and volume_sync() writes what changed as
 * new data blocks and tuple records closed by a commit record (tfs_log.c), then flushes the disk.
 * volume.c mounts, allocates blocks and accounts space; tfs_log.c writes. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct vnode;
struct tfs;
struct tfs_node;
struct block_device;

struct volume {
    struct block_device *dev;
    struct tfs *fs;
    struct vnode *root;
    struct vnode *covered;         /* the directory the mount hides (its own filesystem keeps it) */
    const char *path;              /* the mount point */
    int mount_id;                  /* mountinfo's and fdinfo's (the root's is 1; volumes from 2) */
    bool read_only;
    uint32_t bs;                   /* the volume's block size: PAGE_SIZE (checked at mount) */
    uint64_t nblocks;
    uint8_t *used;                 /* bitmap: blocks the committed state or the cache holds */
    uint64_t free_blocks;          /* clear bits in used */
    uint64_t alloc_cursor;         /* first-fit starts here (cheap sequential allocation) */
    uint64_t dirty_pages;          /* pages waiting for a block: reserved against free_blocks */
    uint64_t *pending, npending, pending_cap;   /* blocks to free once the next commit is durable */
    struct vnode **by_index;       /* the vnode of each image node (hard links share one) */
    /* the log (tfs_log.c) */
    uint64_t seq;                  /* the last commit's sequence number */
    uint64_t log_pos;              /* byte offset just past the last commit record */
    uint64_t seg_start, seg_blocks;
    uint64_t (*segments)[2];       /* every segment of the log in use (start, blocks) */
    uint64_t nsegments, segments_cap;
    uint64_t live_blocks;          /* the live tree's size as the last compaction wrote it */
    uint8_t *tail;                 /* the block holding log_pos, as on the disk */
    uint32_t next_id;              /* tuple ids for new nodes */
    uint64_t epoch;                /* the current sync walk */
    int64_t last_sync_ns;
    bool broken;                   /* a write failed: no more syncs (the disk keeps its last commit) */
    bool syncing;                  /* a sync is running (the write-back hook must not nest one) */
    uint64_t changed_at;           /* monotonic ns of the oldest change not yet synced; 0: none */
    struct volume *next;
};

/* Mount the volume on bd at path (created in the tree if missing). Errors are the caller's to
 * report; the kernel panics on them at boot. */
int volume_mount(struct block_device *bd, const char *path, bool read_only);
struct tfs *volume_tfs(struct volume *vol);
/* A writable boot image's / (its root vnode from vnode_init). */
void volume_attach_root(struct block_device *bd, struct tfs *fs, struct vnode *root);

/* vnode.c's hooks. */
struct vnode *volume_cached_vnode(struct volume *vol, const struct tfs_node *n);
void volume_adopt(struct volume *vol, struct vnode *v);     /* a vnode just read from the volume */
int volume_reserve_page(struct volume *vol);                /* a page becomes dirty; -ENOSPC */
void volume_unreserve_page(struct volume *vol);             /* a dirty page went away */
void volume_release_block(struct volume *vol, uint64_t block);
int volume_statfs(struct volume *vol, uint64_t *blocks, uint64_t *bfree);

/* Allocation (volume.c) for tfs_log.c. */
uint64_t volume_alloc_block(struct volume *vol);            /* 0 when full */
/* n contiguous blocks at or after block `from` (a log's next segment lies past its current
 * one: replay only moves forward), 0 when there are none. */
uint64_t volume_alloc_run(struct volume *vol, uint64_t n, uint64_t from);
void volume_commit_done(struct volume *vol);                /* free the pending blocks */
void volume_add_segment(struct volume *vol, uint64_t start, uint64_t blocks);
void volume_free_run(struct volume *vol, uint64_t start, uint64_t blocks);

/* Write what changed and make it durable; 0 or -EIO/-ENOSPC/-EROFS. */
int volume_sync(struct volume *vol);
int volume_sync_all(void);
/* Pages changed on every volume and not yet written (/proc/meminfo's Dirty). */
uint64_t volume_dirty_pages(void);
/* Each mounted volume's /proc/mounts line (vfs_mounts); the length written, size when cut. */
size_t volume_mount_lines(char *buf, size_t size);
/* The same as /proc/<pid>/mountinfo lines, in mount order (vfs_mountinfo). */
size_t volume_mountinfo_lines(char *buf, size_t size);
/* Something changed on vol: it goes out within the write-back bound. */
void volume_note_change(struct volume *vol);
/* After a write: note it, and sync what is older than the bound. */
void volume_writeback_tick(struct volume *vol);
/* The CRC (and *len the length) of the tuple record a vnode's state serializes to (tfs_log.c). */
uint32_t volume_tuple_crc(struct volume *vol, struct vnode *v, uint32_t *len);
