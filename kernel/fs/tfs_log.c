/* The writer of the writable TFS (docs/tfs.md section 12): a sync turns what changed in a
 * volume's vnodes into new data blocks and tuple records, closed by a commit record.
 *
 * Order, so that a crash at any point leaves the last commit intact:
 *   1. every dirty page goes to a newly allocated block (copy on write: a block the committed
 *      tree references is never overwritten);
 *   2. FLUSH: the data is durable before anything points to it;
 *   3. the records, the commit record and an end record are appended at the log's end (the
 *      bytes of the block they start in are rewritten with the same committed content);
 *   4. FLUSH: the commit is durable; only now are the blocks it stopped using free.
 * A torn step 3 leaves records that fail their checksum or a commit whose chain does not match;
 * replay stops there (tfs.c), so the previous commit is what the next mount sees.
 *
 * A vnode is written when the tuple it serializes to differs from the one on the disk (its CRC
 * is kept): there is no dirty flag to forget at any of the places that change a node. */
#include "kernel.h"
#include "block.h"
#include "errno.h"
#include "mm.h"
#include "tfs.h"
#include "vnode.h"
#include "volume.h"
#include "tfs_log.h"
#include "wait.h"
#include "xattr.h"
#include <string.h>

#define RUN_PAGES       16             /* pages written by one request (the driver's 64 KiB) */

