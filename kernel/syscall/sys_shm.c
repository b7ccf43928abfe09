/* SysV shared memory (Linux's ipc/shm.c): shmget, shmat, shmdt, shmctl. A segment is an
 * unnamed file whose pages every attachment maps shared (a fork keeps them shared: they are
 * never copied on write). Attachments are the address spaces' mappings of that file, so
 * shm_nattch is counted from them and an exit or exec detaches as on Linux. A segment removed
 * with IPC_RMID while attached stays usable by its id (SHM_DEST, key IPC_PRIVATE) until its
 * last detach; it is freed at the next shm call after that. Limits are Linux's defaults
 * (kernel.shmmax/shmall: no practical limit; shmmni 4096; SHMLBA is the page size on arm64), as
 * IPC_INFO reports them; SHM_INFO counts what is in use, SHM_STAT/SHM_STAT_ANY take an index.
 * SHM_LOCK only marks a segment (nothing is ever swapped out here) and charges it to the locking
 * user's RLIMIT_MEMLOCK, as Linux's user_shm_lock, until SHM_UNLOCK or the segment goes. */
#include "kernel.h"
#include "linux_abi.h"
#include "syscall.h"
#include "process.h"
#include "uaccess.h"
#include "vfs.h"
#include "vm.h"
#include "rlimit_mem.h"
#include "mm.h"
#include "errno.h"
#include "sysv_ipc.h"
#include <string.h>

#define SHM_RDONLY 010000
#define SHM_RND    020000
#define SHM_REMAP  040000
#define SHM_EXEC   0100000
#define SHM_DEST   01000               /* in shm_perm.mode: removed, freed at the last detach */
#define SHM_LOCKED 02000               /* in shm_perm.mode: SHM_LOCK'ed */
#define SHM_LOCK   11
#define SHM_UNLOCK 12
#define CAP_IPC_LOCK 14
#define SHM_STAT     13
#define SHM_INFO     14
#define SHM_STAT_ANY 15

