/* Changing the file tree: create, remove, rename, link, write, truncate, attributes, with the
 * checks Linux makes in the order it makes them (fs/namei.c). Everything happens in the vnode
 * tree in memory (vnode.c). */
#include "kernel.h"
#include "linux_uapi.h"
#include "vnode.h"
#include "inotify.h"
#include "dnotify.h"
#include "volume.h"
#include "page_cache.h"
#include "errno.h"
#include "mm.h"
#include "process.h"
#include "perm.h"
#include <string.h>

/* "." and "..": no call may create, remove or rename them. */
static bool dot_or_dotdot(const char *name, size_t len)
{
    return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

static bool read_only(const struct vnode *v)
{
    return v->vol && v->vol->read_only;
}

bool vfs_read_only(struct vnode *v) { return read_only(v); }

static int check_dir(struct vnode *dir)
{
    if (dir->type != VNODE_DIR)
        return -ENOTDIR;
    if (read_only(dir))
        return -EROFS;
    if (!dir->nlink)
        return -ENOENT;                /* removed: nothing can be made in it */
    return 0;
}

/* filename_create's order: the name is looked up first, so a name that exists is EEXIST even
 * on a read-only mount; only a new one is EROFS. */
static int check_new_name(struct vnode *dir, const char *name, size_t len)
{
    if (dir->type != VNODE_DIR)
        return -ENOTDIR;
    if (!dir->nlink)
        return -ENOENT;
    if (len > NAME_MAX)
        return -ENAMETOOLONG;
    if (len == 0 || dot_or_dotdot(name, len) || vnode_find(dir, name, len))
        return -EEXIST;
    return read_only(dir) ? -EROFS : 0;
}

/* inode_init_owner: a new node is the caller's file-system uid's; its group is the caller's
 * file-system gid, or the directory's when that is set-group-ID (and a new directory inherits
 * the bit). Made with no process (at boot), root's. */
static void init_owner(struct vnode *v, const struct vnode *dir)
{
    struct process *p = current_process();
    v->uid = p ? p->cred.fsuid : 0;
    v->gid = p ? p->cred.fsgid : 0;
    if (dir && (dir->mode & S_ISGID)) {
        v->gid = dir->gid;
        if (v->type == VNODE_DIR)
            v->mode |= S_ISGID;
        else if ((v->mode & (S_ISGID | 0010)) == (S_ISGID | 0010) && !perm_in_group(dir->gid) &&
                 !perm_capable(CAP_FSETID))
            v->mode &= ~S_ISGID;       /* mode_strip_sgid: no group-executable file of a group not ours */
    }
}

int vfs_create(struct vnode *dir, const char *name, size_t len, enum vnode_type type, uint32_t mode,
               const char *target, struct vnode **out)
{
    int err = check_new_name(dir, name, len);
    if (err || (err = perm_may_create(dir)))
        return err;
    struct vnode *v = vnode_new(type, mode);
    if (!v)
        return -ENOSPC;
    init_owner(v, dir);
    if (type == VNODE_SYMLINK) {
        size_t tlen = strlen(target);
        v->target = kmalloc(tlen + 1);
        if (!v->target) {
            kfree(v);
            return -ENOSPC;
        }
        memcpy(v->target, target, tlen + 1);
        v->size = tlen;
        v->mode = 0777;
    }
    if ((err = vnode_link(dir, name, len, v))) {
        kfree(v->target);
        kfree(v);
        return err;
    }
    inotify_entry_event(dir, v, IN_CREATE, 0, name, len);
    if (out)
        *out = v;
    return 0;
}

int vfs_remove(struct vnode *dir, const char *name, size_t len, bool want_dir)
{
    int err = check_dir(dir);
    if (err)
        return err;
    if (want_dir && len == 1 && name[0] == '.')
        return -EINVAL;
    if (want_dir && len == 2 && name[0] == '.' && name[1] == '.')
        return -ENOTEMPTY;
    struct dentry *d = vnode_find(dir, name, len);
    if (!d)
        return -ENOENT;
    struct vnode *v = d->v;
    if ((err = perm_may_delete(dir, v)))
        return err;
    if (want_dir) {
        if (v->type != VNODE_DIR)
            return -ENOTDIR;
        if (v == vnode_root())
            return -EBUSY;
        if (vnode_entries(v))
            return -ENOTEMPTY;
    } else if (v->type == VNODE_DIR) {
        return -EISDIR;
    }
    /* Linux's order: the link count (unlink only), the entry; the node's own IN_DELETE_SELF
     * comes when it is freed (vnode_maybe_free, now or at its last close). */
    if (!want_dir)
        inotify_self_event(v, IN_ATTRIB);
    inotify_entry_event(dir, v, IN_DELETE, 0, name, len);
    vnode_unlink(dir, d);
    return 0;
}

/* Is `dir` inside `v` (or v itself)? A directory cannot move below itself. */
static bool inside(struct vnode *dir, struct vnode *v)
{
    for (struct vnode *n = dir; n; n = n->parent == n ? NULL : n->parent)
        if (n == v)
            return true;
    return false;
}

/* Give v the name in `d` (in dir) as its first name. */
static void rename_to(struct vnode *v, struct vnode *dir, struct dentry *d)
{
    v->parent = dir;
    v->name = d->name;
    v->name_len = d->len;
}

/* vfs_rename's permission checks: the old name may be removed, the new one made (or its file
 * removed); a directory changing parents must be writable itself (its ".." changes), as must
 * the other directory of an exchange. */
static int rename_allowed(struct vnode *odir, struct vnode *v, struct vnode *ndir, struct vnode *victim, bool exchange)
{
    int err = perm_may_delete(odir, v);
    if (!err)
        err = victim ? perm_may_delete(ndir, victim) : perm_may_create(ndir);
    if (!err && odir != ndir && v->type == VNODE_DIR)
        err = perm_check(v, MAY_WRITE);
    if (!err && odir != ndir && exchange && victim->type == VNODE_DIR)
        err = perm_check(victim, MAY_WRITE);
    return err;
}

int vfs_rename(struct vnode *odir, const char *oname, size_t olen, struct vnode *ndir, const char *nname,
               size_t nlen, unsigned flags)
{
    if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) ||
        ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)) || (flags & RENAME_WHITEOUT))
        return -EINVAL;
    int err;
    if ((err = check_dir(odir)) || (err = check_dir(ndir)))
        return err;
    if (dot_or_dotdot(oname, olen) || dot_or_dotdot(nname, nlen) || !olen || !nlen)
        return -EBUSY;
    if (nlen > NAME_MAX)
        return -ENAMETOOLONG;
    struct dentry *od = vnode_find(odir, oname, olen);
    if (!od)
        return -ENOENT;
    struct dentry *nd = vnode_find(ndir, nname, nlen);
    struct vnode *v = od->v, *victim = nd ? nd->v : NULL;
    if (v->vol != ndir->vol || (victim && victim->vol != odir->vol) || (v->vol && v == v->vol->root))
        return v->vol && v == v->vol->root ? -EBUSY : -EXDEV;   /* another filesystem, or a mount point */
    if (flags & RENAME_EXCHANGE) {
        if (!nd)
            return -ENOENT;
        if ((v->type == VNODE_DIR && inside(ndir, v)) || (victim->type == VNODE_DIR && inside(odir, victim)))
            return -EINVAL;
        if ((err = rename_allowed(odir, v, ndir, victim, true)))
            return err;
        od->v = victim;
        nd->v = v;
        if (v->name == od->name)
            rename_to(v, ndir, nd);
        if (victim->name == nd->name)
            rename_to(victim, odir, od);
        if (v->type == VNODE_DIR && odir != ndir) {
            odir->subdirs--, odir->nlink--, ndir->subdirs++, ndir->nlink++;
        }
        if (victim->type == VNODE_DIR && odir != ndir) {
            ndir->subdirs--, ndir->nlink--, odir->subdirs++, odir->nlink++;
        }
        odir->mtime_ns = odir->ctime_ns = ndir->mtime_ns = ndir->ctime_ns = vnode_now_ns();
        uint32_t cookie = inotify_move_cookie(), back = inotify_move_cookie();
        dnotify_renamed(odir, ndir);
        inotify_entry_event(odir, v, IN_MOVED_FROM, cookie, oname, olen);
        inotify_entry_event(ndir, v, IN_MOVED_TO, cookie, nname, nlen);
        inotify_entry_event(ndir, victim, IN_MOVED_FROM, back, nname, nlen);
        inotify_entry_event(odir, victim, IN_MOVED_TO, back, oname, olen);
        inotify_self_event(v, IN_MOVE_SELF);
        inotify_self_event(victim, IN_MOVE_SELF);
        return 0;
    }
    if (victim == v)
        return 0;                      /* two names of one file: POSIX says do nothing */
    if (nd && (flags & RENAME_NOREPLACE))
        return -EEXIST;
    if (v->type == VNODE_DIR && inside(ndir, v))
        return -EINVAL;
    if ((err = rename_allowed(odir, v, ndir, victim, false)))
        return err;
    if (victim) {
        if (v->type == VNODE_DIR && victim->type != VNODE_DIR)
            return -ENOTDIR;
        if (v->type != VNODE_DIR && victim->type == VNODE_DIR)
            return -EISDIR;
        if (victim->type == VNODE_DIR && vnode_entries(victim))
            return -ENOTEMPTY;
        if (victim == vnode_root())
            return -EBUSY;
    }
    /* Link the new name first (it may need memory), then drop the victim and the old name. */
    uint32_t cookie = inotify_move_cookie();
    dnotify_renamed(odir, ndir);
    inotify_entry_event(odir, v, IN_MOVED_FROM, cookie, oname, olen);
    inotify_entry_event(ndir, v, IN_MOVED_TO, cookie, nname, nlen);
    if (victim) {
        inotify_self_event(victim, IN_ATTRIB);
        vnode_unlink(ndir, nd);
    }
    bool first_name = v->name == od->name;
    uint32_t links = v->nlink;
    if ((err = vnode_link(ndir, nname, nlen, v)))
        return err;
    struct dentry *added = vnode_find(ndir, nname, nlen);
    v->nlink = links;                  /* a move, not a new link */
    if (v->type == VNODE_DIR) {
        ndir->nlink--;                 /* vnode_link counted the child's ".." once more */
        ndir->subdirs--;
    }
    for (struct dentry **pp = &odir->entries; *pp; pp = &(*pp)->next)
        if (*pp == od) {
            *pp = od->next;
            break;
        }
    if (v->type == VNODE_DIR && odir != ndir) {
        odir->subdirs--, odir->nlink--, ndir->subdirs++, ndir->nlink++;
    }
    if (first_name)
        rename_to(v, ndir, added);
    kfree(od);
    odir->mtime_ns = odir->ctime_ns = v->ctime_ns = vnode_now_ns();
    inotify_self_event(v, IN_MOVE_SELF);
    return 0;
}

