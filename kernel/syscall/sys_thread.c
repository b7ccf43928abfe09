/* Threads from user space: clone/clone3 for threads (what pthread_create and Go's newosproc
 * ask for), exit of one thread, the tid calls, and sched_yield. A new process (fork, vfork,
 * clone without CLONE_THREAD) is proc/fork.c's. */
#include "kernel.h"
#include "linux_uapi.h"
#include "syscall.h"
#include "thread.h"
#include "process.h"
#include "sched.h"
#include "signal_arch.h"
#include "uaccess.h"
#include "trap.h"
#include "errno.h"
#include "mm.h"
#include "clone.h"
#include <string.h>

static int64_t do_clone(const struct clone_request *r)
{
    uint64_t flags = r->flags;
    struct process *p = current_process();
    /* Linux's copy_process sanity checks, in its order. */
    if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS))
        return -EINVAL;
    if ((flags & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS))
        return -EINVAL;
    if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
        return -EINVAL;
    if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
        return -EINVAL;
    if ((flags & CLONE_PIDFD) && ((flags & CLONE_DETACHED) ||
                                  ((flags & CLONE_PARENT_SETTID) && r->pidfd == r->parent_tid)))
        return -EINVAL;
    if (!(flags & CLONE_THREAD))
        return fork_process(r);
    if (flags & (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET)) {
        static bool logged_ns;         /* a thread with namespaces of its own */
        if (!logged_ns) {
            logged_ns = true;
            kinfo("clone: flags %#lx: a thread in new namespaces; returning ENOSYS\n", flags);
        }
        return -ENOSYS;
    }
    if (flags & CLONE_PIDFD) {         /* Linux 6.9's thread pidfds: not kept here */
        static bool logged_pidfd;
        if (!logged_pidfd) {
            logged_pidfd = true;
            kinfo("clone: CLONE_PIDFD for a thread; returning ENOSYS\n");
        }
        return -ENOSYS;
    }
    if (!(flags & CLONE_FILES)) {
        static bool logged;
        if (!logged) {
            logged = true;
            kinfo("clone: flags %#lx: a thread with a descriptor table of its own; returning ENOSYS\n", flags);
        }
        return -ENOSYS;
    }
    int tid_new = r->set_tid ? process_claim_id(r->set_tid) : process_alloc_id();
    if (tid_new < 0)
        return r->set_tid ? tid_new : -EAGAIN;   /* EEXIST: set_tid's id is taken */
    struct thread *parent = current_thread();
    struct thread *t = thread_create(p, tid_new);
    if (!t)
        return -EAGAIN;
    *t->frame = *arch_syscall_frame();          /* the child returns from the same svc */
    arch_set_syscall_result(t->frame, 0);
    if (r->stack)
        arch_set_user_sp(t->frame, r->stack);
    /* The child's user-only registers start as the parent's: its TLS unless CLONE_SETTLS, and
     * the FP/SIMD registers as they are in the CPU right now. */
    t->ctx.tpidr_el0 = flags & CLONE_SETTLS ? r->tls : arch_current_tls();
    fpsimd_save(&t->ctx.fpsimd);
    t->sig.blocked = parent->sig.blocked;      /* pending signals and the alternate stack are not inherited */
    t->affinity = parent->affinity;             /* as Linux's dup_task_struct */
    sched_attr_inherit(t, parent);
    t->tagged_addr = parent->tagged_addr;
    t->timer_slack_ns = parent->timer_slack_ns;
    if (flags & CLONE_CHILD_CLEARTID)
        t->clear_child_tid = r->child_tid;
    uint32_t tid = (uint32_t)t->tid;
    if (flags & CLONE_CHILD_SETTID)
        copy_to_user(r->child_tid, &tid, sizeof(tid));
    if (flags & CLONE_PARENT_SETTID)
        copy_to_user(r->parent_tid, &tid, sizeof(tid));
    sched_add(t);
    return t->tid;
}

