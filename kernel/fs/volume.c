/* Volumes: mounting a writable TFS disk at a path, its block allocator and its space.
 *
 * The allocator is a bitmap built at mount from what the committed state references (the
 * header block, every log segment, every extent). A block a change frees (a page rewritten
 * elsewhere, a truncated or removed file) stays marked until the commit that stops referencing
 * it is durable (volume_commit_done): until then a crash would bring the old tree back, and the
 * old tree must find its bytes. Space a write will need is reserved when the page becomes dirty,
 * so a full volume fails the write with ENOSPC and the sync never runs out. */
#include "kernel.h"
#include "block.h"
#include "errno.h"
#include "mm.h"
#include "tfs.h"
#include "vfs.h"
#include "vnode.h"
#include "volume.h"
#include "tfs_log.h"
#include "wait.h"
#include "mount.h"
#include <string.h>

/* Blocks kept back from writes for the log (tuple records and a new segment). */
#define LOG_RESERVE_BLOCKS 64

static struct volume *volumes;

struct tfs *volume_tfs(struct volume *vol) { return vol->fs; }

static bool is_used(struct volume *vol, uint64_t b) { return vol->used[b >> 3] & (1u << (b & 7)); }

static void mark(struct volume *vol, uint64_t b)
{
    if (b < vol->nblocks && !is_used(vol, b)) {
        vol->used[b >> 3] |= 1u << (b & 7);
        vol->free_blocks--;
    }
}

static void unmark(struct volume *vol, uint64_t b)
{
    if (b < vol->nblocks && is_used(vol, b)) {
        vol->used[b >> 3] &= ~(1u << (b & 7));
        vol->free_blocks++;
    }
}

uint64_t volume_alloc_block(struct volume *vol)
{
    for (uint64_t i = 0; i < vol->nblocks; i++) {
        uint64_t b = vol->alloc_cursor + i < vol->nblocks ? vol->alloc_cursor + i : vol->alloc_cursor + i - vol->nblocks;
        if (b && !is_used(vol, b)) {
            mark(vol, b);
            vol->alloc_cursor = b + 1;
            return b;
        }
    }
    return 0;
}

uint64_t volume_alloc_run(struct volume *vol, uint64_t n, uint64_t from)
{
    uint64_t run = 0;
    for (uint64_t b = from ? from : 1; b < vol->nblocks; b++) {
        run = is_used(vol, b) ? 0 : run + 1;
        if (run == n) {
            for (uint64_t i = b + 1 - n; i <= b; i++)
                mark(vol, i);
            return b + 1 - n;
        }
    }
    return 0;
}

void volume_add_segment(struct volume *vol, uint64_t start, uint64_t blocks)
{
    if (vol->nsegments == vol->segments_cap) {
        uint64_t cap = vol->segments_cap ? vol->segments_cap * 2 : 16;
        uint64_t (*p)[2] = kmalloc(cap * sizeof(*p));
        if (!p)
            panic("volume: out of memory for the list of log segments");
        if (vol->nsegments)
            memcpy(p, vol->segments, vol->nsegments * sizeof(*p));
        kfree(vol->segments);
        vol->segments = p;
        vol->segments_cap = cap;
    }
    vol->segments[vol->nsegments][0] = start;
    vol->segments[vol->nsegments][1] = blocks;
    vol->nsegments++;
}

void volume_free_run(struct volume *vol, uint64_t start, uint64_t blocks)
{
    for (uint64_t b = start; b < start + blocks; b++)
        unmark(vol, b);
}

uint64_t volume_log_blocks(struct volume *vol)
{
    uint64_t n = 0;
    for (uint64_t i = 0; i < vol->nsegments; i++)
        n += vol->segments[i][1];
    return n;
}

