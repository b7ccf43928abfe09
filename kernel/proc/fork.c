/* A new process (fork, vfork, clone without CLONE_THREAD): the calling thread's process copied
 * as Linux's copy_process does. The address space is copy-on-write (mm/vm_fork.c) or, with
 * CLONE_VM, the same one; the descriptor table names the same open files; signal actions are
 * copied, pending signals are not; the child's one thread returns 0 from the same svc. With
 * CLONE_VFORK the parent waits until the child execs or ends. */
#include "kernel.h"
#include "rseq.h"
#include "linux_uapi.h"
#include "clone.h"
#include "process.h"
#include "sysv_ipc.h"
#include "thread.h"
#include "sched.h"
#include "signal_arch.h"
#include "uaccess.h"
#include "trap.h"
#include "wait.h"
#include "vm.h"
#include "mm.h"
#include "errno.h"
#include "pidfd.h"
#include "uts.h"
#include "mount.h"
#include <string.h>

/* What a process may not share with another here: it would need the table or the actions
 * kept apart from the process (Linux's files_struct, fs_struct, sighand_struct). */
#define UNSHARABLE (CLONE_FILES | CLONE_FS | CLONE_SIGHAND | \
                    0x00008000UL /* CLONE_PARENT */ | 0x7a000000UL /* the namespaces but mount and UTS */)

static void abandon(struct process *child)
{
    fd_close_all(child);
    if (child->vm)
        vm_put(child->vm);
    process_free(child);
}

static bool vfork_over(void *arg) { return ((struct thread *)arg)->vfork_done; }

static struct thread *child_thread(struct process *child, const struct clone_request *r)
{
    struct thread *parent = current_thread();
    struct thread *t = thread_create(child, child->pid);
    if (!t)
        return NULL;
    *t->frame = *arch_syscall_frame();          /* the child returns from the same svc */
    arch_set_syscall_result(t->frame, 0);
    if (r->stack)
        arch_set_user_sp(t->frame, r->stack);
    t->ctx.tpidr_el0 = r->flags & CLONE_SETTLS ? r->tls : arch_current_tls();
    fpsimd_save(&t->ctx.fpsimd);
    t->sig.blocked = parent->sig.blocked;
    t->sig.altstack = parent->sig.altstack;     /* fork keeps the alternate stack (Linux) */
    t->affinity = parent->affinity;
    sched_attr_inherit(t, parent);
    t->tagged_addr = parent->tagged_addr;
    t->timer_slack_ns = parent->timer_slack_ns;
    rseq_fork(t, parent, r->flags & CLONE_VM);
    if (r->flags & CLONE_CHILD_CLEARTID)
        t->clear_child_tid = r->child_tid;
    return t;
}

int64_t fork_process(const struct clone_request *r)
{
    struct process *p = current_process();
    if (r->flags & UNSHARABLE) {
        static bool logged;
        if (!logged) {
            logged = true;
            kinfo("clone: flags %#lx share more than memory between processes; returning ENOSYS\n", r->flags);
        }
        return -ENOSYS;
    }
    if ((r->flags & (CLONE_NEWUTS | CLONE_NEWNS)) && !process_capable(p, CAP_SYS_ADMIN))
        return -EPERM;                 /* copy_namespaces */
    if (!rlimit_may_fork(p))
        return -EAGAIN;                /* RLIMIT_NPROC */
    if (r->set_tid) {
        int err = process_claim_id(r->set_tid);
        if (err < 0)
            return err;
    }
    struct process *child = process_new_child(p, r->set_tid);
    if (!child)
        return -EAGAIN;
    if (uts_fork(child, p, r->flags & CLONE_NEWUTS) || mount_ns_fork(child, p, r->flags & CLONE_NEWNS)) {
        process_free(child);
        return -ENOMEM;
    }
    if (r->flags & CLONE_VM) {
        child->vm = p->vm;
        p->vm->users++;
    } else if (!(child->vm = vm_fork(p->vm))) {
        abandon(child);
        return -ENOMEM;
    } else {
        shm_forked(p, child->vm);
    }
    if (fd_table_copy(child, p)) {
        abandon(child);
        return -ENOMEM;
    }
    /* The pidfd is the parent's only: the child's table is already copied. */
    int pidfd = -1;
    if (r->flags & CLONE_PIDFD) {
        pidfd = pidfd_new_fd(child, 0);
        int32_t v = pidfd;
        if (pidfd < 0 || copy_to_user(r->pidfd, &v, sizeof(v))) {
            if (pidfd >= 0)
                fd_close(p, pidfd);
            abandon(child);
            return pidfd < 0 ? pidfd : -EFAULT;
        }
    }
    memcpy(child->sig.action, p->sig.action, sizeof(child->sig.action));
    child->exit_signal = r->exit_signal;
    child->parent_tid = current_thread()->tid;
    struct thread *t = child_thread(child, r);
    if (!t) {
        if (pidfd >= 0)
            fd_close(p, pidfd);
        abandon(child);
        return -ENOMEM;
    }
    uint32_t tid = (uint32_t)child->pid;
    if (r->flags & CLONE_CHILD_SETTID)          /* in the child's memory (Linux: schedule_tail) */
        vm_copy_to(child->vm, r->child_tid, &tid, sizeof(tid));
    if (r->flags & CLONE_PARENT_SETTID)
        copy_to_user(r->parent_tid, &tid, sizeof(tid));
    struct thread *self = current_thread();
    if (r->flags & CLONE_VFORK) {
        self->vfork_done = false;
        child->vfork_parent = self;
    }
    sched_add(t);
    if (r->flags & CLONE_VFORK) {
        /* Linux's wait_for_vfork_done is killable only: other signals wait until after. */
        while (!self->vfork_done && !p->exiting)
            wait_until(vfork_over, self, WAIT_FOREVER);
    }
    return child->pid;
}
