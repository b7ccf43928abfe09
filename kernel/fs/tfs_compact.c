/* Compaction (docs/tfs.md section 12.5): every sync appends, so the log only grows; superseded
 * records are garbage. When the log is past COMPACT_MIN_BLOCKS and four times what the live tree
 * needs, the live tree is written as a fresh log into free blocks and the header slot not in use
 * is pointed at it with the next generation:
 *   1. new segment: one tuple record per live node and the root tuple, a commit record; FLUSH;
 *   2. block 0 with the other slot rewritten (the slot in use keeps its bytes); FLUSH;
 *   3. the old segments are free.
 * A crash before 2 completes leaves the old slot the valid or the newer one, and its log intact
 * (the new segment lay in free blocks); after it, the new slot wins. Either way a whole log. */
#include "kernel.h"
#include "block.h"
#include "errno.h"
#include "mm.h"
#include "tfs.h"
#include "vnode.h"
#include "volume.h"
#include "tfs_log.h"
#include <string.h>

struct item {
    struct vnode *v;               /* in memory, or */
    const struct tfs_node *n;      /* only on the disk */
};

/* A node the program never reached, as the disk has it. */
static void lower_tuple(const struct tfs_node *n, struct buf *b)
{
    put_le(b, n->id, 4);
    put_le(b, (n->kind == TFS_FILE ? 7 : 6) + (n->xattr_count ? 1 + (n->xattr_inode >= 0) : 0), 4);
    if (n->kind == TFS_DIR) {
        put_key(b, "children");
        put_le(b, TAG_TUPLE, 1);
        put_le(b, n->entry_count, 4);
        for (uint32_t i = 0; i < n->entry_count; i++) {
            put_sym(b, n->entries[i].name, n->entries[i].len);
            put_le(b, TAG_REF, 1);
            put_le(b, n->entries[i].node->id, 4);
        }
    }
    if (n->kind == TFS_FILE) {
        put_key(b, "extents");
        put_le(b, TAG_EXTENTS, 1);
        put_le(b, n->extent_count, 4);
        for (uint32_t i = 0; i < n->extent_count; i++) {
            put_le(b, n->extents[i].file_offset, 8);
            put_le(b, n->extents[i].block, 8);
            put_le(b, n->extents[i].length, 8);
        }
    }
    put_int(b, "gid", n->gid);
    put_int(b, "mode", n->mode);
    put_int(b, "mtime", n->mtime_ns);
    if (n->kind == TFS_FILE)
        put_int(b, "size", (int64_t)n->size);
    if (n->kind == TFS_SYMLINK) {
        put_key(b, "target");
        put_le(b, TAG_STR, 1);
        put_le(b, n->size, 4);
        put(b, n->target, n->size);
    }
    put_type(b, n->kind == TFS_FILE ? "file" : n->kind == TFS_DIR ? "dir" : "symlink");
    put_int(b, "uid", n->uid);
    if (n->xattr_count) {
        put_key(b, "xattrs");
        put_le(b, TAG_LIST, 1);
        put_le(b, 2 * n->xattr_count, 4);
        for (uint32_t i = 0; i < n->xattr_count; i++) {
            put_bytes(b, n->xattrs[i].name, n->xattrs[i].name_len);
            put_bytes(b, n->xattrs[i].value, n->xattrs[i].size);
        }
        if (n->xattr_inode >= 0)
            put_int(b, "xattrs_inode", n->xattr_inode);
    }
}

static void put_str(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    put_le(b, TAG_STR, 1);
    put_le(b, n, 4);
    put(b, s, n);
}

static void put_strings(struct buf *b, const char *key, const char **list, uint32_t n)
{
    put_key(b, key);
    put_le(b, TAG_LIST, 1);
    put_le(b, n, 4);
    for (uint32_t i = 0; i < n; i++)
        put_str(b, list[i]);
}