void volume_release_block(struct volume *vol, uint64_t block)
{
    if (vol->npending == vol->pending_cap) {
        uint64_t cap = vol->pending_cap ? vol->pending_cap * 2 : 256;
        uint64_t *p = kmalloc(cap * sizeof(uint64_t));
        if (!p)
            return;                    /* out of memory: the block leaks until the next mount */
        if (vol->npending)
            memcpy(p, vol->pending, vol->npending * sizeof(uint64_t));
        kfree(vol->pending);
        vol->pending = p;
        vol->pending_cap = cap;
    }
    vol->pending[vol->npending++] = block;
}

void volume_commit_done(struct volume *vol)
{
    for (uint64_t i = 0; i < vol->npending; i++)
        unmark(vol, vol->pending[i]);
    vol->npending = 0;
}

int volume_reserve_page(struct volume *vol)
{
    if (vol->read_only)
        return -EROFS;
    if (vol->dirty_pages + LOG_RESERVE_BLOCKS >= vol->free_blocks)
        return -ENOSPC;
    vol->dirty_pages++;
    return 0;
}

void volume_unreserve_page(struct volume *vol)
{
    vol->dirty_pages--;
}

int volume_statfs(struct volume *vol, uint64_t *blocks, uint64_t *bfree)
{
    uint64_t held = vol->dirty_pages + LOG_RESERVE_BLOCKS;
    *blocks = vol->nblocks;
    *bfree = vol->free_blocks > held ? vol->free_blocks - held : 0;
    return 0;
}

struct vnode *volume_cached_vnode(struct volume *vol, const struct tfs_node *n)
{
    return vol->by_index[n->index];
}

void volume_adopt(struct volume *vol, struct vnode *v)
{
    vol->by_index[v->lower->index] = v;
    v->saved_crc = volume_tuple_crc(vol, v, &v->saved_len);
}

static int disk_read(void *ctx, uint64_t offset, void *buf, uint64_t len)
{
    return block_read(ctx, offset, buf, len);
}

static void *heap_alloc(void *ctx, size_t size) { return kmalloc(size); }
static void heap_free(void *ctx, void *p) { kfree(p); }

/* The mount point's dentry, making the directories on the way (in memory, on the boot image). */
static int mount_point(const char *path, struct vnode **parent, struct dentry **out)
{
    struct vnode *dir = vfs_root();
    const char *p = path;
    struct dentry *d = NULL;
    for (;;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *name = p;
        while (*p && *p != '/')
            p++;
        size_t len = p - name;
        if (d)
            dir = d->v;
        if (dir->type != VNODE_DIR)
            return -ENOTDIR;
        d = vnode_find(dir, name, len);
        if (!d) {
            struct vnode *v;
            int err = vfs_create(dir, name, len, VNODE_DIR, 0755, NULL, &v);
            if (err)
                return err;
            d = vnode_find(dir, name, len);
        }
    }
    if (!d)
        return -EBUSY;                 /* "/" itself: a volume as / is the boot disk's job */
    if (d->v->type != VNODE_DIR)
        return -ENOTDIR;
    *parent = dir;
    *out = d;
    return 0;
}

int vfs_mount_volume(struct block_device *bd, const char *path, bool read_only)
{
    return volume_mount(bd, path, read_only);
}