/* struct shminfo64 (IPC_INFO) and struct shm_info (SHM_INFO, pages). */
struct shminfo64 {
    uint64_t shmmax, shmmin, shmmni, shmseg, shmall, unused[4];
};
struct shm_info {
    int32_t used_ids, pad;
    uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

struct shmid64_ds {
    struct ipc64_perm perm;
    uint64_t segsz;
    int64_t atime, dtime, ctime;
    int32_t cpid, lpid;
    uint64_t nattch, unused4, unused5;
};
_Static_assert(sizeof(struct shmid64_ds) == 112, "arm64's struct shmid64_ds");

struct shm_seg {
    struct shmid64_ds ds;
    int id;
    uint32_t lock_uid;                 /* SHM_LOCKED: the real uid it is charged to */
    struct vnode *file;
    struct shm_seg *next;              /* every segment, removed ones until they are freed */
};

static struct ipc_ids segs;
static struct shm_seg *all;

static struct shm_seg *lookup(int id) { return (struct shm_seg *)ipc_lookup(&segs, id); }

static bool seen_before(struct process *p)
{
    for (struct process *q = process_first(); q != p; q = q->all_next)
        if (q->vm == p->vm)
            return true;
    return false;
}

/* Mappings of the segment's file in every address space (one a vfork child shares with its
 * parent counted once). */
static uint64_t attachments(struct shm_seg *s)
{
    uint64_t n = 0;
    for (struct process *p = process_first(); p; p = p->all_next) {
        if (!p->vm || seen_before(p))
            continue;
        for (struct vma *v = p->vm->vmas; v; v = v->next)
            n += v->file == s->file && v->file_offset == 0;
    }
    return n;
}

/* Does vm map s? */
static bool maps(const struct vm *vm, const struct shm_seg *s)
{
    for (const struct vma *v = vm->vmas; v; v = v->next)
        if (v->file == s->file && v->file_offset == 0)
            return true;
    return false;
}

void shm_forked(struct process *parent, struct vm *copy)
{
    for (struct shm_seg *s = all; s; s = s->next)
        if (maps(copy, s)) {
            s->ds.atime = ipc_now_s();
            s->ds.lpid = parent->pid;
        }
}

void shm_vm_gone(struct process *p, struct vm *vm)
{
    if (!vm || vm->users > 1)
        return;                        /* a vfork parent still has it */
    for (struct shm_seg *s = all; s; s = s->next)
        if (maps(vm, s)) {
            s->ds.dtime = ipc_now_s();
            s->ds.lpid = p->pid;
        }
}

/* Linux frees a removed segment at its last detach; nothing can tell the difference until
 * the next shm call, which frees it here. */
static void free_detached(void)
{
    for (struct shm_seg **p = &all; *p;) {
        struct shm_seg *s = *p;
        if ((s->ds.perm.mode & SHM_DEST) && !attachments(s)) {
            *p = s->next;
            if (lookup(s->id) == s)
                ipc_remove(&segs, s->id);
            vfs_put(s->file);
            kfree(s);
        } else {
            p = &s->next;
        }
    }
}

SYSCALL(shmget)
{
    int key = (int)a0, flags = (int)a2;
    uint64_t size = a1;
    free_detached();
    struct ipc64_perm *found;
    int id = ipc_find_key(&segs, key, &found);
    if (found) {
        int err = ipc_get_existing(found, flags);
        if (err)
            return err;
        return ((struct shm_seg *)found)->ds.segsz < size ? -EINVAL : id;
    }
    if (key != IPC_PRIVATE && !(flags & IPC_CREAT))
        return -ENOENT;
    if (size < 1 || size > SHMMAX)
        return -EINVAL;
    struct shm_seg *s = kzalloc(sizeof(*s));
    if (!s)
        return -ENOMEM;
    int err = vfs_create_unnamed(0600, &s->file);
    if (!err && (err = vfs_truncate(s->file, size)))
        vfs_put(s->file);
    if (!err) {
        char shown[16];
        snprintf(shown, sizeof(shown), "/SYSV%08x", (uint32_t)key);
        vfs_name_unnamed(s->file, shown);
    }
    if (err) {
        kfree(s);
        return err;
    }
    if ((id = ipc_add(&segs, &s->ds.perm, key, flags)) < 0) {
        vfs_put(s->file);
        kfree(s);
        return id;
    }
    s->id = id;
    s->ds.segsz = size;
    s->ds.cpid = current_process()->pid;
    s->ds.ctime = ipc_now_s();
    s->next = all;
    all = s;
    return id;
}

SYSCALL(shmat)
{
    int id = (int)a0, flags = (int)a2;
    uint64_t addr = user_untag(a1);
    free_detached();
    if (id < 0)
        return -EINVAL;
    if (addr & (PAGE_SIZE - 1)) {
        if (!(flags & SHM_RND))
            return -EINVAL;
        addr &= ~(uint64_t)(PAGE_SIZE - 1);
    }
    if (!addr && (flags & SHM_REMAP))
        return -EINVAL;
    int prot = PROT_READ | (flags & SHM_RDONLY ? 0 : PROT_WRITE) | (flags & SHM_EXEC ? PROT_EXEC : 0);
    struct shm_seg *s = lookup(id);
    if (!s)
        return -EINVAL;
    if (!ipc_allowed(&s->ds.perm, flags & SHM_RDONLY ? 4 : 6))
        return -EACCES;
    struct vm *vm = current_process()->vm;
    uint64_t len = ALIGN_UP(s->ds.segsz, PAGE_SIZE);
    if (addr && !(flags & SHM_REMAP) && (addr + len < addr || !vm_range_free(vm, addr, len)))
        return -EINVAL;
    if (!addr && !(addr = vm_find_free(vm, len)))
        return -ENOMEM;
    if (!rlimit_may_expand(vm, len - vm_bytes_in(vm, addr, addr + len), false))
        return -ENOMEM;                /* do_mmap's RLIMIT_AS */
    int err = vm_map_fixed(vm, addr, len, prot, s->file, 0, s->ds.segsz, NULL);
    if (err)
        return err;
    vm_find(vm, addr)->shared = true;
    s->ds.atime = ipc_now_s();
    s->ds.lpid = current_process()->pid;
    return (int64_t)addr;
}

SYSCALL(shmdt)
{
    uint64_t addr = user_untag(a0);
    if (addr & (PAGE_SIZE - 1))
        return -EINVAL;
    struct vm *vm = current_process()->vm;
    struct vma *v = vm_find(vm, addr);
    struct shm_seg *s = NULL;
    if (v && v->start == addr && v->file && v->file_offset == 0)
        for (s = all; s && s->file != v->file; s = s->next)
            ;
    if (!s)
        return -EINVAL;
    int err = vm_unmap(vm, v->start, v->end - v->start);
    if (err)
        return err;
    s->ds.dtime = ipc_now_s();
    s->ds.lpid = current_process()->pid;
    free_detached();
    return 0;
}

/* The pages of s's memory that exist (touched), as Linux's shm_rss counts the shmem file's. */
static uint64_t resident_pages(struct shm_seg *s)
{
    struct vstat st;
    return vfs_stat(s->file, &st) ? 0 : st.blocks * 512 / PAGE_SIZE;
}

/* Linux's shmctl_ipc_info and shmctl_shm_info: the limits, or the segments' pages; the highest
 * index in use is the answer. */
static int shm_info(int cmd, uint64_t buf)
{
    int max = ipc_max_index(&segs);
    if (cmd == IPC_INFO) {
        struct shminfo64 si = { .shmmax = SHMMAX, .shmmin = 1, .shmmni = SHMMNI, .shmseg = SHMMNI,
                                .shmall = SHMALL };
        return copy_to_user(buf, &si, sizeof(si)) ? -EFAULT : max < 0 ? 0 : max;
    }
    struct shm_info si;
    memset(&si, 0, sizeof(si));
    si.used_ids = ipc_in_use(&segs);
    for (struct shm_seg *s = all; s; s = s->next) {
        si.shm_tot += ALIGN_UP(s->ds.segsz, PAGE_SIZE) / PAGE_SIZE;
        si.shm_rss += resident_pages(s);
    }
    return copy_to_user(buf, &si, sizeof(si)) ? -EFAULT : max < 0 ? 0 : max;
}

size_t shm_proc_text(char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "       key      shmid perms                  size  cpid  lpid nattch   uid"
                                           "   gid  cuid  cgid      atime      dtime      ctime                   rss"
                                           "                  swap\n");
    for (int i = 0, id; i < IPC_SLOTS && n < size; i++) {
        struct shm_seg *s = (struct shm_seg *)ipc_at_index(&segs, i, &id);
        if (!s)
            continue;
        const struct ipc64_perm *p = &s->ds.perm;
        n += (size_t)snprintf(buf + n, size - n,
                              "%10d %10d  %4o %21lu %5u %5u  %5lu %5u %5u %5u %5u %10llu %10llu %10llu %21lu %21lu\n",
                              p->key, id, p->mode, s->ds.segsz, s->ds.cpid, s->ds.lpid, attachments(s), p->uid, p->gid,
                              p->cuid, p->cgid, (unsigned long long)s->ds.atime, (unsigned long long)s->ds.dtime,
                              (unsigned long long)s->ds.ctime, resident_pages(s) * PAGE_SIZE, 0UL);
    }
    return n < size ? n : size - 1;
}

