/* Extended attributes on the vnode tree (interface: include/xattr.h).
 *
 * Permission and name checks are Linux's fs/xattr.c (xattr_permission, xattr_resolve_name) and
 * the capability hooks (cap_inode_setxattr). Storage follows ext4, the file system the programs
 * we run were tested on, because what a program can observe depends on it: where the entries
 * sit decides listxattr's order and how much fits. ext4 keeps a node's attributes in two areas,
 * the spare space of its 256-byte inode (entries in the order they were added) and one block
 * (entries sorted by namespace index, name length, name); a new attribute goes into the inode
 * when it fits there, else into the block, else the set is ENOSPC. We keep the same two lists
 * with the same byte accounting, so the same sequence of calls lists and fails as on ext4.
 *
 * A node from the image or a volume starts with the attributes its TFS tuple lists (docs/tfs.md
 * 8.3, loaded at first use), in the inode and block areas the tuple says; the volume writer
 * (tfs_log.c) writes them back through xattr_each.
 *
 * Nodes that keep none: a file without a node (pipe, socket) and the kernel's own files (as
 * procfs files, no xattr support): for them a get or set is EOPNOTSUPP and the list is empty,
 * after the same permission checks. */
#include "kernel.h"
#include "perm.h"
#include "xattr.h"
#include "vnode.h"
#include "tfs.h"
#include "inotify.h"
#include "volume.h"
#include "process.h"
#include "linux_uapi.h"
#include "errno.h"
#include "mm.h"
#include <string.h>

struct xattr_entry {
    struct xattr_entry *next;
    uint8_t index;             /* ext4's namespace index */
    uint8_t len;               /* the name without its prefix */
    uint32_t size;
    uint8_t *value;            /* NULL when size is 0 */
    char name[];
};

struct xattrs {
    struct xattr_entry *ibody; /* in the inode: in the order they were added */
    struct xattr_entry *block; /* in the block: sorted as ext4's xattr_find_entry keeps them */
};

/* ext4's layout: an entry header of 16 bytes, names and values padded to 4, a 4-byte zero after
 * the last entry. The inode area is what a 256-byte inode leaves after its 128 base bytes, the
 * 32 extra bytes Linux reserves (s_want_extra_isize) and the area's 4-byte magic; a block loses
 * its 32-byte header. */
#define ENTRY_LEN(len)   (((len) + 16u + 3u) & ~3u)
#define VALUE_SIZE(size) (((size) + 3u) & ~3u)
#define IBODY_SPACE      (256u - 128u - 32u - 4u)
#define BLOCK_HEADER     32u

enum { INDEX_USER = 1, INDEX_TRUSTED = 4, INDEX_SECURITY = 6 };

static const struct { const char *prefix; size_t len; uint8_t index; } spaces[] = {
    { "user.", 5, INDEX_USER }, { "trusted.", 8, INDEX_TRUSTED }, { "security.", 9, INDEX_SECURITY },
};

static bool capable(int cap) { return process_capable(current_process(), cap); }

static bool has_prefix(const char *name, const char *prefix) { return !strncmp(name, prefix, strlen(prefix)); }

/* A node that can hold attributes (Linux's IOP_XATTR). */
static bool keeps_xattrs(const struct vnode *v) { return v && !v->kfile; }

/* xattr_permission: write is MAY_WRITE; after the namespace's own rules, the file's mode bits
 * (inode_permission) for user.* and trusted.*. */
static int permission(struct vnode *v, const char *name, bool write)
{
    if (has_prefix(name, "security.") || has_prefix(name, "system."))
        return 0;                      /* left to the file system and the security hooks */
    if (has_prefix(name, "trusted."))
        return capable(CAP_SYS_ADMIN) ? 0 : write ? -EPERM : -ENODATA;
    if (has_prefix(name, "user.")) {
        bool reg_or_dir = v && (v->type == VNODE_FILE || v->type == VNODE_DIR);
        if (!reg_or_dir)
            return write ? -EPERM : -ENODATA;
        if (v->type == VNODE_DIR && (v->mode & 01000) && write &&
            v->uid != current_process()->cred.fsuid && !capable(CAP_FOWNER))
            return -EPERM;             /* a sticky directory: its owner only */
    }
    return v ? perm_check(v, write ? MAY_WRITE : MAY_READ) : 0;
}

/* xattr_resolve_name: the namespace index and the name after the prefix; a prefix with nothing
 * after it is EINVAL, an unknown one EOPNOTSUPP (so is every name on a node that keeps none). */
static int resolve(const struct vnode *v, const char *name, uint8_t *index, const char **suffix)
{
    if (!keeps_xattrs(v))
        return -EOPNOTSUPP;
    for (size_t i = 0; i < ARRAY_SIZE(spaces); i++)
        if (!strncmp(name, spaces[i].prefix, spaces[i].len)) {
            *index = spaces[i].index;
            *suffix = name + spaces[i].len;
            return **suffix ? 0 : -EINVAL;
        }
    return -EOPNOTSUPP;
}