int vfs_create_unnamed(uint32_t mode, struct vnode **out)
{
    struct vnode *v = vnode_new(VNODE_FILE, mode);
    if (!v)
        return -ENOSPC;
    init_owner(v, NULL);
    *out = v;
    return 0;
}

void vfs_name_unnamed(struct vnode *v, const char *shown)
{
    kfree(v->gone_path);
    if ((v->gone_path = kmalloc(strlen(shown) + 1)))
        memcpy(v->gone_path, shown, strlen(shown) + 1);
}

void vfs_tmpfile_linkable(struct vnode *v) { v->linkable = true; }

/* A file anyone who may read and write it may link (fs.protected_hardlinks, which systemd turns
 * on): a regular one that runs as nobody else (no set-user-ID, no executable set-group-ID). */
static bool safe_hardlink_source(struct vnode *v)
{
    if (v->type != VNODE_FILE || (v->mode & S_ISUID) || (v->mode & (S_ISGID | 0010)) == (S_ISGID | 0010))
        return false;
    return !perm_check(v, MAY_READ | MAY_WRITE);
}

int vfs_link(struct vnode *v, struct vnode *dir, const char *name, size_t len)
{
    int err = check_new_name(dir, name, len);
    if (err)
        return err;
    if (v->vol != dir->vol)
        return -EXDEV;
    if (!perm_owner(v) && !safe_hardlink_source(v))
        return -EPERM;                 /* may_linkat under fs.protected_hardlinks = 1 */
    if ((err = perm_may_create(dir)))
        return err;
    if (v->type == VNODE_DIR)
        return -EPERM;
    if (!v->nlink && !v->linkable)
        return -ENOENT;                /* an unlinked file cannot get a name back */
    int err2 = vnode_link(dir, name, len, v);
    if (!err2) {
        v->linkable = false;
        inotify_self_event(v, IN_ATTRIB);
        inotify_entry_event(dir, v, IN_CREATE, 0, name, len);
    }
    return err2;
}

