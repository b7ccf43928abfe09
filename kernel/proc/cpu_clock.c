/* CPU-time clocks (cputime.h), decoded as Linux's posix-cpu-timers decodes them: a negative id
 * carries ~pid in its upper bits (pid 0: the caller), bit 2 for a thread's clock, and in its low
 * two bits which time it counts (PROF: user + system, VIRT: user, SCHED: user + system, exact). */
#include "kernel.h"
#include "cputime.h"
#include "thread.h"
#include "process.h"
#include "errno.h"
#include "timer.h"
#include "linux_uapi.h"

#define CPUCLOCK_PROF      0
#define CPUCLOCK_VIRT      1
#define CPUCLOCK_SCHED     2
#define CPUCLOCK_WHICH(id) ((id) & 3)
#define CPUCLOCK_PERTHREAD_MASK 4
#define CPUCLOCK_PID(id)   ((int)~((id) >> 3))

bool cpu_clock_id(int64_t id)
{
    return id < 0 || id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID;
}

struct cpu_clock { int pid; bool thread; int which; };

static struct cpu_clock decode(int64_t id)
{
    if (id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID)
        return (struct cpu_clock){ 0, id == CLOCK_THREAD_CPUTIME_ID, CPUCLOCK_SCHED };
    return (struct cpu_clock){ CPUCLOCK_PID(id), (id & CPUCLOCK_PERTHREAD_MASK) != 0, (int)CPUCLOCK_WHICH(id) };
}

/* The clock's times, as Linux's lookup_task allows them: a thread's clock only for the caller's
 * own threads, a process's for any process named by its pid (or by the caller's own tid). */
static int clock_times(struct cpu_clock k, struct cputime *out)
{
    if (k.which > CPUCLOCK_SCHED)
        return -EINVAL;
    struct thread *me = current_thread();
    if (k.thread) {
        struct thread *t = k.pid ? thread_find(k.pid) : me;
        if (!t || t->proc != me->proc || t->state == THREAD_DEAD)
            return -EINVAL;
        *out = thread_cpu_times(t);
        return 0;
    }
    struct process *p = k.pid ? process_find(k.pid) : me->proc;
    if (!p && k.pid == me->tid)
        p = me->proc;
    if (!p)
        return -EINVAL;
    *out = process_cpu_times(p);
    return 0;
}

int cpu_clock_read(int64_t id, uint64_t *ns)
{
    struct cpu_clock k = decode(id);
    struct cputime t;
    int err = clock_times(k, &t);
    if (err)
        return err;
    *ns = k.which == CPUCLOCK_VIRT ? t.user_ns : t.user_ns + t.system_ns;
    return 0;
}

/* Linux: 1 ns for the SCHED clocks (the two named ones among them), one tick (its HZ) for PROF
 * and VIRT; ours are all exact to the counter, but the reported figure is Linux's. */
int cpu_clock_res(int64_t id, uint64_t *ns)
{
    struct cpu_clock k = decode(id);
    struct cputime t;
    int err = clock_times(k, &t);
    if (err)
        return err;
    *ns = k.which == CPUCLOCK_SCHED ? 1 : (NSEC_PER_SEC + TICK_HZ - 1) / TICK_HZ;
    return 0;
}

int cpu_clock_resolve(int64_t id, struct cpu_clock_ref *out)
{
    struct cpu_clock k = decode(id);
    struct cputime t;
    int err = clock_times(k, &t);
    if (err)
        return err;
    struct thread *me = current_thread();
    if (k.thread) {
        *out = (struct cpu_clock_ref){ me->proc->pid, k.pid ? k.pid : me->tid, k.which };
    } else {
        struct process *p = k.pid ? process_find(k.pid) : me->proc;
        *out = (struct cpu_clock_ref){ p ? p->pid : me->proc->pid, 0, k.which };
    }
    return 0;
}

bool cpu_clock_ref_read(const struct cpu_clock_ref *r, uint64_t *ns)
{
    struct process *p = process_find(r->pid);
    if (!p || p->state != PROCESS_LIVE)
        return false;
    struct cputime t;
    if (r->tid) {
        struct thread *th = thread_find(r->tid);
        if (!th || th->proc != p || th->state == THREAD_DEAD)
            return false;
        t = thread_cpu_times(th);
    } else {
        t = process_cpu_times(p);
    }
    *ns = r->which == CPUCLOCK_VIRT ? t.user_ns : t.user_ns + t.system_ns;
    return true;
}
