/* The in-memory file tree over the image (see vnode.h). Single CPU, interrupts masked in the
 * kernel: no locks. Memory: a vnode per node the program reached, a dentry per name listed, and
 * one page per written page of a changed file. */
#include "kernel.h"
#include "vnode.h"
#include "inotify.h"
#include "tfs.h"
#include "volume.h"
#include "mm.h"
#include "page_cache.h"
#include "vm.h"
#include "timer.h"
#include "errno.h"
#include "xattr.h"
#include <string.h>

uint64_t vnode_memory_pages;

static struct tfs *image;
static struct vnode *root;
static uint64_t next_ino;

int64_t vnode_now_ns(void) { return (int64_t)time_realtime_ns(); }

/* The filesystem a vnode's unchanged bytes come from. */
struct tfs *vnode_lower_fs(const struct vnode *v)
{
    return v->vol ? volume_tfs(v->vol) : image;
}

static struct vnode *from_image(const struct tfs_node *n, struct vnode *parent)
{
    struct volume *vol = parent ? parent->vol : NULL;
    struct vnode *v = vol ? volume_cached_vnode(vol, n) : NULL;
    if (v)
        return v;                      /* a second name of a node already in memory */
    v = kzalloc(sizeof(*v));
    if (!v)
        return NULL;
    v->type = (enum vnode_type)n->kind;   /* tfs_kind shares vnode_type's values */
    v->ino = n->id;
    v->mode = n->mode;
    v->uid = n->uid;
    v->gid = n->gid;
    v->nlink = n->nlink;
    v->size = n->size;
    v->atime_ns = v->mtime_ns = v->ctime_ns = n->mtime_ns;
    v->parent = parent ? parent : v;
    v->lower = n;
    v->target = n->target;
    if (vol) {
        v->vol = vol;
        v->tid = n->id;
        volume_adopt(vol, v);
    }
    return v;
}

struct vnode *vnode_mount(struct volume *vol, const struct tfs_node *n, struct vnode *parent, struct dentry *d)
{
    struct vnode *v = kzalloc(sizeof(*v));
    if (!v)
        return NULL;
    v->type = VNODE_DIR;
    v->ino = n->id;
    v->mode = n->mode;
    v->uid = n->uid;
    v->gid = n->gid;
    v->nlink = n->nlink;
    v->atime_ns = v->mtime_ns = v->ctime_ns = n->mtime_ns;
    v->lower = n;
    v->vol = vol;
    v->tid = n->id;
    v->parent = parent;
    v->name = d->name;
    v->name_len = d->len;
    volume_adopt(vol, v);
    d->v = v;
    return v;
}

void vnode_init(struct tfs *fs)
{
    image = fs;
    uint64_t top = 0;
    for (uint32_t i = 0; i < fs->node_count; i++)
        if (fs->nodes[i].id > top)
            top = fs->nodes[i].id;
    next_ino = top + 1;
    root = from_image(fs->root, NULL);
    if (!root)
        panic("vfs: out of memory for the root directory");
    root->name = "";
    page_cache_init();
}

struct vnode *vnode_root(void) { return root; }

/* A name for v, to be appended to dir's list (positions grow along it). */
static struct dentry *new_dentry(struct vnode *dir, const char *name, size_t len, struct vnode *v)
{
    struct dentry *d = kmalloc(sizeof(*d) + len + 1);
    if (!d)
        return NULL;
    if (dir->last_pos < 1)
        dir->last_pos = 1;
    d->pos = ++dir->last_pos;
    d->v = v;
    d->next = NULL;
    d->len = (uint32_t)len;
    memcpy(d->name, name, len);
    d->name[len] = 0;
    return d;
}