/* file_remove_privs before a write or truncation changes the file. */
static void remove_privs(struct vnode *v)
{
    if (perm_kill_privs(v)) {
        volume_note_change(v->vol);
        inotify_node_event(v, IN_ATTRIB);
    }
}

int64_t vfs_write(struct vnode *v, uint64_t offset, const void *buf, uint64_t len)
{
    if (v->type == VNODE_DIR)
        return -EISDIR;
    if (read_only(v))
        return -EROFS;
    if (v->type != VNODE_FILE)
        return -EINVAL;
    int64_t allowed = rlimit_file_size(offset, len);   /* RLIMIT_FSIZE: cut short, or EFBIG */
    if (allowed < 0)
        return allowed;
    if (allowed)
        remove_privs(v);
    int64_t n = vnode_write(v, offset, buf, (uint64_t)allowed);
    if (n > 0)
        inotify_node_event(v, IN_MODIFY);
    return n;
}

int vfs_truncate(struct vnode *v, uint64_t size)
{
    if (v->type == VNODE_DIR)
        return -EISDIR;
    if (read_only(v))
        return -EROFS;
    if (v->type != VNODE_FILE)
        return -EINVAL;
    if ((int64_t)size < 0)
        return -EINVAL;
    if (size > v->size && !rlimit_new_file_size(size))
        return -EFBIG;
    remove_privs(v);
    int err = vnode_truncate(v, size);
    if (!err)
        inotify_node_event(v, IN_MODIFY);
    return err;
}

