/* seccomp as Linux 6.1 does it (kernel/seccomp.c): prctl(PR_SET_SECCOMP) and seccomp(2) set a
 * thread's mode; in strict mode only read, write, exit and rt_sigreturn run (anything else is
 * SIGKILL); in filter mode every system call runs the thread's BPF filters, newest first, and
 * the most restrictive verdict wins: kill the process or the thread (as by SIGSYS), a SIGSYS
 * for the handler (SECCOMP_RET_TRAP), an errno, ENOSYS where Linux would ask a tracer or a
 * listener that is not there (TRACE, USER_NOTIF), or let it run (LOG, ALLOW).
 * Not done: listeners (SECCOMP_FILTER_FLAG_NEW_LISTENER is refused with EINVAL, logged once),
 * and nothing is written to an audit log (RET_LOG and kills show with --verbose).
 * Every call here runs under the kernel lock, which guards the filters' reference counts. */
#include "kernel.h"
#include "linux_uapi.h"
#include "linux_abi.h"
#include "syscall.h"
#include "process.h"
#include "thread.h"
#include "signal.h"
#include "seccomp.h"
#include "seccomp_bpf.h"
#include "signal_arch.h"
#include "uaccess.h"
#include "mm.h"
#include "errno.h"
#include <string.h>

#define SECCOMP_SET_MODE_STRICT  0
#define SECCOMP_SET_MODE_FILTER  1
#define SECCOMP_GET_ACTION_AVAIL 2
#define SECCOMP_GET_NOTIF_SIZES  3

#define FLAG_TSYNC              (1u << 0)
#define FLAG_LOG                (1u << 1)
#define FLAG_SPEC_ALLOW         (1u << 2)
#define FLAG_NEW_LISTENER       (1u << 3)
#define FLAG_TSYNC_ESRCH        (1u << 4)
#define FLAG_WAIT_KILLABLE_RECV (1u << 5)
#define FLAGS_KNOWN (FLAG_TSYNC | FLAG_LOG | FLAG_SPEC_ALLOW | FLAG_NEW_LISTENER | FLAG_TSYNC_ESRCH | \
                     FLAG_WAIT_KILLABLE_RECV)

#define RET_KILL_PROCESS 0x80000000u
#define RET_KILL_THREAD  0x00000000u
#define RET_TRAP         0x00030000u
#define RET_ERRNO        0x00050000u
#define RET_USER_NOTIF   0x7fc00000u
#define RET_TRACE        0x7ff00000u
#define RET_LOG          0x7ffc0000u
#define RET_ALLOW        0x7fff0000u
#define RET_ACTION_FULL  0xffff0000u
#define RET_DATA         0x0000ffffu

#define SYS_SECCOMP 1                  /* si_code of seccomp's SIGSYS */
#define MAX_ERRNO 4095
/* Linux's MAX_INSNS_PER_PATH: the instructions of a chain, each filter counted 4 more. */
#define MAX_INSNS_PER_PATH ((1 << 18) / sizeof(struct sock_filter))

struct seccomp_filter {
    int refs;                          /* threads on this chain, and the newer filters on it */
    bool log;                          /* SECCOMP_FILTER_FLAG_LOG */
    struct seccomp_filter *prev;       /* the older filters */
    unsigned int len;
    struct sock_filter prog[];
};

struct sock_fprog {
    uint16_t len;
    uint16_t pad[3];
    uint64_t filter;
};

static void put(struct seccomp_filter *f)
{
    while (f && --f->refs == 0) {
        struct seccomp_filter *prev = f->prev;
        kfree(f);
        f = prev;
    }
}

void seccomp_inherit(struct thread *child, const struct thread *creator)
{
    child->seccomp_mode = creator->seccomp_mode;
    child->seccomp = creator->seccomp;
    if (child->seccomp)
        child->seccomp->refs++;
}

void seccomp_release(struct thread *t)
{
    put(t->seccomp);
    t->seccomp = NULL;
}

int seccomp_filter_count(const struct thread *t)
{
    int n = 0;
    for (const struct seccomp_filter *f = t->seccomp; f; f = f->prev)
        n++;
    return n;
}

/* Linux's ACTION_ONLY: actions compare as signed, so KILL_PROCESS is the most restrictive. */
static int32_t action_only(uint32_t ret) { return (int32_t)(ret & RET_ACTION_FULL); }

static uint32_t run_filters(const struct thread *t, const struct seccomp_data *data, bool *log)
{
    uint32_t ret = RET_ALLOW;
    *log = false;
    for (const struct seccomp_filter *f = t->seccomp; f; f = f->prev) {
        uint32_t cur = seccomp_bpf_run(f->prog, data);
        if (action_only(cur) < action_only(ret)) {
            ret = cur;
            *log = f->log;
        }
    }
    return ret;
}

