/* kcmp: whether two processes (or threads) share a kernel object, as Linux's kernel/kcmp.c
 * answers it: 0 for the same object, 1 or 2 for different ones (an order of obfuscated
 * addresses, stable for the boot and meaningless otherwise), after the lookups (ESRCH) and the
 * ptrace read check (EPERM).
 *
 * Our objects: the open file behind a descriptor (KCMP_FILE, O_PATH ones too), the address space
 * (KCMP_VM: a CLONE_VM child shares it), and the descriptor table, file-system context and
 * signal actions (KCMP_FILES, KCMP_FS, KCMP_SIGHAND), which a process here never shares with
 * another (fork.c refuses CLONE_FILES/CLONE_FS/CLONE_SIGHAND without CLONE_THREAD) and its
 * threads always share: the process is the object. KCMP_IO: no task has an I/O context (Linux
 * makes one for ioprio_set or a BFQ-scheduled disk; none here), so every pair compares equal, as
 * two such Linux tasks do. KCMP_SYSVSEM: the SEM_UNDO list, none until a SEM_UNDO semop. */
#include "kernel.h"
#include "syscall.h"
#include "process.h"
#include "file.h"
#include "pipe.h"
#include "sysv_ipc.h"
#include "random.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"

enum { KCMP_FILE, KCMP_VM, KCMP_FILES, KCMP_FS, KCMP_SIGHAND, KCMP_IO, KCMP_SYSVSEM, KCMP_EPOLL_TFD, KCMP_TYPES };

struct kcmp_epoll_slot { uint32_t efd, tfd, toff; };

/* Linux's kptr_obfuscate: per type, (v ^ a) * b with b odd (a permutation), cookies made once. */
static uint64_t cookies[KCMP_TYPES][2];
static bool have_cookies;

static uint64_t obfuscate(const void *v, int type)
{
    if (!have_cookies) {
        random_bytes(cookies, sizeof(cookies));
        for (int i = 0; i < KCMP_TYPES; i++)
            cookies[i][1] |= 1;
        have_cookies = true;
    }
    return ((uint64_t)(uintptr_t)v ^ cookies[type][0]) * cookies[type][1];
}

static int compare(const void *a, const void *b, int type)
{
    uint64_t x = obfuscate(a, type), y = obfuscate(b, type);
    return (x < y) | ((x > y) << 1);
}

/* The file at descriptor idx of p, O_PATH included (Linux's raw lookup, which takes the index as
 * an unsigned int: the high bits are dropped); NULL when none. */
static struct file *file_of(struct process *p, uint64_t idx)
{
    uint32_t fd = (uint32_t)idx;
    return fd < (uint32_t)p->fd_slots ? p->fds[fd] : NULL;
}

static int64_t epoll_target(struct process *t1, struct process *t2, uint64_t idx1, uint64_t uslot)
{
    struct kcmp_epoll_slot slot;
    if (copy_from_user(&slot, uslot, sizeof(slot)))
        return -EFAULT;
    struct file *f = file_of(t1, idx1), *ep = file_of(t2, slot.efd);
    if (!f || !ep || (ep->flags & O_PATH))
        return -EBADF;                 /* fget_task takes no O_PATH file */
    struct file *target;
    int err = epoll_target_file(ep, (int)slot.tfd, slot.toff, &target);
    return err ? err : compare(f, target, KCMP_FILE);
}

SYSCALL(kcmp)
{
    int type = (int)a2;
    struct process *me = current_process(), *t1 = process_of_task((int)a0), *t2 = process_of_task((int)a1);
    if (!t1 || !t2)
        return -ESRCH;
    if (!process_may_inspect(me, t1) || !process_may_inspect(me, t2))
        return -EPERM;
    bool live1 = t1->state == PROCESS_LIVE, live2 = t2->state == PROCESS_LIVE;
    switch (type) {
    case KCMP_FILE: {
        struct file *f1 = file_of(t1, a3), *f2 = file_of(t2, a4);
        return f1 && f2 ? compare(f1, f2, KCMP_FILE) : -EBADF;
    }
    case KCMP_VM:
        return compare(t1->vm, t2->vm, type);
    case KCMP_FILES:
    case KCMP_FS:                      /* a zombie has let its table and context go */
        return compare(live1 ? t1 : NULL, live2 ? t2 : NULL, type);
    case KCMP_SIGHAND:
        return compare(t1, t2, type);
    case KCMP_IO:
        return compare(NULL, NULL, type);
    case KCMP_SYSVSEM:
        return compare(sem_has_undo(t1->pid) ? t1 : NULL, sem_has_undo(t2->pid) ? t2 : NULL, type);
    case KCMP_EPOLL_TFD:
        return epoll_target(t1, t2, a3, a4);
    default:
        return -EINVAL;
    }
}
