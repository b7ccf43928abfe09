/* membarrier (kernel/sched/membarrier.c): a memory barrier on every CPU that runs the caller's
 * threads (PRIVATE_EXPEDITED, after the process registered for it) or any program's
 * (GLOBAL_EXPEDITED), by IPI: each target CPU's interrupt entry executes a full barrier before
 * it counts the IPI (irq.c), and the caller waits until every target has counted one or left
 * the threads concerned. GLOBAL (the old SHARED) is a full barrier on every CPU the same way:
 * there is no RCU grace period to wait for. The registrations are per process, as on Linux;
 * SYNC_CORE adds nothing: an exception return is context-synchronizing on arm64. The RSEQ
 * command also counts as a preemption for the caller's threads running elsewhere (or, with
 * MEMBARRIER_CMD_FLAG_CPU, on the CPU named, the caller's own included): a restartable
 * sequence they are in aborts on their way back to user space (rseq.c). */
#include "kernel.h"
#include "syscall.h"
#include "process.h"
#include "thread.h"
#include "rseq.h"
#include "cpu.h"
#include "smp.h"
#include "wait.h"
#include "errno.h"

#define CMD_QUERY                          0
#define CMD_GLOBAL                         (1 << 0)
#define CMD_GLOBAL_EXPEDITED               (1 << 1)
#define CMD_REGISTER_GLOBAL_EXPEDITED      (1 << 2)
#define CMD_PRIVATE_EXPEDITED              (1 << 3)
#define CMD_REGISTER_PRIVATE_EXPEDITED     (1 << 4)
#define CMD_PRIVATE_EXPEDITED_SYNC_CORE    (1 << 5)
#define CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE (1 << 6)
#define CMD_PRIVATE_EXPEDITED_RSEQ         (1 << 7)
#define CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ (1 << 8)
#define CMD_FLAG_CPU                       (1 << 0)

/* Linux 6.1's set (with CONFIG_RSEQ): what QUERY answers. */
#define SUPPORTED (CMD_GLOBAL | CMD_GLOBAL_EXPEDITED | CMD_REGISTER_GLOBAL_EXPEDITED | \
                   CMD_PRIVATE_EXPEDITED | CMD_REGISTER_PRIVATE_EXPEDITED |            \
                   CMD_PRIVATE_EXPEDITED_SYNC_CORE | CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE | \
                   CMD_PRIVATE_EXPEDITED_RSEQ | CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ)

struct barrier_wait {
    uint64_t targets;                  /* CPUs still to pass a barrier */
    uint64_t ipis[MAX_CPUS];           /* their IPI counts when the IPI was sent */
    struct process *only;              /* NULL: any program's threads */
};

static bool runs_concerned(const struct barrier_wait *w, int cpu)
{
    struct thread *t = __atomic_load_n(&cpus[cpu].current, __ATOMIC_ACQUIRE);
    return t && (!w->only || t->proc == w->only);
}

static bool barrier_done(void *arg)
{
    struct barrier_wait *w = arg;
    for (int i = 0; i < MAX_CPUS; i++)
        if ((w->targets & (1ULL << i)) &&
            (__atomic_load_n(&cpus[i].ipis, __ATOMIC_ACQUIRE) != w->ipis[i] || !runs_concerned(w, i)))
            w->targets &= ~(1ULL << i);
    return w->targets == 0;
}

/* cpus: the CPUs to look at (-1: all); rseq: the threads found there count as preempted. */
static int64_t barrier_on_cpus(struct process *only, uint64_t cpus_asked, bool rseq)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);   /* the caller's own barrier */
    struct barrier_wait w = { .only = only };
    int me = this_cpu()->id;
    for (int i = 0; i < MAX_CPUS; i++)
        if (i != me && (cpus_asked & (1ULL << i)) && (cpus_online_mask & (1ULL << i)) && runs_concerned(&w, i)) {
            w.targets |= 1ULL << i;
            w.ipis[i] = __atomic_load_n(&cpus[i].ipis, __ATOMIC_ACQUIRE);
            if (rseq)                  /* ipi_rseq: rseq_preempt on the thread it interrupts */
                rseq_switched_out(cpus[i].current);
        }
    if (!w.targets)
        return 0;
    smp_send_reschedule(w.targets);
    /* Not interruptible on Linux either: the IPIs are answered within an interrupt latency.
     * Nothing wakes this thread when a target counts its IPI (an idle secondary CPU sleeping
     * in place has no tick), so it looks again every 20 us. */
    while (!barrier_done(&w))
        wait_until(barrier_done, &w, wait_deadline_after(20000));
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return 0;
}

SYSCALL(membarrier)
{
    int cmd = (int)a0;
    unsigned flags = (unsigned)a1;
    struct process *p = current_process();
    if (cmd == CMD_PRIVATE_EXPEDITED_RSEQ ? flags && flags != CMD_FLAG_CPU : flags != 0)
        return -EINVAL;
    switch (cmd) {
    case CMD_QUERY:
        return SUPPORTED;
    case CMD_GLOBAL:
        return barrier_on_cpus(NULL, ~0ULL, false);
    case CMD_GLOBAL_EXPEDITED:
        return barrier_on_cpus(NULL, ~0ULL, false);   /* every process counts as registered: a superset */
    case CMD_REGISTER_GLOBAL_EXPEDITED:
        p->membarrier |= CMD_REGISTER_GLOBAL_EXPEDITED;
        return 0;
    case CMD_PRIVATE_EXPEDITED:
        if (!(p->membarrier & CMD_REGISTER_PRIVATE_EXPEDITED))
            return -EPERM;
        return barrier_on_cpus(p, ~0ULL, false);
    case CMD_PRIVATE_EXPEDITED_SYNC_CORE:
        if (!(p->membarrier & CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE))
            return -EPERM;
        return barrier_on_cpus(p, ~0ULL, false);
    case CMD_PRIVATE_EXPEDITED_RSEQ: {
        if (!(p->membarrier & CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ))
            return -EPERM;
        if (!(flags & CMD_FLAG_CPU))
            return barrier_on_cpus(p, ~0ULL, true);
        int cpu = (int)a2;
        if (cpu < 0 || cpu >= MAX_CPUS || !(cpus_online_mask & (1ULL << cpu)))
            return 0;
        if (cpu == this_cpu()->id) {   /* smp_call_function_single runs it here: on the caller */
            rseq_switched_out(current_thread());
            return 0;
        }
        return barrier_on_cpus(p, 1ULL << cpu, true);
    }
    case CMD_REGISTER_PRIVATE_EXPEDITED:
    case CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE:
    case CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ:
        p->membarrier |= cmd;
        return 0;
    default:
        return -EINVAL;
    }
}