/* The image's entries become dentries (kept in the image's order), once per directory. */
static int list_image_entries(struct vnode *dir)
{
    if (dir->listed || !dir->lower) {
        dir->listed = true;
        return 0;
    }
    struct dentry **tail = &dir->entries;
    while (*tail)
        tail = &(*tail)->next;
    for (uint32_t i = 0; i < dir->lower->entry_count; i++) {
        const struct tfs_dirent *e = &dir->lower->entries[i];
        struct vnode *v = from_image(e->node, dir);
        bool shared = v && v->name;    /* a hard link to a node already in memory */
        struct dentry *d = v ? new_dentry(dir, e->name, e->len, v) : NULL;
        if (!d) {
            if (!shared)
                kfree(v);
            return -ENOMEM;            /* listed stays false: the next call finishes the job */
        }
        if (!shared) {
            v->name = d->name;
            v->name_len = d->len;
        }
        if (v->type == VNODE_DIR)
            dir->subdirs++;
        *tail = d;
        tail = &d->next;
    }
    dir->listed = true;
    return 0;
}

struct dentry *vnode_entries(struct vnode *dir)
{
    list_image_entries(dir);
    return dir->entries;
}

struct dentry *vnode_find(struct vnode *dir, const char *name, size_t len)
{
    if (!dir->listed && dir->lower) {
        /* Before listing, answer a miss from the image's sorted entries without listing. */
        if (!tfs_dir_lookup(dir->lower, name, len))
            return NULL;
        if (list_image_entries(dir))
            return NULL;
    }
    for (struct dentry *d = dir->entries; d; d = d->next)
        if (d->len == len && !memcmp(d->name, name, len))
            return d;
    return NULL;
}

struct vnode *vnode_new(enum vnode_type type, uint32_t mode)
{
    struct vnode *v = kzalloc(sizeof(*v));
    if (!v)
        return NULL;
    v->type = type;
    v->ino = next_ino++;
    v->mode = mode & 07777;
    v->nlink = 0;
    v->atime_ns = v->mtime_ns = v->ctime_ns = v->btime_ns = vnode_now_ns();
    v->listed = true;
    v->in_memory = true;
    return v;
}

int vnode_link(struct vnode *dir, const char *name, size_t len, struct vnode *v)
{
    int err = list_image_entries(dir);
    if (err)
        return err;
    struct dentry *d = new_dentry(dir, name, len, v);
    if (!d)
        return -ENOMEM;
    struct dentry **tail = &dir->entries;
    while (*tail)
        tail = &(*tail)->next;
    *tail = d;
    if (!v->vol && dir->vol && v->nlink == 0 && !v->lower)
        v->vol = dir->vol;             /* a new node lives where it was first linked */
    if (!v->parent || v->parent == v) {
        if (v != root) {
            v->parent = dir;
            v->name = d->name;
            v->name_len = d->len;
        }
    }
    v->nlink += v->type == VNODE_DIR ? 2 : 1;     /* a directory's "." counts too */
    if (v->type == VNODE_DIR) {
        dir->subdirs++;
        dir->nlink++;                             /* the child's ".." */
    }
    dir->mtime_ns = dir->ctime_ns = v->ctime_ns = vnode_now_ns();
    volume_note_change(dir->vol);
    return 0;
}

/* The last name of a file still open or mapped goes: the path it had, for /proc ("PATH
 * (deleted)", vfs_proc_path). Without memory for it the file just shows no name. */
static void keep_gone_path(struct vnode *v, struct vnode *dir, const struct dentry *d)
{
    char *buf = kmalloc(VFS_PATH_MAX);
    int n = buf ? vfs_path(dir, buf, VFS_PATH_MAX) : -ENOMEM;
    if (n >= 0 && (size_t)n + 1 + d->len < VFS_PATH_MAX) {
        if (n > 1)
            buf[n++] = '/';
        memcpy(buf + n, d->name, d->len + 1);
        kfree(v->gone_path);
        if ((v->gone_path = kmalloc((size_t)n + d->len + 1)))
            memcpy(v->gone_path, buf, (size_t)n + d->len + 1);
    }
    kfree(buf);
}