/* The allocator and log state of a volume already opened (tfs_open) on bd. */
static struct volume *attach(struct block_device *bd, struct tfs *fs, const char *path, bool read_only)
{
    struct volume *vol = kzalloc(sizeof(*vol));
    if (!vol)
        panic("volume: out of memory");
    vol->fs = fs;
    if (!fs->writable && !read_only)
        panic("volume: %s for %s is a read-only TFS %u.%u image, not a volume (mount it :ro)", bd->name, path,
              fs->version_major, fs->version_minor);
    if (fs->block_size != PAGE_SIZE)
        panic("volume: %s for %s has %u-byte blocks; this kernel writes only %lu-byte blocks", bd->name, path,
              fs->block_size, PAGE_SIZE);
    if (!read_only && bd->read_only)
        panic("volume: %s for %s is attached read-only", bd->name, path);
    vol->dev = bd;
    vol->path = path;
    vol->read_only = read_only;
    vol->bs = fs->block_size;
    vol->nblocks = fs->image_blocks;
    vol->used = kzalloc((vol->nblocks + 7) / 8);
    vol->by_index = kzalloc((fs->node_count ? fs->node_count : 1) * sizeof(struct vnode *));
    vol->tail = kzalloc(vol->bs);
    if (!vol->used || !vol->by_index || !vol->tail)
        panic("volume: %s: out of memory for a volume of %lu blocks", bd->name, vol->nblocks);
    vol->free_blocks = vol->nblocks;
    mark(vol, 0);
    for (uint32_t i = 0; i < fs->segment_count; i++) {
        for (uint64_t b = 0; b < fs->segments[i][1]; b++)
            mark(vol, fs->segments[i][0] + b);
        volume_add_segment(vol, fs->segments[i][0], fs->segments[i][1]);
    }
    uint32_t top = 0;
    for (uint32_t i = 0; i < fs->node_count; i++) {
        const struct tfs_node *n = &fs->nodes[i];
        top = n->id > top ? n->id : top;
        for (uint32_t e = 0; e < n->extent_count; e++)
            for (uint64_t off = 0; off < n->extents[e].length; off += vol->bs)
                mark(vol, n->extents[e].block + off / vol->bs);
    }
    vol->next_id = (top > fs->root_tuple ? top : fs->root_tuple) + 1;   /* above every node and the root tuple */
    vol->seq = fs->last_seq;
    vol->log_pos = fs->log_end;
    vol->seg_start = fs->tail_segment[0];
    vol->seg_blocks = fs->tail_segment[1];
    if (fs->writable && block_read(bd, vol->log_pos / vol->bs * vol->bs, vol->tail, vol->bs))
        panic("volume: %s: cannot read the log's last block", bd->name);
    vol->alloc_cursor = 1;
    vol->last_sync_ns = vnode_now_ns();
    vol->mount_id = mount_alloc_id();   /* one space with mount(2)'s (1 is the root's) */
    vol->next = volumes;
    volumes = vol;
    return vol;
}

static void announce(struct volume *vol)
{
    kinfo("volume: %s at %s (TFS %u.%u, %lu of %lu blocks free, commit %lu)%s\n", vol->dev->name, vol->path,
          vol->fs->version_major, vol->fs->version_minor, vol->free_blocks, vol->nblocks, vol->seq,
          vol->read_only ? ", read-only" : "");
}

int volume_mount(struct block_device *bd, const char *path, bool read_only)
{
    struct tfs_io io = { disk_read, heap_alloc, heap_free, bd, bd->capacity };
    struct tfs_error err;
    struct tfs *fs;
    switch (tfs_open(&io, &fs, &err)) {
    case TFS_OK:
        break;
    case TFS_CORRUPT:
        panic("volume: %s for %s: corrupt: %s at offset %#lx", bd->name, path, err.what, err.offset);
    case TFS_NOMEM:
        panic("volume: %s for %s: out of memory reading it", bd->name, path);
    default:
        panic("volume: %s for %s: read error at offset %#lx", bd->name, path, err.offset);
    }
    struct vnode *parent;
    struct dentry *d;
    int e = mount_point(path, &parent, &d);
    if (e)
        return e;
    struct volume *vol = attach(bd, fs, path, read_only);
    vol->covered = d->v;
    if (!(vol->root = vnode_mount(vol, fs->root, parent, d)))
        return -ENOMEM;
    announce(vol);
    return 0;
}

/* A writable boot image: / itself is a volume (vfs_mount_root, before anything is looked up). */
void volume_attach_root(struct block_device *bd, struct tfs *fs, struct vnode *root)
{
    struct volume *vol = attach(bd, fs, "/", false);
    vol->root = root;
    root->vol = vol;
    root->tid = fs->root->id;
    volume_adopt(vol, root);
    announce(vol);
}