/* arm64's argument order: flags, stack, parent_tid, tls, child_tid. */
SYSCALL(clone)
{
    struct clone_request r = { a0 & ~CSIGNAL, a1, a2, a4, a3, (int)(a0 & CSIGNAL),
                               a2 /* CLONE_PIDFD: parent_tid's argument */, 0 };
    if (r.exit_signal > NSIG)
        return -EINVAL;
    return do_clone(&r);
}

struct clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
             set_tid_size, cgroup;
};

/* clone3's set_tid, as Linux's copy_clone_args_from_user and alloc_pid check it: an array of
 * one id per pid namespace level, and there is one level here. */
#define MAX_PID_NS_LEVEL 32
#define CAP_CHECKPOINT_RESTORE 40
static int wanted_tid(const struct clone_args *a, int *tid)
{
    int32_t want[MAX_PID_NS_LEVEL];
    *tid = 0;
    if (a->set_tid_size > MAX_PID_NS_LEVEL || (!a->set_tid) != (!a->set_tid_size))
        return -EINVAL;
    if (!a->set_tid_size)
        return 0;
    if (copy_from_user(want, a->set_tid, a->set_tid_size * sizeof(int32_t)))
        return -EFAULT;
    if (a->set_tid_size > 1)
        return -EINVAL;                /* more levels than the caller's namespace has */
    if (want[0] < 1 || want[0] >= PID_MAX)
        return -EINVAL;
    struct process *p = current_process();
    if (!process_capable(p, CAP_SYS_ADMIN) && !process_capable(p, CAP_CHECKPOINT_RESTORE))
        return -EPERM;
    *tid = want[0];
    return 0;
}

SYSCALL(clone3)
{
    struct clone_args args;
    uint64_t size = a1;
    memset(&args, 0, sizeof(args));
    /* Linux's copy_struct_from_user: a larger struct than ours is fine if its tail is zero. */
    if (size > PAGE_SIZE)
        return -E2BIG;
    if (size < 64)                                   /* CLONE_ARGS_SIZE_VER0 */
        return -EINVAL;
    if (copy_from_user(&args, a0, size < sizeof(args) ? size : sizeof(args)))
        return -EFAULT;
    for (uint64_t at = sizeof(args); at < size; at++) {
        uint8_t byte;
        if (copy_from_user(&byte, a0 + at, 1))
            return -EFAULT;
        if (byte)
            return -E2BIG;
    }
    /* clone3_args_valid: the legacy flags' 32 bits and CLONE_CLEAR_SIGHAND/CLONE_INTO_CGROUP. */
    if (args.flags & ~(0xffffffffULL | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP))
        return -EINVAL;
    if (args.exit_signal > 64 || (args.flags & (CLONE_DETACHED | CSIGNAL)))
        return -EINVAL;
    if ((args.stack == 0) != (args.stack_size == 0))
        return -EINVAL;
    struct clone_request r = { args.flags, args.stack ? args.stack + args.stack_size : 0,
                               args.parent_tid, args.child_tid, args.tls, (int)args.exit_signal, args.pidfd, 0 };
    int err = wanted_tid(&args, &r.set_tid);
    return err ? err : do_clone(&r);
}

SYSCALL(exit) { thread_exit((int)a0); }

SYSCALL(gettid) { return current_thread()->tid; }

SYSCALL(set_tid_address)
{
    current_thread()->clear_child_tid = a0;
    return current_thread()->tid;
}

SYSCALL(set_robust_list)
{
    if (a1 != 24)   /* sizeof(struct robust_list_head) on 64-bit */
        return -EINVAL;
    current_thread()->robust_list = a0;
    current_thread()->robust_list_len = a1;
    return 0;
}

SYSCALL(get_robust_list)
{
    if ((int)a0 < 0)
        return -EINVAL;
    struct thread *t = a0 ? thread_find((int)a0) : current_thread();
    if (!t)
        return -ESRCH;
    uint64_t len = t->robust_list_len;
    if (copy_to_user(a1, &t->robust_list, sizeof(uint64_t)) || copy_to_user(a2, &len, sizeof(len)))
        return -EFAULT;
    return 0;
}

SYSCALL(sched_yield)
{
    sched_yield_cpu();
    return 0;
}
