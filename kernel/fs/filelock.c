/* Advisory locks (filelock.h): one list of POSIX/OFD record locks and one of flock locks, each
 * entry naming the file it locks by a key (the vnode, or the pipe/socket behind a non-VFS file).
 * Invariant: the locks of one owner on one key never overlap; adjacent or overlapping locks of
 * the same type are merged, as Linux's posix_lock_inode does, so F_GETLK reports what Linux
 * reports. Waiting (F_SETLKW, flock without LOCK_NB) is a wait_until on "no conflict now": the
 * scheduler re-checks it, so no wake-up lists are needed. Programs hold a handful of locks, so
 * plain lists are enough. */
#include "kernel.h"
#include "filelock.h"
#include "file.h"
#include "process.h"
#include "mm.h"
#include "uaccess.h"
#include "wait.h"
#include "signal.h"
#include "errno.h"
#include "linux_abi.h"

#define OFFSET_MAX INT64_MAX

struct linux_flock {          /* asm-generic struct flock (64-bit: no padding macros) */
    int16_t l_type, l_whence;
    int64_t l_start, l_len;
    int32_t l_pid;
};

struct file_lock {
    struct file_lock *next;
    const void *key;          /* what is locked (see lock_key) */
    const void *owner;        /* struct process * (POSIX) or struct file * (OFD, flock) */
    struct file *file;        /* the open file it was set through (Linux's fl_file: fdinfo shows it there) */
    bool ofd;                 /* an OFD lock: F_GETLK reports l_pid -1 */
    int pid;                  /* the owner's pid, for l_pid */
    int type;                 /* F_RDLCK or F_WRLCK */
    int64_t start, end;       /* inclusive; end OFFSET_MAX: to the end of any file */
};

static struct file_lock *record_locks;   /* POSIX and OFD */
static struct file_lock *flock_locks;

/* Linux locks the inode: every open file of one vnode shares its locks, and both ends of a pipe
 * share the pipe. */
static const void *lock_key(struct file *f) { return f->kind == FILE_VNODE ? (const void *)f->vnode : f->priv ? f->priv : f; }

static bool conflicts(const struct file_lock *a, const void *key, const void *owner, int type, int64_t start, int64_t end)
{
    return a->key == key && a->owner != owner && (a->type == F_WRLCK || type == F_WRLCK) &&
           a->start <= end && start <= a->end;
}

static struct file_lock *first_conflict(struct file_lock *list, const void *key, const void *owner, int type,
                                        int64_t start, int64_t end)
{
    for (struct file_lock *l = list; l; l = l->next)
        if (conflicts(l, key, owner, type, start, end))
            return l;
    return NULL;
}

static struct file_lock *new_lock(const struct file_lock *proto, int64_t start, int64_t end)
{
    struct file_lock *l = kmalloc(sizeof(*l));
    if (l) {
        *l = *proto;
        l->start = start;
        l->end = end;
    }
    return l;
}

/* Linux keeps each list ordered by start; F_GETLK reports the first conflict in that order. */
static void insert_sorted(struct file_lock **list, struct file_lock *l)
{
    while (*list && (*list)->start <= l->start)
        list = &(*list)->next;
    l->next = *list;
    *list = l;
}

/* Apply `req` (type F_UNLCK removes) to its owner's locks on its key: same-type neighbours merge,
 * other types are cut back around the request. Allocates before it changes anything, so
 * running out of memory (ENOLCK, as Linux) leaves the old locks intact. */
static int apply(struct file_lock **list, const struct file_lock *req)
{
    int64_t start = req->start, end = req->end;
    /* Same-type locks that touch the request grow it (they go below). */
    if (req->type != F_UNLCK)
        for (struct file_lock *l = *list; l; l = l->next)
            if (l->key == req->key && l->owner == req->owner && l->type == req->type &&
                l->start <= (end == OFFSET_MAX ? end : end + 1) && (l->end == OFFSET_MAX || l->end + 1 >= start)) {
                start = l->start < start ? l->start : start;
                end = l->end > end ? l->end : end;
            }
    /* Pieces of other-type locks that stick out of [start, end] survive as new locks. */
    struct file_lock *pieces = NULL, *added = req->type != F_UNLCK ? new_lock(req, start, end) : NULL;
    if (req->type != F_UNLCK && !added)
        return -ENOLCK;
    for (struct file_lock *l = *list; l; l = l->next) {
        if (l->key != req->key || l->owner != req->owner || l->end < start || l->start > end)
            continue;
        struct file_lock *left = l->start < start ? new_lock(l, l->start, start - 1) : NULL;
        struct file_lock *right = l->end > end ? new_lock(l, end + 1, l->end) : NULL;
        if ((l->start < start && !left) || (l->end > end && !right)) {
            kfree(left);
            kfree(right);
            kfree(added);
            while (pieces) {
                struct file_lock *n = pieces->next;
                kfree(pieces);
                pieces = n;
            }
            return -ENOLCK;
        }
        if (left) { left->next = pieces; pieces = left; }
        if (right) { right->next = pieces; pieces = right; }
    }
    for (struct file_lock **pp = list; *pp;) {
        struct file_lock *l = *pp;
        if (l->key == req->key && l->owner == req->owner && l->start <= end && l->end >= start) {
            *pp = l->next;
            kfree(l);
        } else {
            pp = &l->next;
        }
    }
    while (pieces) {
        struct file_lock *n = pieces->next;
        insert_sorted(list, pieces);
        pieces = n;
    }
    if (added)
        insert_sorted(list, added);
    return 0;
}