/* The volumes in mount order (the list is newest first): /proc/mounts and mountinfo list them so. */
static struct volume *mounted(int id)
{
    for (struct volume *vol = volumes; vol; vol = vol->next)
        if (vol->mount_id == id && vol->path && vol->root != vnode_root())
            return vol;
    return NULL;
}

static int last_mount_id(void)
{
    int last = 0;
    for (struct volume *vol = volumes; vol; vol = vol->next)
        last = vol->mount_id > last ? vol->mount_id : last;
    return last;
}

size_t volume_mount_lines(char *buf, size_t size)
{
    size_t n = 0;
    for (int id = 2, last = last_mount_id(); id <= last && n < size; id++) {
        struct volume *vol = mounted(id);
        if (vol)
            n += (size_t)snprintf(buf + n, size - n, "/dev/%s %s tfs %s,relatime 0 0\n", vol->dev->name, vol->path,
                                  vol->read_only ? "ro" : "rw");
    }
    return n < size ? n : size;
}

/* show_mountinfo's fields: id, parent's id, MAJ:MIN (st_dev: 0:1 for the whole tree), root of
 * the mount, mount point, mount options, no optional fields, "-", type, source, super options. */
size_t volume_mountinfo_lines(char *buf, size_t size)
{
    size_t n = 0;
    for (int id = 2, last = last_mount_id(); id <= last && n < size; id++) {
        struct volume *vol = mounted(id);
        const char *mode = vol && vol->read_only ? "ro" : "rw";
        if (vol)
            n += (size_t)snprintf(buf + n, size - n, "%d %d 0:1 / %s %s,relatime - tfs /dev/%s %s\n", id,
                                  vfs_mount_id(vol->covered), vol->path, mode, vol->dev->name, mode);
    }
    return n < size ? n : size;
}

uint64_t volume_dirty_pages(void)
{
    uint64_t n = 0;
    for (struct volume *vol = volumes; vol; vol = vol->next)
        n += vol->dirty_pages;
    return n;
}

int volume_sync_all(void)
{
    int first = 0;
    for (struct volume *vol = volumes; vol; vol = vol->next) {
        int err = volume_sync(vol);
        if (err && !first)
            first = err;
    }
    return first;
}

/* Changes without fsync reach the disk within this bound (Linux's dirty_expire_centisecs is
 * 30 s; a unikernel's writes are its one program's, so sooner). */
#define WRITEBACK_NS (5ULL * 1000000000)

static bool writeback_hooked;

/* Every blocking wait runs the poll hooks (wait.c), and every write through a file calls
 * volume_writeback_tick: the program's changes go out once they are WRITEBACK_NS old, whether it
 * keeps writing or sleeps. (A program that only computes after its last write keeps them in
 * memory until it blocks, writes or exits.) */
static void writeback_hook(void)
{
    uint64_t now = wait_now_ns();
    for (struct volume *vol = volumes; vol; vol = vol->next)
        if (vol->changed_at && now - vol->changed_at > WRITEBACK_NS && !vol->syncing)
            volume_sync(vol);
}

void volume_note_change(struct volume *vol)
{
    if (!vol || vol->read_only || vol->changed_at)
        return;
    vol->changed_at = wait_now_ns();
    if (!writeback_hooked) {
        wait_add_poll_hook(writeback_hook);
        writeback_hooked = true;
    }
}

void volume_writeback_tick(struct volume *vol)
{
    volume_note_change(vol);
    writeback_hook();
}

/* ---- the VFS's view (vfs.h) ---- */

int vfs_fsync(struct vnode *v)
{
    return v && v->vol ? volume_sync(v->vol) : 0;
}

int vfs_sync_all(void)
{
    return volume_sync_all();
}

bool vfs_volume_space(struct vnode *v, uint64_t *blocks, uint64_t *bfree)
{
    if (!v || !v->vol)
        return false;
    volume_statfs(v->vol, blocks, bfree);
    return true;
}

void vfs_written(struct vnode *v, bool sync)
{
    if (!v->vol)
        return;
    if (sync)
        volume_sync(v->vol);
    else
        volume_writeback_tick(v->vol);
}