void vnode_unlink(struct vnode *dir, struct dentry *d)
{
    for (struct dentry **pp = &dir->entries; *pp; pp = &(*pp)->next)
        if (*pp == d) {
            *pp = d->next;
            break;
        }
    struct vnode *v = d->v;
    if (v->type == VNODE_DIR) {
        dir->subdirs--;
        dir->nlink--;
        v->nlink = 0;
    } else {
        v->nlink--;
    }
    if (!v->nlink && v->users)         /* a directory too: d_path says " (deleted)" for any */
        keep_gone_path(v, dir, d);
    if (v->name == d->name) {          /* its first name went: find another, or none */
        v->parent = NULL;
        v->name = NULL;
        v->name_len = 0;
    }
    dir->mtime_ns = dir->ctime_ns = v->ctime_ns = vnode_now_ns();
    volume_note_change(dir->vol);
    kfree(d);
    vnode_maybe_free(v);
}

static uint8_t *page_at(const struct vnode *v, uint64_t index)
{
    return index < v->page_slots && v->pages[index] ? phys_to_virt(v->pages[index]) : NULL;
}

static int grow_slots(struct vnode *v, uint64_t slots)
{
    if (slots <= v->page_slots)
        return 0;
    uint64_t n = v->page_slots ? v->page_slots : 8;
    while (n < slots)
        n *= 2;
    uint64_t *p = kzalloc(n * sizeof(uint64_t));
    if (!p)
        return -ENOSPC;
    if (v->vol) {
        uint64_t *b = kzalloc(n * sizeof(uint64_t));
        uint8_t *d = kzalloc(n);
        if (!b || !d) {
            kfree(p);
            kfree(b);
            kfree(d);
            return -ENOSPC;
        }
        if (v->page_slots) {
            memcpy(b, v->blocks, v->page_slots * sizeof(uint64_t));
            memcpy(d, v->dirty, v->page_slots);
        }
        kfree(v->blocks);
        kfree(v->dirty);
        v->blocks = b;
        v->dirty = d;
    }
    if (v->pages)
        memcpy(p, v->pages, v->page_slots * sizeof(uint64_t));
    kfree(v->pages);
    v->pages = p;
    v->page_slots = n;
    return 0;
}

/* The first change to an image file: its bytes move into pages of its own. The pages the cache
 * holds become the file's as they are (a private mapping that shares one sees the change). */
static int copy_up(struct vnode *v)
{
    if (v->in_memory)
        return 0;
    uint64_t pages = ALIGN_UP(v->size, PAGE_SIZE) >> PAGE_SHIFT;
    int err = grow_slots(v, pages);
    if (err)
        return err;
    for (uint64_t i = 0; i < pages; i++) {
        if (v->pages[i])
            continue;                  /* taken by an earlier attempt that ran out of memory */
        if ((v->pages[i] = page_cache_take(v, i))) {
            v->pages_used++;
            vnode_memory_pages++;      /* the cache's page counts as the file's now */
            continue;
        }
        uint64_t pa = page_alloc(1);
        if (!pa)
            return -ENOSPC;
        uint8_t *page = phys_to_virt(pa);
        memset(page, 0, PAGE_SIZE);
        uint64_t off = i * PAGE_SIZE, n = v->size - off < PAGE_SIZE ? v->size - off : PAGE_SIZE;
        if (tfs_file_read(vnode_lower_fs(v), v->lower, off, page, n) < 0) {
            page_free(pa, 1);
            return -EIO;
        }
        v->pages[i] = pa;
        v->pages_used++;
        vnode_memory_pages++;
    }
    if (v->vol) {                      /* which volume block holds each page (block size = page) */
        for (uint32_t e = 0; e < v->lower->extent_count; e++) {
            const struct tfs_extent *x = &v->lower->extents[e];
            for (uint64_t off = 0; off < x->length; off += PAGE_SIZE)
                v->blocks[(x->file_offset + off) >> PAGE_SHIFT] = x->block + (off >> PAGE_SHIFT);
        }
    }
    v->in_memory = true;
    page_cache_drop(v);                /* its bytes are its own pages' from now on */
    return 0;
}

/* A page of a volume file changed: it needs a new block at the next sync (copy on write), so
 * the space is reserved now and a full volume fails the write, not the sync. */