/* The root tuple: the boot manifest of a writable image (as read), and the root directory. */
static void root_tuple(struct volume *vol, struct buf *b)
{
    const struct tfs_boot *boot = &vol->fs->boot;
    put_le(b, vol->fs->root_tuple, 4);
    put_le(b, boot->program ? 2 : 1, 4);
    if (boot->program) {
        put_key(b, "boot");
        put_le(b, TAG_TUPLE, 1);
        put_le(b, 4, 4);
        put_strings(b, "argv", boot->argv, boot->argc);
        put_strings(b, "env", boot->envp, boot->envc);
        put_key(b, "kernel");
        put_le(b, TAG_TUPLE, 1);
        put_le(b, boot->kopt_count, 4);            /* read in key order: still sorted */
        for (uint32_t i = 0; i < boot->kopt_count; i++) {
            const struct tfs_kopt *o = &boot->kopts[i];
            put_key(b, o->key);
            if (o->is_int) {
                put_le(b, TAG_INT, 1);
                put_le(b, (uint64_t)o->ival, 8);
            } else {
                put_str(b, o->sval);
            }
        }
        put_key(b, "program");
        put_str(b, boot->program);
    }
    put_key(b, "fs");
    put_le(b, TAG_REF, 1);
    put_le(b, vol->root->tid, 4);
}

static struct item item_of(struct volume *vol, const struct tfs_node *n)
{
    struct vnode *v = vol->by_index[n->index];
    return v ? (struct item){ v, NULL } : (struct item){ NULL, n };
}

static bool push(struct item **stack, uint64_t *depth, uint64_t *cap, struct item it)
{
    if (*depth == *cap) {
        uint64_t ncap = *cap ? *cap * 2 : 64;
        struct item *s = kmalloc(ncap * sizeof(*s));
        if (!s)
            return false;
        if (*depth)
            memcpy(s, *stack, *depth * sizeof(*s));
        kfree(*stack);
        *stack = s;
        *cap = ncap;
    }
    (*stack)[(*depth)++] = it;
    return true;
}

/* One record per live node, framed, into b. */
static int live_records(struct volume *vol, struct buf *b)
{
    struct tfs *fs = vol->fs;
    uint8_t *seen = kzalloc(fs->node_count / 8 + 1);
    struct item *stack = NULL;
    uint64_t depth = 0, cap = 0, epoch = ++vol->epoch;
    int err = seen && push(&stack, &depth, &cap, (struct item){ vol->root, NULL }) ? 0 : -ENOMEM;
    while (!err && depth) {
        struct item it = stack[--depth];
        uint64_t start = b->len;
        put(b, "\0\0\0\0\0\0\0\0\0\0\0\0", RECORD_HEADER);
        if (it.v) {
            struct vnode *v = it.v;
            if (v->sync_epoch == epoch) {
                b->len = start;
                continue;
            }
            v->sync_epoch = epoch;
            if (!v->tid)
                v->tid = vol->next_id++;
            node_tuple(vol, v, b, true);
            if (v->type == VNODE_DIR && v->listed) {
                for (struct dentry *d = v->entries; d && !err; d = d->next) {
                    struct vnode *c = below_mount(vol, d->v);
                    if (vnode_outlives_boot(c) && c->vol == vol && !push(&stack, &depth, &cap, (struct item){ c, NULL }))
                        err = -ENOMEM;
                }
            } else if (v->type == VNODE_DIR && v->lower) {
                for (uint32_t i = 0; i < v->lower->entry_count && !err; i++)
                    if (!push(&stack, &depth, &cap, item_of(vol, v->lower->entries[i].node)))
                        err = -ENOMEM;
            }
        } else {
            const struct tfs_node *n = it.n;
            if (seen[n->index / 8] & (1u << (n->index % 8))) {
                b->len = start;
                continue;
            }
            seen[n->index / 8] |= 1u << (n->index % 8);
            lower_tuple(n, b);
            for (uint32_t i = 0; n->kind == TFS_DIR && i < n->entry_count && !err; i++)
                if (!push(&stack, &depth, &cap, item_of(vol, n->entries[i].node)))
                    err = -ENOMEM;
        }
        if (!b->oom)
            record_header(b->p + start, REC_TUPLE, b->p + start + RECORD_HEADER, b->len - start - RECORD_HEADER);
    }
    uint64_t start = b->len;
    put(b, "\0\0\0\0\0\0\0\0\0\0\0\0", RECORD_HEADER);
    root_tuple(vol, b);
    if (!b->oom)
        record_header(b->p + start, REC_TUPLE, b->p + start + RECORD_HEADER, b->len - start - RECORD_HEADER);
    if (b->oom)
        err = -ENOMEM;
    kfree(seen);
    kfree(stack);
    return err;
}