/* Linux's seccomp kills: the process, or the thread alone when others live (do_exit). */
static __attribute__((noreturn)) void die(int sig, bool whole_process, uint32_t nr)
{
    kinfo("seccomp: system call %u killed %s %d (signal %d)\n", nr, whole_process ? "process" : "thread",
          current_thread()->tid, sig);
    if (whole_process || current_process()->live_threads == 1)
        process_die(sig);
    thread_exit(0);
}

static bool strict_allows(uint32_t nr)
{
    return nr == 63 || nr == 64 || nr == 93 || nr == 139;   /* read, write, exit, rt_sigreturn */
}

bool seccomp_syscall_allowed(struct trap_frame *f, uint32_t nr, const uint64_t args[6], uint64_t pc)
{
    struct thread *t = current_thread();
    if (t->seccomp_mode == SECCOMP_MODE_STRICT) {
        if (strict_allows(nr))
            return true;
        die(SIGKILL, false, nr);
    }
    struct seccomp_data data = { .nr = (int32_t)nr, .arch = AUDIT_ARCH_CURRENT, .instruction_pointer = pc };
    memcpy(data.args, args, sizeof(data.args));
    bool log;
    uint32_t ret = run_filters(t, &data, &log);
    uint32_t action = ret & RET_ACTION_FULL, value = ret & RET_DATA;
    /* Linux logs RET_LOG always, and the other actions but ALLOW of a filter with FLAG_LOG. */
    if (action == RET_LOG || (log && action != RET_ALLOW))
        kinfo("seccomp: system call %u of thread %d: action %#x\n", nr, t->tid, action);
    switch (action) {
    case RET_ALLOW:
    case RET_LOG:
        return true;
    case RET_ERRNO:
        arch_set_syscall_result(f, -(int64_t)(value > MAX_ERRNO ? MAX_ERRNO : value));
        return false;
    case RET_TRACE:                    /* no tracer: the call is skipped with ENOSYS */
    case RET_USER_NOTIF:               /* no listener: the same */
        arch_set_syscall_result(f, -ENOSYS);
        return false;
    case RET_TRAP: {
        /* The registers stay as the call found them (x0 is the first argument again, Linux's
         * syscall_rollback) and SIGSYS is forced: a handler that is blocked, ignored or
         * missing means death by SIGSYS. */
        struct ksiginfo info = { .signo = SIGSYS, .code = SYS_SECCOMP, .addr = pc, .errno_value = (int)value,
                                 .syscall = (int)nr, .arch = AUDIT_ARCH_CURRENT };
        signal_fault(f, &info, "bad system call");
        return false;
    }
    case RET_KILL_THREAD:
        die(SIGSYS, false, nr);
    default:                           /* KILL_PROCESS, and any action Linux does not know */
        die(SIGSYS, true, nr);
    }
}

static bool may_assign(const struct thread *t, int mode)
{
    return t->seccomp_mode == SECCOMP_MODE_DISABLED || t->seccomp_mode == mode;
}

static int set_strict(void)
{
    struct thread *t = current_thread();
    if (!may_assign(t, SECCOMP_MODE_STRICT))
        return -EINVAL;
    t->seccomp_mode = SECCOMP_MODE_STRICT;
    return 0;
}

/* Linux's is_ancestor: is `older` on `chain` (NULL is on every chain)? */
static bool on_chain(const struct seccomp_filter *older, const struct seccomp_filter *chain)
{
    if (!older)
        return true;
    for (; chain; chain = chain->prev)
        if (chain == older)
            return true;
    return false;
}

/* seccomp_prepare_user_filter: the struct sock_fprog, then the program, checked. */
static int prepare(uint64_t ufprog, struct seccomp_filter **out)
{
    struct sock_fprog fprog;
    if (copy_from_user(&fprog, ufprog, sizeof(fprog)))
        return -EFAULT;
    if (fprog.len == 0 || fprog.len > BPF_MAXINSNS)
        return -EINVAL;
    struct process *p = current_process();
    if (!p->no_new_privs && !process_capable(p, CAP_SYS_ADMIN))
        return -EACCES;
    struct seccomp_filter *f = kzalloc(sizeof(*f) + fprog.len * sizeof(struct sock_filter));
    if (!f)
        return -ENOMEM;
    f->len = fprog.len;
    f->refs = 1;
    if (copy_from_user(f->prog, fprog.filter, fprog.len * sizeof(struct sock_filter))) {
        kfree(f);
        return -EFAULT;
    }
    int err = seccomp_bpf_check(f->prog, f->len);
    if (err) {
        kfree(f);
        return err;
    }
    *out = f;
    return 0;
}