static int dirty_page(struct vnode *v, uint64_t index)
{
    if (!v->vol || v->dirty[index])
        return 0;
    int err = volume_reserve_page(v->vol);
    if (err)
        return err;
    v->dirty[index] = 1;
    volume_note_change(v->vol);
    return 0;
}

/* Page `index` of a volume file is gone (truncated, punched, freed). */
static void drop_page_block(struct vnode *v, uint64_t index)
{
    if (!v->vol)
        return;
    if (v->dirty[index]) {
        v->dirty[index] = 0;
        volume_unreserve_page(v->vol);
    }
    if (v->blocks[index]) {
        volume_release_block(v->vol, v->blocks[index]);
        v->blocks[index] = 0;
    }
}

/* An unchanged file's bytes, through the page cache (straight from the lower layer when the
 * cache cannot take them: no memory for its counts). len is within the file. */
static int64_t read_lower(struct vnode *v, uint64_t offset, void *buf, uint64_t len)
{
    enum { BATCH = 16 };
    uint64_t done = 0;
    while (done < len) {
        uint64_t pos = offset + done, index = pos >> PAGE_SHIFT;
        uint64_t want = (ALIGN_UP(offset + len, PAGE_SIZE) >> PAGE_SHIFT) - index, pas[BATCH];
        enum page_cache_use use = offset + len < v->size ? PAGE_CACHE_COPY_PART : PAGE_CACHE_COPY;
        int64_t got = page_cache_get(v, index, want < BATCH ? want : BATCH, pas, use);
        if (got == -EIO)
            return done ? (int64_t)done : got;
        if (got <= 0) {                /* not cached, or no memory for the cache: read directly */
            int64_t n = tfs_file_read(vnode_lower_fs(v), v->lower, pos, (char *)buf + done, len - done);
            return n < 0 ? (done ? (int64_t)done : -EIO) : (int64_t)(done + (uint64_t)n);
        }
        for (int64_t i = 0; i < got; i++) {
            uint64_t in = (offset + done) & (PAGE_SIZE - 1);
            uint64_t n = PAGE_SIZE - in < len - done ? PAGE_SIZE - in : len - done;
            if (n)
                memcpy((char *)buf + done, (const char *)phys_to_virt(pas[i]) + in, n);
            done += n;
            page_ref_put(pas[i]);
        }
    }
    return (int64_t)len;
}

int64_t vnode_read(struct vnode *v, uint64_t offset, void *buf, uint64_t len)
{
    if (offset >= v->size)
        return 0;
    if (len > v->size - offset)
        len = v->size - offset;
    if (!v->in_memory)
        return read_lower(v, offset, buf, len);
    for (uint64_t done = 0; done < len; ) {
        uint64_t pos = offset + done, in = pos & (PAGE_SIZE - 1);
        uint64_t n = PAGE_SIZE - in < len - done ? PAGE_SIZE - in : len - done;
        uint8_t *page = page_at(v, pos >> PAGE_SHIFT);
        if (page)
            memcpy((char *)buf + done, page + in, n);
        else
            memset((char *)buf + done, 0, n);     /* a hole */
        done += n;
    }
    return (int64_t)len;
}