struct lock_wait {
    struct file_lock **list;
    const struct file_lock *req;
};

static bool no_conflict(void *arg)
{
    const struct lock_wait *w = arg;
    return !first_conflict(*w->list, w->req->key, w->req->owner, w->req->type, w->req->start, w->req->end);
}

/* Take the lock, waiting for conflicting ones to go if `wait`. Unlocks never wait. */
static int64_t lock_or_wait(struct file_lock **list, const struct file_lock *req, bool wait)
{
    if (req->type != F_UNLCK) {
        struct lock_wait w = { list, req };
        while (!no_conflict(&w)) {
            if (!wait)
                return -EAGAIN;
            if (wait_until(no_conflict, &w, WAIT_FOREVER) == -EINTR)
                return -ERESTARTSYS;   /* SA_RESTART restarts F_SETLKW and flock, as on Linux */
        }
    }
    return apply(list, req);
}

/* struct flock's range, made absolute and inclusive (Linux's flock_to_posix_lock). */
static int flock_range(struct file *f, const struct linux_flock *fl, int64_t *start, int64_t *end)
{
    int64_t base;
    struct linux_stat st;
    switch (fl->l_whence) {
    case 0: base = 0; break;
    case 1: base = (int64_t)f->offset; break;
    case 2:
        if (file_stat(f, &st))
            return -EIO;
        base = st.st_size;
        break;
    default: return -EINVAL;
    }
    if (fl->l_start > OFFSET_MAX - base)
        return -EOVERFLOW;
    *start = base + fl->l_start;
    if (*start < 0)
        return -EINVAL;
    if (fl->l_len > 0) {
        if (fl->l_len - 1 > OFFSET_MAX - *start)
            return -EOVERFLOW;
        *end = *start + fl->l_len - 1;
    } else if (fl->l_len < 0) {
        if (*start + fl->l_len < 0)
            return -EINVAL;
        *end = *start - 1;
        *start += fl->l_len;
    } else {
        *end = OFFSET_MAX;
    }
    return 0;
}

static bool readable(struct file *f) { return (f->flags & O_ACCMODE) != O_WRONLY && !(f->flags & O_PATH); }
static bool writable(struct file *f) { return (f->flags & O_ACCMODE) != O_RDONLY && !(f->flags & O_PATH); }

int64_t filelock_fcntl(struct process *p, struct file *f, int cmd, uint64_t uflock)
{
    struct linux_flock fl;
    bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
    if (f->flags & O_PATH)
        return -EBADF;         /* O_PATH descriptors take no lock commands (check_fcntl_cmd) */
    if (copy_from_user(&fl, uflock, sizeof(fl)))
        return -EFAULT;
    struct file_lock req = { .key = lock_key(f), .owner = ofd ? (const void *)f : p, .file = f, .ofd = ofd,
                             .pid = ofd ? -1 : p->pid, .type = fl.l_type };
    if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
        if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK)
            return -EINVAL;
        int err = flock_range(f, &fl, &req.start, &req.end);
        if (err)
            return err;
        if (ofd && fl.l_pid != 0)
            return -EINVAL;
        struct file_lock *c = first_conflict(record_locks, req.key, req.owner, req.type, req.start, req.end);
        if (!c) {
            fl.l_type = F_UNLCK;   /* the rest of the user's struct stays as it was, as on Linux */
        } else {
            fl.l_type = (int16_t)c->type;
            fl.l_whence = 0;
            fl.l_start = c->start;
            fl.l_len = c->end == OFFSET_MAX ? 0 : c->end - c->start + 1;
            fl.l_pid = c->ofd ? -1 : c->pid;
        }
        return copy_to_user(uflock, &fl, sizeof(fl)) ? -EFAULT : 0;
    }
    int err = flock_range(f, &fl, &req.start, &req.end);
    if (err)
        return err;
    if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
        return -EINVAL;
    if ((fl.l_type == F_RDLCK && !readable(f)) || (fl.l_type == F_WRLCK && !writable(f)))
        return -EBADF;
    if (ofd && fl.l_pid != 0)
        return -EINVAL;
    return lock_or_wait(&record_locks, &req, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
}

