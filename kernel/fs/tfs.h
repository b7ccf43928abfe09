/* The TFS image reader (format: docs/tfs.md). Plain C with no kernel dependencies: the caller
 * supplies reads and memory through struct tfs_io, so the same file builds into the kernel
 * (vfs.c) and into host tools and the libFuzzer target (tests/fuzz/).
 *
 * tfs_open() checks everything docs/tfs.md section 10 lists before it returns an image; after
 * that the tree below is trusted. Nodes live until tfs_close(). */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define TFS_HEADER_SIZE      128
#define TFS_MIN_BLOCK_SIZE   4096
#define TFS_MAX_BLOCK_SIZE   65536
#define TFS_NAME_MAX         255
#define TFS_XATTR_NAME_MAX   255     /* an attribute's name, prefix included */
#define TFS_XATTR_SIZE_MAX   65536   /* and its value */
#define TFS_SYMLINK_MAX      4095
#define TFS_MAX_NESTING      8
#define TFS_MAX_DEPTH        128
#define TFS_MAX_RECORD       (16u << 20)

struct tfs_io {
    /* Read exactly len bytes at byte offset of the device; 0 on success. */
    int (*read)(void *ctx, uint64_t offset, void *buf, uint64_t len);
    void *(*alloc)(void *ctx, size_t size);     /* NULL when out of memory */
    void (*free)(void *ctx, void *p);
    void *ctx;
    uint64_t device_size;                       /* bytes the device holds */
};

enum tfs_status { TFS_OK = 0, TFS_CORRUPT = -1, TFS_NOMEM = -2, TFS_IOERR = -3 };

/* Why tfs_open failed: a fixed description and the byte offset it concerns. A device that does
 * not start with a TFS header at all has what == tfs_no_magic (offset 0): a caller may then look
 * for the image elsewhere, as the boot looks in a GPT disk's partition. */
extern const char tfs_no_magic[];
struct tfs_error {
    enum tfs_status status;
    const char *what;
    uint64_t offset;
};

enum tfs_kind { TFS_FILE = 1, TFS_DIR = 2, TFS_SYMLINK = 3 };

struct tfs_extent {
    uint64_t file_offset, block, length;
};

struct tfs_node;

/* An extended attribute of a node (the optional `xattrs` attribute, docs/tfs.md 8.3). */
struct tfs_xattr {
    const char *name;          /* with its namespace prefix; NUL-terminated */
    uint32_t name_len;
    const uint8_t *value;
    uint32_t size;
};

struct tfs_dirent {
    const char *name;          /* NUL-terminated (names hold no NUL) */
    uint32_t len;
    struct tfs_node *node;
};

struct tfs_node {
    uint32_t id;               /* tuple id: the inode number */
    uint32_t index;            /* position in tfs->nodes */
    enum tfs_kind kind;
    uint32_t mode, uid, gid;   /* mode: permission bits only */
    int64_t mtime_ns;
    uint64_t size;             /* files: bytes; symlinks: target length; dirs: 0 */
    uint64_t blocks512;        /* 512-byte units the file's extents occupy */
    uint32_t nlink;
    uint32_t links;            /* version 2: names beyond the first (hard links) */
    uint32_t depth;            /* 0 for the root directory */
    struct tfs_node *parent;   /* the root directory is its own parent */
    const char *name;          /* entry name in the parent; "" for the root */
    uint32_t name_len;
    struct tfs_extent *extents;     /* files: sorted by file_offset */
    uint32_t extent_count;
    struct tfs_dirent *entries;     /* dirs: in memcmp order of the names */
    uint32_t entry_count;
    char *target;              /* symlinks: NUL-terminated */
    struct tfs_xattr *xattrs;  /* in listxattr order */
    uint32_t xattr_count;
    int32_t xattr_inode;       /* how many of the first sit in ext4's inode area; -1: not recorded */
};

struct tfs_kopt {
    const char *key;
    bool is_int;
    int64_t ival;
    const char *sval;          /* strings and symbols */
};

struct tfs_boot {
    const char *program;
    uint32_t argc, envc, kopt_count;
    const char **argv;         /* NULL-terminated */
    const char **envp;         /* NULL-terminated */
    struct tfs_kopt *kopts;
};

struct tfs_alloc_head;
struct tfs_rec;

struct tfs {
    struct tfs_io io;
    uint32_t block_size;
    uint16_t version_major, version_minor;
    uint8_t uuid[16];
    uint64_t image_size, image_blocks;
    struct tfs_boot boot;          /* empty (program NULL) for a volume */
    /* Version 2, the writable image (docs/tfs.md section 12): where the committed log ends. */
    bool writable;
    uint64_t generation;           /* of the header slot in use */
    uint32_t root_tuple;           /* the header's root_id */
    uint32_t header_slot;          /* byte offset of the slot in use (0 or 2048) */
    uint32_t header_size;
    uint64_t last_seq;             /* the last commit record's sequence number */
    uint64_t log_end;              /* byte offset just past the last commit record */
    uint64_t tail_segment[2];      /* (start, blocks) of the segment holding log_end */
    struct tfs_node *root;
    struct tfs_node *nodes;
    uint32_t node_count;
    /* Private to tfs.c. */
    struct tfs_error err;
    struct tfs_alloc_head *allocs;
    uint64_t (*segments)[2];   /* (start, blocks), increasing */
    uint32_t segment_count, segment_cap;
    struct tfs_rec *recs;      /* open-addressed by tuple id */
    uint32_t rec_cap, rec_count;
    uint8_t *window;           /* read cache for small metadata reads */
    uint64_t window_start, window_len;
};

/* Open and fully validate the image on io; on failure *err says why and nothing is leaked. */
int tfs_open(const struct tfs_io *io, struct tfs **out, struct tfs_error *err);
void tfs_close(struct tfs *fs);

/* The entry `name` (len bytes) of directory dir, or NULL. Binary search: entries are sorted. */
struct tfs_node *tfs_dir_lookup(const struct tfs_node *dir, const char *name, size_t len);

/* Read file bytes [offset, offset+len) clipped to the file size; holes read as zeros.
 * Returns the bytes read or TFS_IOERR. */
int64_t tfs_file_read(struct tfs *fs, const struct tfs_node *file, uint64_t offset, void *buf, uint64_t len);

/* Forget cached device bytes (the writer changed the device). */
void tfs_invalidate_cache(struct tfs *fs);

/* The zlib CRC-32, continued from crc (start with 0). */
uint32_t tfs_crc32(uint32_t crc, const void *buf, size_t len);