int64_t vnode_write(struct vnode *v, uint64_t offset, const void *buf, uint64_t len)
{
    int err = copy_up(v);
    if (err)
        return err;
    if (len == 0)
        return 0;
    /* tmpfs's s_maxbytes is LLONG_MAX: a write starting there is EFBIG, one crossing it is cut
     * short (generic_write_check_limits). */
    if (offset >= (uint64_t)INT64_MAX)
        return -EFBIG;
    if (len > (uint64_t)INT64_MAX - offset)
        len = (uint64_t)INT64_MAX - offset;
    if ((err = grow_slots(v, ALIGN_UP(offset + len, PAGE_SIZE) >> PAGE_SHIFT)))
        return err;
    uint64_t done = 0;
    while (done < len) {
        uint64_t pos = offset + done, index = pos >> PAGE_SHIFT, in = pos & (PAGE_SIZE - 1);
        uint64_t n = PAGE_SIZE - in < len - done ? PAGE_SIZE - in : len - done;
        if (dirty_page(v, index))
            break;                     /* the volume is full: a short write, ENOSPC if nothing */
        if (!v->pages[index]) {
            uint64_t pa = page_alloc(1);
            if (!pa)
                break;                 /* out of memory: a short write, ENOSPC if nothing */
            memset(phys_to_virt(pa), 0, PAGE_SIZE);
            v->pages[index] = pa;
            v->pages_used++;
            vnode_memory_pages++;
        }
        memcpy((uint8_t *)phys_to_virt(v->pages[index]) + in, (const char *)buf + done, n);
        done += n;
    }
    if (!done)
        return -ENOSPC;
    if (offset + done > v->size)
        v->size = offset + done;
    v->mtime_ns = v->ctime_ns = vnode_now_ns();
    return (int64_t)done;
}

int vnode_truncate(struct vnode *v, uint64_t size)
{
    int err = copy_up(v);
    if (err)
        return err;
    if (size < v->size) {
        uint64_t keep = ALIGN_UP(size, PAGE_SIZE) >> PAGE_SHIFT;
        /* Linux's truncate_pagecache: out of every mapping, private copies too (SIGBUS next) */
        if (v->mappings)
            vm_unmap_file(v, keep << PAGE_SHIFT, UINT64_MAX, true);
        for (uint64_t i = keep; i < v->page_slots; i++) {
            if (v->pages[i]) {
                page_ref_put(v->pages[i]);
                v->pages[i] = 0;
                v->pages_used--;
                vnode_memory_pages--;
            }
            drop_page_block(v, i);
        }
        uint8_t *last = size & (PAGE_SIZE - 1) ? page_at(v, size >> PAGE_SHIFT) : NULL;
        if (last) {                    /* bytes past the new end read as zeros if it grows again */
            if ((err = dirty_page(v, size >> PAGE_SHIFT)))
                return err;
            memset(last + (size & (PAGE_SIZE - 1)), 0, PAGE_SIZE - (size & (PAGE_SIZE - 1)));
        }
    }
    v->size = size;
    v->mtime_ns = v->ctime_ns = vnode_now_ns();
    volume_note_change(v->vol);
    return 0;
}

/* fallocate: every page of [offset, offset + len) exists from now on (zero-filled where it was a
 * hole), so later writes there need no memory; the size grows to cover it unless keep_size. Pages
 * past the size are allowed: reads stop at the size, and truncate frees every page past it. */
int vnode_allocate(struct vnode *v, uint64_t offset, uint64_t len, bool keep_size)
{
    int err = copy_up(v);
    if (err)
        return err;
    uint64_t first = offset >> PAGE_SHIFT, end = ALIGN_UP(offset + len, PAGE_SIZE) >> PAGE_SHIFT;
    if ((err = grow_slots(v, end)))
        return err;
    for (uint64_t i = first; i < end; i++) {
        if (v->pages[i])
            continue;
        if ((err = dirty_page(v, i)))
            return err;
        uint64_t pa = page_alloc(1);
        if (!pa)
            return -ENOSPC;
        memset(phys_to_virt(pa), 0, PAGE_SIZE);
        v->pages[i] = pa;
        v->pages_used++;
        vnode_memory_pages++;
    }
    if (!keep_size && offset + len > v->size)
        v->size = offset + len;
    v->mtime_ns = v->ctime_ns = vnode_now_ns();
    return 0;
}

/* FALLOC_FL_PUNCH_HOLE: [offset, offset + len) reads as zeros; pages wholly inside it are freed,
 * once every mapping has let them go (shmem_fallocate: private copies stay). The size never
 * changes. */