int vfs_fallocate(struct vnode *v, int mode, uint64_t offset, uint64_t len)
{
    if (v->type == VNODE_DIR)
        return -EISDIR;
    if (read_only(v))
        return -EROFS;
    if (v->type != VNODE_FILE)
        return -ENODEV;
    if (!(mode & (VFS_FALLOC_PUNCH_HOLE | VFS_FALLOC_KEEP_SIZE)) && offset + len > v->size &&
        !rlimit_new_file_size(offset + len))
        return -EFBIG;
    int err = mode & VFS_FALLOC_PUNCH_HOLE ? vnode_punch_hole(v, offset, len)
                                           : vnode_allocate(v, offset, len, mode & VFS_FALLOC_KEEP_SIZE);
    if (!err)
        inotify_node_event(v, IN_MODIFY);
    return err;
}

int vfs_setattr(struct vnode *v, const struct vattr *a)
{
    if (read_only(v))
        return -EROFS;
    volume_note_change(v->vol);
    int64_t now = vnode_now_ns();
    if (a->mask & VATTR_MODE)
        v->mode = a->mode & 07777;
    if (a->mask & (VATTR_UID | VATTR_GID)) {
        if (a->mask & VATTR_UID)
            v->uid = a->uid;
        if (a->mask & VATTR_GID)
            v->gid = a->gid;
        /* Linux's chown clears set-user-ID, and set-group-ID when the group may execute. */
        if (v->type != VNODE_DIR && !(a->mask & VATTR_MODE)) {
            v->mode &= ~04000u;
            if (v->mode & 0010)
                v->mode &= ~02000u;
        }
    }
    if (a->mask & VATTR_ATIME)
        v->atime_ns = a->atime_ns;
    if (a->mask & VATTR_MTIME)
        v->mtime_ns = a->mtime_ns;
    v->ctime_ns = now;
    inotify_node_event(v, IN_ATTRIB);
    return 0;
}

#define DAY_NS (24 * 3600 * 1000000000LL)

void vfs_accessed(struct vnode *v)
{
    int64_t now = vnode_now_ns();
    if (read_only(v) || (v->atime_ns > v->mtime_ns && v->atime_ns > v->ctime_ns && now - v->atime_ns < DAY_NS))
        return;                        /* relatime_need_update said no */
    v->atime_ns = now;
    volume_note_change(v->vol);
}

void vfs_get(struct vnode *v) { v->users++; }

void vfs_put(struct vnode *v)
{
    if (v->users)
        v->users--;
    vnode_maybe_free(v);
}

void vfs_get_mapping(struct vnode *v)
{
    v->mappings++;
    vfs_get(v);
}

void vfs_put_mapping(struct vnode *v)
{
    v->mappings--;
    vfs_put(v);
}

uint64_t vfs_size(struct vnode *v) { return v->size; }

int vfs_file_page(struct vnode *v, uint64_t offset, uint64_t *pa)
{
    if (v->type != VNODE_FILE)
        return -EFAULT;
    if (offset >= ALIGN_UP(v->size, PAGE_SIZE))
        return -ENXIO;
    return vnode_page(v, offset >> PAGE_SHIFT, pa);
}

int64_t vfs_private_pages(struct vnode *v, uint64_t index, uint64_t n, uint64_t *pas, bool make)
{
    if (v->type != VNODE_FILE || v->kfile)
        return 0;
    if (!v->in_memory)
        return page_cache_get(v, index, n, pas, PAGE_CACHE_MAP);
    return vnode_private_pages(v, index, n, pas, make);
}

uint64_t vfs_page_at(const struct vnode *v, uint64_t index)
{
    if (v->in_memory)
        return index < v->page_slots ? v->pages[index] : 0;
    return v->cached && index < v->cached_slots ? v->cached[index] : 0;
}
