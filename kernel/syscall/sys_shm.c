/* SysV shared memory (Linux's ipc/shm.c): shmget, shmat, shmdt, shmctl. A segment is an
 * unnamed file whose pages every attachment maps shared (a fork keeps them shared: they are
 * never copied on write). Attachments are the address spaces' mappings of that file, so
 * shm_nattch is counted from them and an exit or exec detaches as on Linux. A segment removed
 * with IPC_RMID while attached stays usable by its id (SHM_DEST, key IPC_PRIVATE) until its
 * last detach; it is freed at the next shm call after that. Limits are Linux's defaults
 * (kernel.shmmax/shmall: no practical limit; shmmni 4096; SHMLBA is the page size on arm64).
 * SHM_LOCK/SHM_UNLOCK, IPC_INFO, SHM_INFO and SHM_STAT are not supported: EINVAL, logged. */
#include "kernel.h"
#include "linux_abi.h"
#include "syscall.h"
#include "process.h"
#include "uaccess.h"
#include "vfs.h"
#include "vm.h"
#include "mm.h"
#include "errno.h"
#include "sysv_ipc.h"
#include <string.h>

#define SHM_RDONLY 010000
#define SHM_RND    020000
#define SHM_REMAP  040000
#define SHM_EXEC   0100000
#define SHM_DEST   01000               /* in shm_perm.mode: removed, freed at the last detach */
#define SHMMAX     (UINT64_MAX - (1ULL << 24))

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

SYSCALL(shmctl)
{
    int id = (int)a0, cmd = (int)a1;
    free_detached();
    static bool logged;
    int bad = ipc_ctl_check("shmctl", id, cmd, &logged);
    if (bad)
        return bad;
    struct shmid64_ds ds;
    if (cmd == IPC_SET && copy_from_user(&ds, a2, sizeof(ds)))
        return -EFAULT;
    struct shm_seg *s = lookup(id);
    if (!s)
        return -EINVAL;
    if (cmd == IPC_STAT) {
        if (!ipc_allowed(&s->ds.perm, 4))
            return -EACCES;
        s->ds.nattch = attachments(s);
        return copy_to_user(a2, &s->ds, sizeof(s->ds)) ? -EFAULT : 0;
    }
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
