/* What the volume writer's parts share (internal to kernel/fs): the tuple encoding into a
 * growing buffer and the log's record framing (tfs_log.c), used by compaction (tfs_compact.c). */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct volume;
struct vnode;

#define RECORD_HEADER   12
#define REC_TUPLE       1
#define REC_EXTEND      2
#define REC_COMMIT      3
#define COMMIT_BYTES    (RECORD_HEADER + 12)
#define EXTEND_BYTES    (RECORD_HEADER + 16)
#define SEGMENT_BLOCKS  256            /* a new log segment: 1 MiB */
/* Compaction starts past this many log blocks (4 MiB), when the log is 4x what is live. */
#define COMPACT_MIN_BLOCKS 1024

#define TAG_SYM     1
#define TAG_STR     2
#define TAG_BYTES   3
#define TAG_INT     4
#define TAG_TUPLE   5
#define TAG_LIST    6
#define TAG_REF     7
#define TAG_EXTENTS 8

struct buf {
    uint8_t *p;
    uint64_t len, cap;
    bool oom;                  /* a put ran out of memory: the buffer is incomplete */
};

void put(struct buf *b, const void *data, uint64_t n);
void put_le(struct buf *b, uint64_t v, int n);
void store_le(uint8_t *p, uint64_t v, int n);
void put_sym(struct buf *b, const char *s, size_t len);
void put_key(struct buf *b, const char *key);
void put_int(struct buf *b, const char *key, int64_t v);
void put_type(struct buf *b, const char *type);
void put_bytes(struct buf *b, const void *p, size_t n);
/* u32 tid then the vnode's tuple; `assign` gives new children their tuple ids. */
void node_tuple(struct volume *vol, struct vnode *v, struct buf *b, bool assign);
/* The directory of this volume a mount point hides, or v itself. */
struct vnode *below_mount(struct volume *vol, struct vnode *v);
/* A record header with its CRC for payload. */
void record_header(uint8_t *h, uint16_t type, const uint8_t *payload, uint32_t len);
/* Write data at log byte pos (the block's earlier bytes from vol->tail, the rest zero). */
int write_log(struct volume *vol, uint64_t pos, const uint8_t *data, uint64_t len, bool keep_tail);

uint64_t volume_log_blocks(struct volume *vol);
/* Rewrite the live tree as a fresh log and switch to it through the other header slot. */
int volume_compact(struct volume *vol);
