/* rseq(2) and its return-to-user work, as Linux 6.1's kernel/rseq.c: registration checks in
 * its order, the ip fixup of a critical section (rseq_cs validated as rseq_get_rseq_cs does:
 * in user space, version 0, abort_ip outside the section, the signature word before abort_ip
 * equal to the registered one), then cpu_id_start and cpu_id written. Any fault or invalid
 * rseq_cs is SIGSEGV, as Linux's force_sigsegv. */
#include "kernel.h"
#include "linux_uapi.h"
#include "syscall.h"
#include "thread.h"
#include "process.h"
#include "rseq.h"
#include "signal.h"
#include "signal_arch.h"
#include "uaccess.h"
#include "cpu.h"
#include "mm.h"
#include "errno.h"
#include <string.h>

/* struct rseq as Linux 6.1 has it: 32 bytes, 32-byte aligned. */
#define RSEQ_SIZE      32
#define RSEQ_ALIGN     32
#define OFF_CPU_ID_START 0
#define OFF_CPU_ID       4
#define OFF_RSEQ_CS      8
#define OFF_FLAGS        16
#define RSEQ_CPU_ID_UNINITIALIZED (-1)
#define RSEQ_FLAG_UNREGISTER 1

struct rseq_cs {
    uint32_t version, flags;
    uint64_t start_ip, post_commit_offset, abort_ip;
};

void rseq_switched_out(struct thread *t)
{
    if (t->rseq.area)
        t->rseq.event = t->rseq.notify = true;
}

void rseq_fork(struct thread *child, const struct thread *parent, bool same_vm)
{
    child->rseq = same_vm ? (struct thread_rseq){ 0 } : parent->rseq;
    if (child->rseq.area)
        child->rseq.notify = true;     /* its CPU may not be the parent's (rseq_migrate) */
}

void rseq_exec(struct thread *t) { t->rseq = (struct thread_rseq){ 0 }; }

static int put_u32(uint64_t uaddr, uint32_t v) { return copy_to_user(uaddr, &v, sizeof(v)); }

/* rseq_get_rseq_cs: the descriptor rseq_cs points at (zeros when it is 0), checked. */
static int get_cs(struct thread *t, struct rseq_cs *cs)
{
    uint64_t ptr;
    memset(cs, 0, sizeof(*cs));
    if (copy_from_user(&ptr, t->rseq.area + OFF_RSEQ_CS, sizeof(ptr)))
        return -EFAULT;
    if (!ptr)
        return 0;
    if (ptr >= USER_VA_END)
        return -EINVAL;
    if (copy_from_user(cs, ptr, sizeof(*cs)))
        return -EFAULT;
    if (cs->start_ip >= USER_VA_END || cs->start_ip + cs->post_commit_offset >= USER_VA_END ||
        cs->abort_ip >= USER_VA_END || cs->version > 0)
        return -EINVAL;
    if (cs->start_ip + cs->post_commit_offset < cs->start_ip)
        return -EINVAL;
    if (cs->abort_ip - cs->start_ip < cs->post_commit_offset)
        return -EINVAL;                /* abort_ip inside the section */
    uint32_t sig;
    if (copy_from_user(&sig, cs->abort_ip - sizeof(sig), sizeof(sig)))
        return -EFAULT;
    return sig == t->rseq.sig ? 0 : -EINVAL;
}

/* rseq_ip_fixup: outside a section rseq_cs is cleared; inside one with an event pending, it is
 * cleared and the thread goes to abort_ip. Flags (the deprecated NO_RESTART ones or unknown)
 * in either structure are an error. */
static int ip_fixup(struct thread *t, struct trap_frame *f)
{
    struct rseq_cs cs;
    static const uint64_t zero;
    int err = get_cs(t, &cs);
    if (err)
        return err;
    uint64_t pc = arch_user_pc(f);
    if (!(pc - cs.start_ip < cs.post_commit_offset))
        return copy_to_user(t->rseq.area + OFF_RSEQ_CS, &zero, sizeof(zero)) ? -EFAULT : 0;
    uint32_t flags;
    if (cs.flags || copy_from_user(&flags, t->rseq.area + OFF_FLAGS, sizeof(flags)) || flags)
        return -EINVAL;
    bool event = t->rseq.event;
    t->rseq.event = false;
    if (!event)
        return 0;
    if (copy_to_user(t->rseq.area + OFF_RSEQ_CS, &zero, sizeof(zero)))
        return -EFAULT;
    arch_set_user_pc(f, cs.abort_ip);
    return 0;
}

/* __rseq_handle_notify_resume: the fixup, then the CPU this thread returns on. */
static int notify_resume(struct thread *t, struct trap_frame *f)
{
    t->rseq.notify = false;
    if (ip_fixup(t, f))
        return -1;
    uint32_t cpu = (uint32_t)this_cpu()->id;
    if (put_u32(t->rseq.area + OFF_CPU_ID_START, cpu) || put_u32(t->rseq.area + OFF_CPU_ID, cpu))
        return -1;
    return 0;
}

static void force_sigsegv(struct trap_frame *f)
{
    struct thread *t = current_thread();
    t->rseq.event = t->rseq.notify = false;   /* the handler's return must not fault again here */
    struct ksiginfo info = { .signo = SIGSEGV, .code = SI_KERNEL };
    signal_fault(f, &info, "segfault (rseq area or rseq_cs invalid)");
}

void rseq_return_to_user(struct trap_frame *f)
{
    struct thread *t = current_thread();
    if (t && t->rseq.area && t->rseq.notify && notify_resume(t, f))
        force_sigsegv(f);
}

int rseq_signal_deliver(struct trap_frame *f)
{
    struct thread *t = current_thread();
    if (!t->rseq.area)
        return 0;
    t->rseq.event = true;
    return notify_resume(t, f);
}

SYSCALL(rseq)
{
    uint64_t area = a0;
    uint32_t len = (uint32_t)a1, sig = (uint32_t)a3;
    int flags = (int)a2;
    struct thread *t = current_thread();
    if (flags & RSEQ_FLAG_UNREGISTER) {
        if (flags & ~RSEQ_FLAG_UNREGISTER)
            return -EINVAL;
        if (t->rseq.area != area || !t->rseq.area)
            return -EINVAL;
        if (len != t->rseq.len)
            return -EINVAL;
        if (t->rseq.sig != sig)
            return -EPERM;
        if (put_u32(area + OFF_CPU_ID_START, 0) || put_u32(area + OFF_CPU_ID, (uint32_t)RSEQ_CPU_ID_UNINITIALIZED))
            return -EFAULT;
        t->rseq = (struct thread_rseq){ 0 };
        return 0;
    }
    if (flags)
        return -EINVAL;
    if (t->rseq.area) {
        if (t->rseq.area != area || len != t->rseq.len)
            return -EINVAL;
        if (t->rseq.sig != sig)
            return -EPERM;
        return -EBUSY;
    }
    if ((area & (RSEQ_ALIGN - 1)) || len != RSEQ_SIZE)
        return -EINVAL;
    if (area >= USER_VA_END || USER_VA_END - area < len)
        return -EFAULT;
    t->rseq = (struct thread_rseq){ .area = area, .len = len, .sig = sig, .notify = true };
    return 0;
}