int64_t filelock_flock(struct file *f, int op)
{
    int cmd = op & ~LOCK_NB;
    int type = cmd == LOCK_SH ? F_RDLCK : cmd == LOCK_EX ? F_WRLCK : cmd == LOCK_UN ? F_UNLCK : -1;
    if (type < 0)
        return -EINVAL;
    if (type != F_UNLCK && (f->flags & O_PATH))
        return -EBADF;
    struct file_lock req = { .key = lock_key(f), .owner = f, .file = f, .ofd = true, .pid = current_process()->pid,
                             .type = F_UNLCK, .start = 0, .end = OFFSET_MAX };
    /* A conversion first drops the old lock (so another waiter may get in first), as Linux does. */
    struct file_lock *held = NULL;
    for (struct file_lock *l = flock_locks; l; l = l->next)
        if (l->key == req.key && l->owner == f)
            held = l;
    if (held && held->type == type)
        return 0;
    if (held)
        apply(&flock_locks, &req);
    req.type = type;
    return lock_or_wait(&flock_locks, &req, !(op & LOCK_NB));
}

static void drop_owned(struct file_lock **list, const void *key, const void *owner)
{
    for (struct file_lock **pp = list; *pp;) {
        struct file_lock *l = *pp;
        if ((!key || l->key == key) && l->owner == owner) {
            *pp = l->next;
            kfree(l);
        } else {
            pp = &l->next;
        }
    }
}

void filelock_close(struct process *p, struct file *f) { drop_owned(&record_locks, lock_key(f), p); }

void filelock_release(struct file *f)
{
    drop_owned(&record_locks, NULL, f);
    drop_owned(&flock_locks, NULL, f);
}

/* lock_get_status's line: kind, ADVISORY, type, pid (-1 for an OFD lock), MAJ:MIN:INO of what is
 * locked, the range (flock: 0 EOF). */
static size_t lock_line(char *buf, size_t size, int id, const struct file_lock *l, bool flock)
{
    struct linux_stat st;
    file_stat(l->file, &st);
    unsigned major = (unsigned)((st.st_dev >> 8) & 0xfff), minor = (unsigned)((st.st_dev & 0xff) | ((st.st_dev >> 12) & 0xfff00));
    const char *kind = flock ? "FLOCK " : l->ofd ? "OFDLCK" : "POSIX ";
    int n = snprintf(buf, size, "%d: %s ADVISORY  %s %d %02x:%02x:%lu ", id, kind, l->type == F_WRLCK ? "WRITE" : "READ",
                     l->pid, major, minor, st.st_ino);
    if (flock || l->end == OFFSET_MAX)
        n += snprintf(buf + n, size > (size_t)n ? size - n : 0, "%ld EOF\n", flock ? 0L : l->start);
    else
        n += snprintf(buf + n, size > (size_t)n ? size - n : 0, "%ld %ld\n", l->start, l->end);
    return (size_t)n < size ? (size_t)n : size;
}

size_t filelock_fdinfo(struct process *p, struct file *f, char *buf, size_t size)
{
    size_t n = 0;
    int id = 0;
    const void *key = lock_key(f);
    for (int flock = 1; flock >= 0; flock--)   /* flock locks, then POSIX and OFD ones, as Linux */
        for (struct file_lock *l = flock ? flock_locks : record_locks; l && n < size; l = l->next)
            if (l->key == key && l->file == f && (l->owner == f || l->owner == p)) {
                n += (size_t)snprintf(buf + n, size - n, "lock:\t");
                if (n < size)
                    n += lock_line(buf + n, size - n, ++id, l, flock);
            }
    return n < size ? n : size;
}

size_t filelock_proc_locks(char *buf, size_t size)
{
    size_t n = 0;
    int id = 0;
    for (int flock = 0; flock <= 1; flock++)
        for (struct file_lock *l = flock ? flock_locks : record_locks; l && n < size; l = l->next)
            n += lock_line(buf + n, size - n, ++id, l, flock);
    return n < size ? n : size;
}
