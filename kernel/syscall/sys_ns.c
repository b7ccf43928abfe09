/* unshare(2) as Linux's ksys_unshare (kernel/fork.c): its flag checks in order, then what a
 * process here can take apart from the others. A process never shares its descriptor table,
 * its fs state (cwd, root, umask) or its SysV undo list with another process (fork copies
 * them, clone refuses CLONE_FILES/CLONE_FS), so for a one-thread process CLONE_FILES and
 * CLONE_FS have nothing to do, as on Linux when nothing shares them; its threads do share them,
 * so a thread asking is ENOSYS. CLONE_NEWNS copies the mount table (fs/mount.c), CLONE_NEWUTS
 * the host names (proc/uts_ns.c); the other namespaces are not implemented (ENOSYS, logged once). */
#include "kernel.h"
#include "syscall.h"
#include "process.h"
#include "thread.h"
#include "vm.h"
#include "uts.h"
#include "mount.h"
#include "nsfs.h"
#include "file.h"
#include "sysv_ipc.h"
#include "errno.h"
#include "linux_uapi.h"

#define UNSHARE_VALID (CLONE_THREAD | CLONE_FS | CLONE_NEWNS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | \
                       CLONE_SYSVSEM | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUSER | \
                       CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME)
#define NAMESPACES (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP | \
                    CLONE_NEWTIME)
#define NOT_HERE   (CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME | \
                    CLONE_NEWUSER)

static int64_t not_implemented(unsigned long flags, const char *what)
{
    static bool logged;
    if (!logged) {
        logged = true;
        kinfo("unshare: flags %#lx: %s not implemented, returning ENOSYS\n", flags, what);
    }
    return -ENOSYS;
}

SYSCALL(unshare)
{
    unsigned long flags = a0;
    struct process *p = current_process();
    if (flags & ~(unsigned long)UNSHARE_VALID)
        return -EINVAL;
    if (flags & CLONE_NEWUSER)         /* what each flag implies */
        flags |= CLONE_THREAD | CLONE_FS;
    if (flags & CLONE_VM)
        flags |= CLONE_SIGHAND;
    if (flags & CLONE_SIGHAND)
        flags |= CLONE_THREAD;
    if (flags & CLONE_NEWNS)
        flags |= CLONE_FS;
    /* check_unshare_flags: a thread group, its actions or its memory shared is EINVAL */
    if ((flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) && p->live_threads > 1)
        return -EINVAL;
    if ((flags & CLONE_VM) && p->vm && p->vm->users > 1)
        return -EINVAL;                /* a vfork child and its parent */
    if ((flags & NAMESPACES) && !process_capable(p, CAP_SYS_ADMIN))
        return -EPERM;                 /* unshare_nsproxy_namespaces */
    if (flags & NOT_HERE)
        return not_implemented(flags, "namespaces but mount and UTS are");
    if ((flags & (CLONE_FS | CLONE_FILES)) && p->live_threads > 1)
        return not_implemented(flags, "a thread's own descriptor table or fs state is");
    if (flags & CLONE_NEWNS) {
        int err = mount_ns_unshare(p);
        if (err)
            return err;
    }
    if (flags & CLONE_NEWUTS) {
        int err = uts_unshare(p);
        if (err)
            return err;
    }
    if (flags & CLONE_SYSVSEM)
        sem_exit(p->pid);              /* "equivalent to sys_exit()": the undo list is applied */
    return 0;
}

/* setns(2) with a /proc/<pid>/ns/<kind> descriptor (include/nsfs.h), as Linux's: the type must
 * be the file's (or 0), then each kind's install checks. Joining one of the namespaces there is
 * only one of is joining the caller's own: Linux accepts that too, except for the user
 * namespace (EINVAL). A pidfd (Linux 5.8's several-at-once form) is not implemented. */
SYSCALL(setns)
{
    struct process *p = current_process();
    unsigned long want = (unsigned long)(int)a1;
    struct file *f = fd_get(p, (int)a0);
    if (!f)
        return -EBADF;
    if (f->kind == FILE_PIDFD) {
        static bool logged;
        if (!logged) {
            logged = true;
            kinfo("setns: a pidfd is not implemented, returning ENOSYS\n");
        }
        return -ENOSYS;
    }
    unsigned long type = nsfs_type(f);
    if (!type || (want && want != type))
        return -EINVAL;
    if (type == CLONE_NEWUSER)
        return -EINVAL;                /* userns_install: the caller's own */
    if (!process_capable(p, CAP_SYS_ADMIN) || (type == CLONE_NEWNS && !process_capable(p, CAP_SYS_CHROOT)))
        return -EPERM;
    if (type == CLONE_NEWNS && p->live_threads > 1)
        return -EINVAL;                /* mntns_install: the fs state is shared with threads */
    if (type == CLONE_NEWTIME && p->live_threads > 1)
        return -EUSERS;                /* timens_install */
    return nsfs_enter(f);
}