static size_t entry_bytes(const struct xattr_entry *e) { return ENTRY_LEN(e->len) + VALUE_SIZE(e->size); }

static size_t area_used(const struct xattr_entry *list)
{
    size_t n = 4;                      /* the terminating zero */
    for (; list; list = list->next)
        n += entry_bytes(list);
    return n;
}

static size_t block_space(const struct vnode *v) { return vnode_lower_fs(v)->block_size - BLOCK_HEADER; }

/* ext4's sorted order: index, then name length, then the name's bytes. */
static int compare(uint8_t index, const char *name, size_t len, const struct xattr_entry *e)
{
    if (index != e->index)
        return index - e->index;
    if (len != e->len)
        return (int)len - (int)e->len;
    return memcmp(name, e->name, len);
}

static struct xattr_entry **find(struct xattr_entry **list, uint8_t index, const char *name, size_t len)
{
    for (; *list; list = &(*list)->next)
        if (!compare(index, name, len, *list))
            return list;
    return NULL;
}

static struct xattr_entry *entry_new(uint8_t index, const char *name, size_t len, const void *value, size_t size)
{
    struct xattr_entry *e = kzalloc(sizeof(*e) + len + 1);
    if (!e)
        return NULL;
    if (size && !(e->value = kmalloc(size))) {
        kfree(e);
        return NULL;
    }
    e->index = index;
    e->len = (uint8_t)len;
    e->size = (uint32_t)size;
    memcpy(e->name, name, len);
    if (size)
        memcpy(e->value, value, size);
    return e;
}

static void entry_free(struct xattr_entry *e)
{
    kfree(e->value);
    kfree(e);
}

static void unlink_entry(struct xattr_entry **at)
{
    struct xattr_entry *e = *at;
    *at = e->next;
    entry_free(e);
}

/* Put e where `old` is (an update keeps its place), or where a new entry goes: the end of the
 * inode's list, the sorted place in the block's. */
static void place(struct xattr_entry **list, struct xattr_entry **old, struct xattr_entry *e, bool sorted)
{
    if (old) {
        e->next = (*old)->next;
        entry_free(*old);
        *old = e;
        return;
    }
    while (*list && (!sorted || compare(e->index, e->name, e->len, *list) > 0))
        list = &(*list)->next;
    e->next = *list;
    *list = e;
}

static void changed(struct vnode *v)
{
    v->ctime_ns = vnode_now_ns();
    inotify_node_event(v, IN_ATTRIB);
    volume_note_change(v->vol);
}

static uint8_t index_of(const char *name, const char **suffix)
{
    for (size_t i = 0; i < ARRAY_SIZE(spaces); i++)
        if (!strncmp(name, spaces[i].prefix, spaces[i].len) && name[spaces[i].len]) {
            *suffix = name + spaces[i].len;
            return spaces[i].index;
        }
    return 0;
}

/* v's attribute lists, made from its TFS node's at first use (NULL only when out of memory).
 * The first xattr_inode entries go to the inode area, the rest to the block; a tuple that did
 * not record the split (the host's writer) is placed as if set one by one in its order. An
 * entry that fits nowhere, or of a namespace we do not know, still loads: nothing is lost. */
static struct xattrs *loaded(struct vnode *v)
{
    if (v->xattrs)
        return v->xattrs;
    struct xattrs *x = kzalloc(sizeof(*x));
    if (!x)
        return NULL;
    v->xattrs = x;
    const struct tfs_node *n = v->lower;
    for (uint32_t i = 0; n && i < n->xattr_count; i++) {
        const char *suffix = NULL;
        uint8_t index = index_of(n->xattrs[i].name, &suffix);
        if (!index)
            continue;                  /* a namespace this kernel does not serve */
        size_t len = strlen(suffix);
        struct xattr_entry *e = entry_new(index, suffix, len, n->xattrs[i].value, n->xattrs[i].size);
        if (!e)
            break;
        bool in_inode = n->xattr_inode >= 0 ? i < (uint32_t)n->xattr_inode
                                            : area_used(x->ibody) + entry_bytes(e) <= IBODY_SPACE;
        if (in_inode)
            place(&x->ibody, NULL, e, false);
        else
            place(&x->block, NULL, e, true);
    }
    return x;
}

uint32_t xattr_each(struct vnode *v, xattr_fn fn, void *ctx, uint32_t *in_inode)
{
    struct xattrs *x = keeps_xattrs(v) ? loaded(v) : NULL;
    uint32_t n = 0;
    *in_inode = 0;
    for (int area = 0; x && area < 2; area++)
        for (const struct xattr_entry *e = area ? x->block : x->ibody; e; e = e->next, n++) {
            const char *prefix = "";
            for (size_t i = 0; i < ARRAY_SIZE(spaces); i++)
                if (spaces[i].index == e->index)
                    prefix = spaces[i].prefix;
            if (fn)
                fn(ctx, prefix, e->name, e->len, e->value, e->size);
            if (!area)
                (*in_inode)++;
        }
    return n;
}