/* Pages of SHM_LOCKED segments charged to uid (Linux's UCOUNT_RLIMIT_MEMLOCK). */
static uint64_t locked_pages_of(uint32_t uid)
{
    uint64_t pages = 0;
    for (struct shm_seg *s = all; s; s = s->next)
        if ((s->ds.perm.mode & SHM_LOCKED) && s->lock_uid == uid)
            pages += ALIGN_UP(s->ds.segsz, PAGE_SIZE) / PAGE_SIZE;
    return pages;
}

/* Linux's shmctl_do_lock: the owner or creator (or CAP_IPC_LOCK) may; SHM_LOCK needs a non-zero
 * RLIMIT_MEMLOCK and room under it (ENOMEM), counting the user's other locked segments. */
static int shm_lock(struct shm_seg *s, int cmd)
{
    struct process *p = current_process();
    bool capable = process_capable(p, CAP_IPC_LOCK);
    if (!capable) {
        if (p->cred.euid != s->ds.perm.uid && p->cred.euid != s->ds.perm.cuid)
            return -EPERM;
        if (cmd == SHM_LOCK && !rlimit_current(RLIMIT_MEMLOCK))
            return -EPERM;
    }
    if (cmd == SHM_UNLOCK) {
        s->ds.perm.mode &= ~SHM_LOCKED;
        return 0;
    }
    if (s->ds.perm.mode & SHM_LOCKED)
        return 0;
    uint64_t limit = rlimit_current(RLIMIT_MEMLOCK);
    uint64_t pages = locked_pages_of(p->cred.uid) + ALIGN_UP(s->ds.segsz, PAGE_SIZE) / PAGE_SIZE;
    if (limit != RLIM_INFINITY && pages > limit >> PAGE_SHIFT && !capable)
        return -ENOMEM;
    s->ds.perm.mode |= SHM_LOCKED;
    s->lock_uid = p->cred.uid;
    return 0;
}

SYSCALL(shmctl)
{
    int id = (int)a0, cmd = (int)a1;
    free_detached();
    static bool logged;
    bool by_index = cmd == SHM_STAT || cmd == SHM_STAT_ANY;
    bool supported = cmd == IPC_RMID || cmd == IPC_SET || cmd == IPC_STAT || cmd == IPC_INFO || cmd == SHM_INFO ||
                     cmd == SHM_LOCK || cmd == SHM_UNLOCK || by_index;
    int bad = ipc_ctl_check("shmctl", id, cmd, supported, &logged);
    if (bad)
        return bad;
    if (cmd == IPC_INFO || cmd == SHM_INFO)
        return shm_info(cmd, a2);
    struct shmid64_ds ds;
    if (cmd == IPC_SET && copy_from_user(&ds, a2, sizeof(ds)))
        return -EFAULT;
    int full_id = 0;
    struct shm_seg *s = by_index ? (struct shm_seg *)ipc_at_index(&segs, id, &full_id) : lookup(id);
    if (!s)
        return -EINVAL;
    if (cmd == IPC_STAT || by_index) {
        /* SHM_STAT_ANY is /proc/sysvipc's view: no read permission needed */
        if (cmd != SHM_STAT_ANY && !ipc_allowed(&s->ds.perm, 4))
            return -EACCES;
        s->ds.nattch = attachments(s);
        return copy_to_user(a2, &s->ds, sizeof(s->ds)) ? -EFAULT : full_id;
    }
    if (cmd == SHM_LOCK || cmd == SHM_UNLOCK)
        return shm_lock(s, cmd);
    if (!ipc_owner(&s->ds.perm))
        return -EPERM;
    if (cmd == IPC_SET) {
        ipc_set_perm(&s->ds.perm, &ds.perm);
        s->ds.ctime = ipc_now_s();
        return 0;
    }
    s->ds.perm.mode |= SHM_DEST;
    s->ds.perm.key = IPC_PRIVATE;
    free_detached();
    return 0;
}