static int64_t set_filter(uint32_t flags, uint64_t ufprog)
{
    if (flags & ~FLAGS_KNOWN)
        return -EINVAL;
    if ((flags & FLAG_TSYNC) && (flags & FLAG_NEW_LISTENER) && !(flags & FLAG_TSYNC_ESRCH))
        return -EINVAL;
    if ((flags & FLAG_WAIT_KILLABLE_RECV) && !(flags & FLAG_NEW_LISTENER))
        return -EINVAL;
    struct seccomp_filter *f;
    int err = prepare(ufprog, &f);
    if (err)
        return err;
    if (flags & FLAG_NEW_LISTENER) {
        static bool said;
        if (!said)
            kinfo("seccomp: SECCOMP_FILTER_FLAG_NEW_LISTENER is not supported, returning EINVAL\n");
        said = true;
        kfree(f);
        return -EINVAL;
    }
    struct thread *me = current_thread();
    if (!may_assign(me, SECCOMP_MODE_FILTER)) {
        kfree(f);
        return -EINVAL;
    }
    size_t total = f->len;
    for (const struct seccomp_filter *w = me->seccomp; w; w = w->prev)
        total += w->len + 4;
    if (total > MAX_INSNS_PER_PATH) {
        kfree(f);
        return -ENOMEM;
    }
    if (flags & FLAG_TSYNC) {          /* every other thread must be on (a part of) our chain */
        struct thread *t = me;
        do {
            if (t != me && t->state != THREAD_DEAD &&
                (t->seccomp_mode == SECCOMP_MODE_STRICT || !on_chain(t->seccomp, me->seccomp))) {
                kfree(f);
                return (flags & FLAG_TSYNC_ESRCH) ? -ESRCH : t->tid;
            }
            t = t->next ? t->next : me->proc->threads;
        } while (t != me);
    }
    f->log = flags & FLAG_LOG;
    f->prev = me->seccomp;             /* our reference to the old chain moves to f */
    me->seccomp = f;
    me->seccomp_mode = SECCOMP_MODE_FILTER;
    if (flags & FLAG_TSYNC) {
        for (struct thread *t = me->proc->threads; t; t = t->next) {
            if (t == me || t->state == THREAD_DEAD)
                continue;
            put(t->seccomp);
            t->seccomp = f;
            f->refs++;
            t->seccomp_mode = SECCOMP_MODE_FILTER;
        }
    }
    return 0;
}

static int64_t action_avail(uint64_t uaction)
{
    uint32_t action;
    if (copy_from_user(&action, uaction, sizeof(action)))
        return -EFAULT;
    switch (action) {
    case RET_KILL_PROCESS: case RET_KILL_THREAD: case RET_TRAP: case RET_ERRNO:
    case RET_USER_NOTIF: case RET_TRACE: case RET_LOG: case RET_ALLOW:
        return 0;
    default:
        return -EOPNOTSUPP;
    }
}

/* struct seccomp_notif_sizes: the sizes of Linux 6.1's notification structs. */
static int64_t notif_sizes(uint64_t usizes)
{
    const uint16_t sizes[3] = { 80, 24, sizeof(struct seccomp_data) };
    return copy_to_user(usizes, sizes, sizeof(sizes)) ? -EFAULT : 0;
}

static int64_t do_seccomp(uint64_t op, uint64_t flags, uint64_t uargs)
{
    switch (op) {
    case SECCOMP_SET_MODE_STRICT:
        return flags || uargs ? -EINVAL : set_strict();
    case SECCOMP_SET_MODE_FILTER:
        return set_filter((uint32_t)flags, uargs);
    case SECCOMP_GET_ACTION_AVAIL:
        return flags ? -EINVAL : action_avail(uargs);
    case SECCOMP_GET_NOTIF_SIZES:
        return flags ? -EINVAL : notif_sizes(uargs);
    default:
        return -EINVAL;
    }
}

SYSCALL(seccomp)
{
    return do_seccomp((uint32_t)a0, (uint32_t)a1, a2);
}

int64_t seccomp_prctl_set(uint64_t mode, uint64_t filter)
{
    if (mode == SECCOMP_MODE_STRICT)
        return do_seccomp(SECCOMP_SET_MODE_STRICT, 0, 0);
    if (mode == SECCOMP_MODE_FILTER)
        return do_seccomp(SECCOMP_SET_MODE_FILTER, 0, filter);
    return -EINVAL;
}