int vnode_punch_hole(struct vnode *v, uint64_t offset, uint64_t len)
{
    int err = copy_up(v);
    if (err)
        return err;
    uint64_t end = offset + len;
    if (v->mappings && ALIGN_UP(offset, PAGE_SIZE) < ALIGN_DOWN(end, PAGE_SIZE))
        vm_unmap_file(v, ALIGN_UP(offset, PAGE_SIZE), ALIGN_DOWN(end, PAGE_SIZE), false);
    for (uint64_t pos = offset; pos < end;) {
        uint64_t index = pos >> PAGE_SHIFT, in = pos & (PAGE_SIZE - 1);
        uint64_t n = PAGE_SIZE - in < end - pos ? PAGE_SIZE - in : end - pos;
        uint8_t *page = page_at(v, index);
        if (page && n == PAGE_SIZE) {
            page_ref_put(v->pages[index]);
            v->pages[index] = 0;
            v->pages_used--;
            vnode_memory_pages--;
            drop_page_block(v, index);
        } else if (page) {
            if ((err = dirty_page(v, index)))
                return err;
            memset(page + in, 0, n);
        }
        pos += n;
        if (index >= v->page_slots)
            break;                     /* nothing is allocated further on */
    }
    v->mtime_ns = v->ctime_ns = vnode_now_ns();
    return 0;
}

int vnode_page(struct vnode *v, uint64_t index, uint64_t *pa)
{
    int err = copy_up(v);
    if (!err)
        err = grow_slots(v, index + 1);
    if (err)
        return err;
    if (!v->pages[index]) {
        uint64_t p = page_alloc(1);
        if (!p)
            return -ENOMEM;
        memset(phys_to_virt(p), 0, PAGE_SIZE);
        v->pages[index] = p;
        v->pages_used++;
        vnode_memory_pages++;
    }
    v->mapped_shared = true;
    *pa = v->pages[index];
    return 0;
}

int64_t vnode_private_pages(struct vnode *v, uint64_t index, uint64_t n, uint64_t *pas, bool make)
{
    if (!page_ref_ready())
        return 0;
    if (index >= v->page_slots || !v->pages[index]) {
        if (!make)
            return -ENOENT;
        if (grow_slots(v, index + 1))
            return -ENOMEM;
        uint64_t p = page_alloc(1);
        if (!p)
            return -ENOMEM;
        memset(phys_to_virt(p), 0, PAGE_SIZE);   /* no dirty mark: a volume keeps a hole */
        v->pages[index] = p;
        v->pages_used++;
    }
    uint64_t got = 0;
    while (got < n && index + got < v->page_slots && v->pages[index + got] && page_ref_get(v->pages[index + got])) {
        pas[got] = v->pages[index + got];
        got++;
    }
    return (int64_t)got;
}

uint64_t vnode_blocks512(const struct vnode *v)
{
    if (!v->in_memory)
        return v->lower ? v->lower->blocks512 : 0;
    return v->pages_used * (PAGE_SIZE / 512);
}

void vnode_maybe_free(struct vnode *v)
{
    if (v->nlink || v->users || v == root)   /* a mapping is a user too */
        return;
    inotify_node_gone(v);
    page_cache_drop(v);
    xattr_drop(v);
    for (uint64_t i = 0; i < v->page_slots; i++) {
        if (v->pages[i])
            page_ref_put(v->pages[i]);
        drop_page_block(v, i);
    }
    if (v->vol && !v->in_memory && v->lower) {   /* never read in: its blocks are still the image's */
        for (uint32_t e = 0; e < v->lower->extent_count; e++) {
            const struct tfs_extent *x = &v->lower->extents[e];
            for (uint64_t off = 0; off < x->length; off += PAGE_SIZE)
                volume_release_block(v->vol, x->block + (off >> PAGE_SHIFT));
        }
        v->in_memory = true;
    }
    kfree(v->pages);
    kfree(v->blocks);
    kfree(v->dirty);
    kfree(v->gone_path);
    v->gone_path = NULL;
    v->pages = v->blocks = NULL;
    v->dirty = NULL;
    vnode_memory_pages -= v->pages_used;
    v->page_slots = v->pages_used = 0;
    v->size = 0;
    /* The vnode itself stays: a process's cwd or a mapping may still name it (no counts for
     * those yet); it is small, and reads of it now find an empty file. */
}