int64_t xattr_get(struct vnode *v, const char *name, void *buf, size_t size)
{
    int err = permission(v, name, false);
    uint8_t index;
    const char *suffix;
    if (err || (err = resolve(v, name, &index, &suffix)))
        return err;
    size_t len = strlen(suffix);
    struct xattrs *x = loaded(v);
    if (!x)
        return -ENOMEM;
    struct xattr_entry **at = find(&x->ibody, index, suffix, len);
    if (!at)
        at = find(&x->block, index, suffix, len);
    if (!at)
        return -ENODATA;
    if (size) {
        if ((*at)->size > size)
            return -ERANGE;
        memcpy(buf, (*at)->value, (*at)->size);
    }
    return (*at)->size;
}

/* The security hooks' part (cap_inode_setxattr, cap_inode_removexattr): changing a security.*
 * attribute takes CAP_SYS_ADMIN. */
static int security_check(const char *name)
{
    return has_prefix(name, "security.") && !capable(CAP_SYS_ADMIN) ? -EPERM : 0;
}

/* ext4_xattr_set_handle: value NULL removes (only what exists: the callers pass XATTR_REPLACE). */
static int set_or_remove(struct vnode *v, const char *name, const void *value, size_t size, int flags)
{
    int err = permission(v, name, true);
    uint8_t index;
    const char *suffix;
    if (err || (err = security_check(name)) || (err = resolve(v, name, &index, &suffix)))
        return err;
    struct xattrs *x = loaded(v);
    if (!x)
        return -ENOMEM;
    size_t len = strlen(suffix);
    struct xattr_entry **in_ibody = find(&x->ibody, index, suffix, len);
    struct xattr_entry **in_block = in_ibody ? NULL : find(&x->block, index, suffix, len);
    struct xattr_entry **old = in_ibody ? in_ibody : in_block;
    if (!old && (flags & XATTR_REPLACE))
        return -ENODATA;
    if (old && (flags & XATTR_CREATE))
        return -EEXIST;
    if (!value) {
        if (old) {
            unlink_entry(old);
            changed(v);
        }
        return 0;
    }
    if (old && (*old)->size == size && (!size || !memcmp((*old)->value, value, size)))
        return 0;                      /* the same value: ext4 changes nothing, not even ctime */
    size_t need = ENTRY_LEN(len) + VALUE_SIZE(size);
    struct xattr_entry *e = entry_new(index, suffix, len, value, size);
    if (!e)
        return -ENOMEM;
    if (area_used(x->ibody) - (in_ibody ? entry_bytes(*in_ibody) : 0) + need <= IBODY_SPACE) {
        if (in_block)
            unlink_entry(in_block);
        place(&x->ibody, in_ibody, e, false);
    } else if (area_used(x->block) - (in_block ? entry_bytes(*in_block) : 0) + need <= block_space(v)) {
        if (in_ibody)
            unlink_entry(in_ibody);    /* it grew out of the inode: it moves to the block */
        place(&x->block, in_block, e, true);
    } else {
        entry_free(e);
        return -ENOSPC;
    }
    changed(v);
    return 0;
}

int xattr_set(struct vnode *v, const char *name, const void *value, size_t size, int flags)
{
    return set_or_remove(v, name, value ? value : "", size, flags);   /* an empty value, not a removal */
}

int xattr_remove(struct vnode *v, const char *name) { return set_or_remove(v, name, NULL, 0, XATTR_REPLACE); }

/* Append every listable name of `list` at buf + *n (only counting when size is 0). */
static int list_area(const struct xattr_entry *list, char *buf, size_t size, size_t *n)
{
    for (; list; list = list->next) {
        const char *prefix = NULL;
        for (size_t i = 0; i < ARRAY_SIZE(spaces); i++)
            if (spaces[i].index == list->index)
                prefix = spaces[i].prefix;
        if (list->index == INDEX_TRUSTED && !capable(CAP_SYS_ADMIN))
            continue;                  /* ext4_xattr_trusted_list */
        size_t plen = strlen(prefix), total = plen + list->len + 1;
        if (size) {
            if (*n + total > size)
                return -ERANGE;
            memcpy(buf + *n, prefix, plen);
            memcpy(buf + *n + plen, list->name, list->len);
            buf[*n + total - 1] = 0;
        }
        *n += total;
    }
    return 0;
}

int64_t xattr_list(struct vnode *v, char *buf, size_t size)
{
    size_t n = 0;
    int err;
    struct xattrs *x = keeps_xattrs(v) ? loaded(v) : NULL;
    if (!x)
        return keeps_xattrs(v) ? -ENOMEM : 0;
    if ((err = list_area(x->ibody, buf, size, &n)) || (err = list_area(x->block, buf, size, &n)))
        return err;
    return (int64_t)n;
}

void xattr_drop(struct vnode *v)
{
    if (!v->xattrs)
        return;
    while (v->xattrs->ibody)
        unlink_entry(&v->xattrs->ibody);
    while (v->xattrs->block)
        unlink_entry(&v->xattrs->block);
    kfree(v->xattrs);
    v->xattrs = NULL;
}