void put(struct buf *b, const void *data, uint64_t n)
{
    if (b->oom)
        return;
    if (b->len + n > b->cap) {
        uint64_t cap = b->cap ? b->cap : 512;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *p = kmalloc(cap);
        if (!p) {
            b->oom = true;
            return;
        }
        if (b->len)
            memcpy(p, b->p, b->len);
        kfree(b->p);
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

void put_le(struct buf *b, uint64_t v, int n)
{
    uint8_t bytes[8];
    for (int i = 0; i < n; i++)
        bytes[i] = (uint8_t)(v >> (8 * i));
    put(b, bytes, n);
}

void store_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void put_sym(struct buf *b, const char *s, size_t len)
{
    put_le(b, len, 1);
    put(b, s, len);
}

void put_key(struct buf *b, const char *key) { put_sym(b, key, strlen(key)); }

void put_int(struct buf *b, const char *key, int64_t v)
{
    put_key(b, key);
    put_le(b, TAG_INT, 1);
    put_le(b, (uint64_t)v, 8);
}

void put_type(struct buf *b, const char *type)
{
    put_key(b, "type");
    put_le(b, TAG_SYM, 1);
    put_key(b, type);
}

/* The format's symbol order: memcmp on the common length, then the shorter first. */
static int name_cmp(const struct dentry *a, const struct dentry *b)
{
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->name, b->name, n);
    return c ? c : (int)a->len - (int)b->len;
}

/* Shell sort: no recursion, no extra memory, fine for the directory sizes programs make. */
static void sort_dentries(struct dentry **d, uint64_t n)
{
    for (uint64_t gap = n / 2; gap; gap /= 2)
        for (uint64_t i = gap; i < n; i++)
            for (uint64_t j = i; j >= gap && name_cmp(d[j - gap], d[j]) > 0; j -= gap) {
                struct dentry *t = d[j];
                d[j] = d[j - gap];
                d[j - gap] = t;
            }
}

/* What a directory entry is on this volume: another volume mounted there hides a directory of
 * this one (the mount point), which is what this volume stores. */
struct vnode *below_mount(struct volume *vol, struct vnode *v)
{
    return v->vol != vol && v->vol && v == v->vol->root && v->vol->covered ? v->vol->covered : v;
}

static void put_children(struct volume *vol, struct vnode *v, struct buf *b, bool assign)
{
    put_key(b, "children");
    put_le(b, TAG_TUPLE, 1);
    if (!v->listed && v->lower) {      /* the image's entries, unchanged: sorted already */
        put_le(b, v->lower->entry_count, 4);
        for (uint32_t i = 0; i < v->lower->entry_count; i++) {
            const struct tfs_dirent *e = &v->lower->entries[i];
            put_sym(b, e->name, e->len);
            put_le(b, TAG_REF, 1);
            put_le(b, e->node->id, 4);
        }
        return;
    }
    uint64_t n = 0;
    for (struct dentry *d = v->entries; d; d = d->next)
        n += vnode_outlives_boot(d->v);
    struct dentry **sorted = kmalloc((n ? n : 1) * sizeof(*sorted));
    if (!sorted) {
        b->oom = true;
        return;
    }
    n = 0;
    for (struct dentry *d = v->entries; d; d = d->next)
        if (vnode_outlives_boot(d->v))
            sorted[n++] = d;
    sort_dentries(sorted, n);
    put_le(b, n, 4);
    for (uint64_t i = 0; i < n; i++) {
        struct vnode *c = below_mount(vol, sorted[i]->v);
        if (!c->tid && assign)
            c->tid = vol->next_id++;
        put_sym(b, sorted[i]->name, sorted[i]->len);
        put_le(b, TAG_REF, 1);
        put_le(b, c->tid, 4);
    }
    kfree(sorted);
}

static void put_extents(struct vnode *v, struct buf *b)
{
    put_key(b, "extents");
    put_le(b, TAG_EXTENTS, 1);
    if (!v->in_memory) {
        const struct tfs_node *n = v->lower;
        put_le(b, n ? n->extent_count : 0, 4);
        for (uint32_t i = 0; n && i < n->extent_count; i++) {
            put_le(b, n->extents[i].file_offset, 8);
            put_le(b, n->extents[i].block, 8);
            put_le(b, n->extents[i].length, 8);
        }
        return;
    }
    uint64_t at = b->len, count = 0, off = 0, blk = 0, len = 0;
    put_le(b, 0, 4);                   /* the count, filled in below */
    uint64_t pages = ALIGN_UP(v->size, PAGE_SIZE) >> PAGE_SHIFT;
    for (uint64_t i = 0; i < pages && i < v->page_slots; i++) {
        uint64_t block = v->blocks[i], bytes = v->size - i * PAGE_SIZE < PAGE_SIZE ? v->size - i * PAGE_SIZE : PAGE_SIZE;
        if (!block)
            continue;
        if (len && off + len == i * PAGE_SIZE && len % PAGE_SIZE == 0 && blk + len / PAGE_SIZE == block) {
            len += bytes;
            continue;
        }
        if (len) {
            put_le(b, off, 8), put_le(b, blk, 8), put_le(b, len, 8);
            count++;
        }
        off = i * PAGE_SIZE, blk = block, len = bytes;
    }
    if (len) {
        put_le(b, off, 8), put_le(b, blk, 8), put_le(b, len, 8);
        count++;
    }
    if (!b->oom)
        store_le(b->p + at, count, 4);
}

void put_bytes(struct buf *b, const void *p, size_t n)
{
    put_le(b, TAG_BYTES, 1);
    put_le(b, n, 4);
    put(b, p, n);
}

static void put_xattr(void *ctx, const char *prefix, const char *name, size_t len, const void *value, size_t size)
{
    struct buf *b = ctx;
    size_t plen = strlen(prefix);
    put_le(b, TAG_BYTES, 1);
    put_le(b, plen + len, 4);
    put(b, prefix, plen);
    put(b, name, len);
    put_bytes(b, value, size);
}

/* u32 id, then the node's tuple (keys in the format's order). */
void node_tuple(struct volume *vol, struct vnode *v, struct buf *b, bool assign)
{
    uint32_t in_inode, xattrs = xattr_each(v, NULL, NULL, &in_inode);
    put_le(b, v->tid, 4);
    put_le(b, (v->type == VNODE_FILE ? 7 : 6) + (xattrs ? 2 : 0), 4);
    if (v->type == VNODE_DIR)
        put_children(vol, v, b, assign);
    if (v->type == VNODE_FILE)
        put_extents(v, b);
    put_int(b, "gid", v->gid);
    put_int(b, "mode", v->mode & 07777);
    put_int(b, "mtime", v->mtime_ns);
    if (v->type == VNODE_FILE)
        put_int(b, "size", (int64_t)v->size);
    if (v->type == VNODE_SYMLINK) {
        put_key(b, "target");
        put_le(b, TAG_STR, 1);
        put_le(b, v->size, 4);
        put(b, v->target, v->size);
    }
    put_type(b, v->type == VNODE_FILE ? "file" : v->type == VNODE_DIR ? "dir" : "symlink");
    put_int(b, "uid", v->uid);
    if (xattrs) {                      /* a LIST of name, value, ...; how many in the inode */
        put_key(b, "xattrs");
        put_le(b, TAG_LIST, 1);
        put_le(b, 2 * xattrs, 4);
        xattr_each(v, put_xattr, b, &in_inode);
        put_int(b, "xattrs_inode", in_inode);
    }
}

uint32_t volume_tuple_crc(struct volume *vol, struct vnode *v, uint32_t *len)
{
    struct buf b = { 0 };
    node_tuple(vol, v, &b, false);
    uint32_t crc = b.oom ? 0 : tfs_crc32(0, b.p, b.len);
    *len = b.oom ? 0 : (uint32_t)b.len;   /* 0 never matches: written at the next sync */
    kfree(b.p);
    return crc;
}

/* ---- data ---- */

struct run {
    uint8_t *buf;
    uint64_t first_block, pages;
};

static int flush_run(struct volume *vol, struct run *r)
{
    if (!r->pages)
        return 0;
    int err = block_write(vol->dev, r->first_block * vol->bs, r->buf, r->pages * vol->bs);
    r->pages = 0;
    return err ? -EIO : 0;
}

/* Every page changed since the last sync (all pages of a file mapped MAP_SHARED: stores through
 * the mapping leave no trace) moves to a new block; consecutive ones go out in one request. */
static int write_pages(struct volume *vol, struct vnode *v, struct run *r, bool *wrote)
{
    uint64_t pages = ALIGN_UP(v->size, PAGE_SIZE) >> PAGE_SHIFT;
    for (uint64_t i = 0; i < v->page_slots; i++) {
        bool changed = v->dirty[i] || (v->mapped_shared && v->pages[i]);
        if (!changed)
            continue;
        if (i >= pages || !v->pages[i]) {  /* past the end: nothing to keep */
            if (v->dirty[i]) {
                v->dirty[i] = 0;
                volume_unreserve_page(vol);
            }
            continue;
        }
        uint64_t block = volume_alloc_block(vol);
        if (!block)
            return -ENOSPC;
        if (r->pages && (r->first_block + r->pages != block || r->pages == RUN_PAGES)) {
            int err = flush_run(vol, r);
            if (err)
                return err;
        }
        if (!r->pages)
            r->first_block = block;
        memcpy(r->buf + r->pages * vol->bs, phys_to_virt(v->pages[i]), vol->bs);
        r->pages++;
        *wrote = true;
        if (v->blocks[i])
            volume_release_block(vol, v->blocks[i]);
        v->blocks[i] = block;
        if (v->dirty[i]) {
            v->dirty[i] = 0;
            volume_unreserve_page(vol);
        }
    }
    return 0;
}

/* ---- the log ---- */

/* Write data at byte pos of the log: the bytes of pos's block before pos are the block's
 * current content (vol->tail), the rest of the last block is zero. */
int write_log(struct volume *vol, uint64_t pos, const uint8_t *data, uint64_t len, bool keep_tail)
{
    uint64_t bs = vol->bs, in = pos % bs, total = ALIGN_UP(in + len, bs);
    uint8_t *buf = kmalloc(total);
    if (!buf)
        return -ENOMEM;
    memcpy(buf, vol->tail, in);
    memcpy(buf + in, data, len);
    memset(buf + in + len, 0, total - in - len);
    int err = block_write(vol->dev, pos - in, buf, total) ? -EIO : 0;
    if (!err && keep_tail) {           /* the block the next append starts in: where the end record is */
        uint64_t end_rec = in + len - RECORD_HEADER;
        memcpy(vol->tail, buf + end_rec / bs * bs, bs);
    }
    kfree(buf);
    return err;
}

void record_header(uint8_t *h, uint16_t type, const uint8_t *payload, uint32_t len)
{
    store_le(h, type, 2);
    store_le(h + 2, 0, 2);
    store_le(h + 4, len, 4);
    store_le(h + 8, 0, 4);
    uint32_t crc = tfs_crc32(tfs_crc32(0, h, RECORD_HEADER), payload, len);
    store_le(h + 8, crc, 4);
}

/* Append recs (whole tuple records) and a commit record; move to a new segment first when they
 * would not leave room in this one for a later extend record. */
static int log_append(struct volume *vol, struct buf *recs)
{
    uint64_t bs = vol->bs, seg_end = (vol->seg_start + vol->seg_blocks) * bs;
    uint32_t chain = 0;
    uint8_t ext[EXTEND_BYTES];
    uint64_t nstart = 0, nblocks = 0;
    if (vol->log_pos + recs->len + COMMIT_BYTES + EXTEND_BYTES > seg_end) {
        nblocks = (recs->len + COMMIT_BYTES + EXTEND_BYTES) / bs + 1;
        nblocks = nblocks < SEGMENT_BLOCKS ? SEGMENT_BLOCKS : nblocks;
        uint64_t after = vol->seg_start + vol->seg_blocks;
        if (!(nstart = volume_alloc_run(vol, nblocks, after)) &&
            !(nstart = volume_alloc_run(vol, nblocks = (recs->len + COMMIT_BYTES + EXTEND_BYTES) / bs + 1, after)))
            return -ENOSPC;            /* the caller compacts: a fresh log may start anywhere */
        store_le(ext + RECORD_HEADER, nstart, 8);
        store_le(ext + RECORD_HEADER + 8, nblocks, 8);
        record_header(ext, REC_EXTEND, ext + RECORD_HEADER, 16);
        chain = tfs_crc32(chain, ext + 8, 4);
    }
    for (uint64_t off = 0; off < recs->len;) {
        chain = tfs_crc32(chain, recs->p + off + 8, 4);
        uint32_t len = recs->p[off + 4] | recs->p[off + 5] << 8 | recs->p[off + 6] << 16 | (uint32_t)recs->p[off + 7] << 24;
        off += RECORD_HEADER + len;
    }
    uint8_t commit[COMMIT_BYTES + RECORD_HEADER];
    store_le(commit + RECORD_HEADER, vol->seq + 1, 8);
    store_le(commit + RECORD_HEADER + 8, chain, 4);
    record_header(commit, REC_COMMIT, commit + RECORD_HEADER, 12);
    memset(commit + COMMIT_BYTES, 0, RECORD_HEADER);       /* the end record */
    put(recs, commit, sizeof(commit));
    if (recs->oom)
        return -ENOMEM;
    int err;
    uint64_t pos = vol->log_pos;
    if (nstart) {
        /* The new segment's records first, then the extend record that leads to them. */
        uint8_t *old_tail = kmalloc(bs);
        if (!old_tail)
            return -ENOMEM;
        memcpy(old_tail, vol->tail, bs);
        memset(vol->tail, 0, bs);
        err = write_log(vol, nstart * bs, recs->p, recs->len, true);
        uint8_t *new_tail = vol->tail;
        vol->tail = old_tail;
        if (!err)
            err = write_log(vol, pos, ext, EXTEND_BYTES, false);
        vol->tail = new_tail;
        kfree(old_tail);
        pos = nstart * bs;
        vol->seg_start = nstart;
        vol->seg_blocks = nblocks;
        volume_add_segment(vol, nstart, nblocks);
    } else {
        err = write_log(vol, pos, recs->p, recs->len, true);
    }
    if (!err)
        err = block_flush(vol->dev) ? -EIO : 0;
    if (err)
        return err;
    vol->seq++;
    vol->log_pos = pos + recs->len - RECORD_HEADER;
    return 0;
}

/* ---- sync ---- */

struct changed {
    struct vnode *v;
    uint32_t crc, len;
};

struct walk {
    struct vnode **stack;
    uint64_t depth, cap;
    struct changed *changed;
    uint64_t nchanged, changed_cap;
};

static bool grow(void **p, uint64_t *cap, uint64_t n, size_t size)
{
    if (n < *cap)
        return true;
    uint64_t ncap = *cap ? *cap * 2 : 64;
    void *q = kmalloc(ncap * size);
    if (!q)
        return false;
    if (*cap)
        memcpy(q, *p, *cap * size);
    kfree(*p);
    *p = q;
    *cap = ncap;
    return true;
}

int volume_sync(struct volume *vol)
{
    if (vol->read_only)
        return 0;
    if (vol->broken)
        return -EIO;
    if (vol->syncing)
        return 0;                      /* the sync running already takes everything (write-back nested in it) */
    vol->syncing = true;
    uint64_t started = wait_now_ns();
    struct walk w = { 0 };
    struct buf recs = { 0 };
    struct run run = { kmalloc(RUN_PAGES * vol->bs), 0, 0 };
    bool wrote = false;
    int err = run.buf ? 0 : -ENOMEM;
    uint64_t epoch = ++vol->epoch;
    if (!err && grow((void **)&w.stack, &w.cap, 0, sizeof(*w.stack)))
        w.stack[w.depth++] = vol->root;
    else
        err = -ENOMEM;
    while (!err && w.depth) {
        struct vnode *v = w.stack[--w.depth];
        if (v->sync_epoch == epoch)
            continue;
        v->sync_epoch = epoch;
        if (v->type == VNODE_DIR && v->listed)
            for (struct dentry *d = v->entries; d && !err; d = d->next) {
                struct vnode *c = below_mount(vol, d->v);
                if (!vnode_outlives_boot(c) || c->vol != vol)
                    continue;
                if (!grow((void **)&w.stack, &w.cap, w.depth, sizeof(*w.stack)))
                    err = -ENOMEM;
                else
                    w.stack[w.depth++] = c;
            }
        if (!err && v->type == VNODE_FILE && v->in_memory)
            err = write_pages(vol, v, &run, &wrote);
        if (err)
            break;
        if (!v->tid)
            v->tid = vol->next_id++;
        uint64_t start = recs.len;
        put(&recs, "\0\0\0\0\0\0\0\0\0\0\0\0", RECORD_HEADER);
        node_tuple(vol, v, &recs, true);
        if (recs.oom) {
            err = -ENOMEM;
            break;
        }
        uint32_t len = recs.len - start - RECORD_HEADER;
        uint32_t crc = tfs_crc32(0, recs.p + start + RECORD_HEADER, len);
        if (crc == v->saved_crc && len == v->saved_len) {
            recs.len = start;          /* the disk has this tuple already */
            continue;
        }
        record_header(recs.p + start, REC_TUPLE, recs.p + start + RECORD_HEADER, len);
        if (!grow((void **)&w.changed, &w.changed_cap, w.nchanged, sizeof(*w.changed))) {
            err = -ENOMEM;
            break;
        }
        w.changed[w.nchanged++] = (struct changed){ v, crc, len };
    }
    if (!err)
        err = flush_run(vol, &run);
    if (!err && wrote)
        err = block_flush(vol->dev) ? -EIO : 0;
    if (!err && recs.len) {
        err = log_append(vol, &recs);
        /* No room past the last segment: a compacted log holds the tree as it is now, this
         * transaction's changes included. */
        if (err == -ENOSPC && !volume_compact(vol))
            err = 0;
    }
    if (!err) {
        for (uint64_t i = 0; i < w.nchanged; i++)
            w.changed[i].v->saved_crc = w.changed[i].crc, w.changed[i].v->saved_len = w.changed[i].len;
        volume_commit_done(vol);
        vol->last_sync_ns = vnode_now_ns();
        if (vol->changed_at <= started)
            vol->changed_at = 0;
        if (volume_log_blocks(vol) > COMPACT_MIN_BLOCKS && volume_log_blocks(vol) > 4 * vol->live_blocks)
            volume_compact(vol);       /* a failure leaves the old log in use, as good as before */
    } else if (err == -EIO) {
        kprintf("volume: %s at %s: write failed; later changes stay in memory\n", vol->dev->name, vol->path);
        vol->broken = true;
    }
    tfs_invalidate_cache(vol->fs);
    kfree(recs.p);
    kfree(run.buf);
    kfree(w.stack);
    kfree(w.changed);
    vol->syncing = false;
    return err;
}