static void put_commit(struct volume *vol, struct buf *b)
{
    uint32_t chain = 0;
    for (uint64_t off = 0; off + RECORD_HEADER <= b->len;) {
        chain = tfs_crc32(chain, b->p + off + 8, 4);
        off += RECORD_HEADER + (b->p[off + 4] | b->p[off + 5] << 8 | b->p[off + 6] << 16 | (uint32_t)b->p[off + 7] << 24);
    }
    uint8_t commit[COMMIT_BYTES + RECORD_HEADER];
    store_le(commit + RECORD_HEADER, vol->seq + 1, 8);
    store_le(commit + RECORD_HEADER + 8, chain, 4);
    record_header(commit, REC_COMMIT, commit + RECORD_HEADER, 12);
    memset(commit + COMMIT_BYTES, 0, RECORD_HEADER);   /* the end record */
    put(b, commit, sizeof(commit));
}

/* Block 0 with the slot not in use pointing at the new log. */
static int write_header(struct volume *vol, uint64_t log_start, uint64_t log_blocks, uint32_t *slot)
{
    struct tfs *fs = vol->fs;
    uint8_t *blk = kmalloc(vol->bs);
    if (!blk)
        return -ENOMEM;
    if (block_read(vol->dev, 0, blk, vol->bs)) {
        kfree(blk);
        return -EIO;
    }
    *slot = fs->header_slot ? 0 : 2048;
    uint8_t *h = blk + *slot;
    memset(h, 0, 128);
    memcpy(h, "UNIBTFS\0", 8);
    store_le(h + 8, 2, 2);
    store_le(h + 10, 0, 2);
    store_le(h + 12, 128, 4);
    store_le(h + 24, vol->bs, 4);
    store_le(h + 28, fs->root_tuple, 4);
    memcpy(h + 32, fs->uuid, 16);
    store_le(h + 48, fs->image_size, 8);
    store_le(h + 56, log_start, 8);
    store_le(h + 64, log_blocks, 8);
    store_le(h + 72, fs->generation + 1, 8);
    store_le(h + 16, tfs_crc32(0, h, 128), 4);
    int err = block_write(vol->dev, 0, blk, vol->bs) || block_flush(vol->dev) ? -EIO : 0;
    kfree(blk);
    return err;
}

int volume_compact(struct volume *vol)
{
    struct buf b = { 0 };
    int err = live_records(vol, &b);
    uint64_t live_len = b.len;
    if (!err)
        put_commit(vol, &b);
    if (!err && b.oom)
        err = -ENOMEM;
    uint64_t need = (b.len + EXTEND_BYTES) / vol->bs + 1, nblocks = need + SEGMENT_BLOCKS, start = 0;
    if (!err && !(start = volume_alloc_run(vol, nblocks, 1)) && !(start = volume_alloc_run(vol, nblocks = need, 1)))
        err = -ENOSPC;
    uint8_t *old_tail = err ? NULL : kmalloc(vol->bs);
    if (!err && !old_tail)
        err = -ENOMEM;
    uint32_t slot = 0;
    if (!err) {
        memcpy(old_tail, vol->tail, vol->bs);
        memset(vol->tail, 0, vol->bs);
        err = write_log(vol, start * vol->bs, b.p, b.len, true);
        if (!err)
            err = block_flush(vol->dev) ? -EIO : 0;
        if (!err)
            err = write_header(vol, start, nblocks, &slot);
        if (err)
            memcpy(vol->tail, old_tail, vol->bs);  /* the old log stays the one in use */
    }
    if (err) {
        if (start)
            volume_free_run(vol, start, nblocks);
    } else {
        for (uint64_t i = 0; i < vol->nsegments; i++)
            volume_free_run(vol, vol->segments[i][0], vol->segments[i][1]);
        vol->nsegments = 0;
        volume_add_segment(vol, start, nblocks);
        vol->seg_start = start;
        vol->seg_blocks = nblocks;
        vol->log_pos = start * vol->bs + b.len - RECORD_HEADER;
        vol->seq++;
        vol->fs->generation++;
        vol->fs->header_slot = slot;
        vol->live_blocks = need;
        kinfo("volume: %s compacted: the log is %lu blocks (%lu bytes live)\n", vol->path, nblocks, live_len);
    }
    kfree(old_tail);
    kfree(b.p);
    return err;
}
