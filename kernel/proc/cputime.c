/* CPU time accounting (cputime.h). A thread's time is charged to the mode it leaves at each
 * transition: user -> kernel at a trap from EL0, kernel -> user at the return, and the whole
 * on-CPU period ends at a switch away or a sleep in place. Invariant: a thread with mode != OFF
 * is on a CPU and its time since `stamp` belongs to `mode`; with OFF its totals are complete. */
#include "kernel.h"
#include "cputime.h"
#include "thread.h"
#include "process.h"
#include "cpu.h"
#include "timer.h"
#include "linux_uapi.h"

static void charge(struct thread_cputime *c, uint64_t now, enum cputime_mode next)
{
    uint64_t spent = now > c->stamp ? now - c->stamp : 0;
    if (c->mode == CPUTIME_USER)
        c->user += spent;
    else if (c->mode == CPUTIME_SYSTEM)
        c->system += spent;
    c->stamp = now;
    c->mode = next;
}

/* charge() for the thread on this CPU: its user time also counts in the CPU's (/proc/stat). */
static void charge_here(struct thread_cputime *c, uint64_t now, enum cputime_mode next)
{
    if (c->mode == CPUTIME_USER && now > c->stamp)
        this_cpu()->user_counts += now - c->stamp;
    charge(c, now, next);
}

void cputime_enter_kernel(uint64_t now)
{
    struct thread *t = current_thread();
    if (t)
        charge_here(&t->cputime, now, CPUTIME_SYSTEM);
}

void cputime_leave_kernel(void)
{
    struct thread *t = current_thread();
    if (t)
        charge_here(&t->cputime, counter_now(), CPUTIME_USER);
}

void cputime_switch(struct thread *prev, struct thread *next)
{
    uint64_t now = counter_now();
    this_cpu()->switches++;
    if (prev)
        charge_here(&prev->cputime, now, CPUTIME_OFF);
    if (next)
        charge_here(&next->cputime, now, CPUTIME_SYSTEM);
}

void cputime_pause(void)
{
    struct thread *t = current_thread();
    if (t)
        charge_here(&t->cputime, counter_now(), CPUTIME_OFF);
}

void cputime_resume(void)
{
    struct thread *t = current_thread();
    if (t)
        charge_here(&t->cputime, counter_now(), CPUTIME_SYSTEM);
}

static struct cputime to_ns(uint64_t user, uint64_t system)
{
    return (struct cputime){ counter_to_ns(user), counter_to_ns(system) };
}

static struct cputime_sum thread_sum(const struct thread *t)
{
    struct thread_cputime c = t->cputime;
    charge(&c, counter_now(), CPUTIME_OFF);   /* on a copy: the in-flight part, not folded in */
    return (struct cputime_sum){ c.user, c.system };
}

struct cputime thread_cpu_times(const struct thread *t)
{
    struct cputime_sum s = thread_sum(t);
    return to_ns(s.user, s.system);
}

static struct cputime_sum process_sum(const struct process *p)
{
    struct cputime_sum s = p->exited_threads_cputime;
    for (const struct thread *t = p->threads; t; t = t->next) {
        struct cputime_sum ts = thread_sum(t);
        s.user += ts.user;
        s.system += ts.system;
    }
    return s;
}

struct cputime process_cpu_times(const struct process *p)
{
    struct cputime_sum s = process_sum(p);
    return to_ns(s.user, s.system);
}

struct cputime process_children_cpu_times(const struct process *p)
{
    return p->children_cputime;
}

void cputime_thread_gone(struct process *p, const struct thread *t)
{
    struct cputime_sum ts = thread_sum(t);
    p->exited_threads_cputime.user += ts.user;
    p->exited_threads_cputime.system += ts.system;
}

struct cputime process_waited_cpu_times(const struct process *child)
{
    struct cputime own = process_cpu_times(child);
    return (struct cputime){ own.user_ns + child->children_cputime.user_ns,
                             own.system_ns + child->children_cputime.system_ns };
}

void cputime_child_reaped(struct process *parent, struct cputime used)
{
    parent->children_cputime.user_ns += used.user_ns;
    parent->children_cputime.system_ns += used.system_ns;
}

void cputime_to_rusage(struct cputime t, struct linux_rusage *ru)
{
    uint64_t uus = t.user_ns / 1000, sus = t.system_ns / 1000;
    ru->utime_sec = (int64_t)(uus / 1000000);
    ru->utime_usec = (int64_t)(uus % 1000000);
    ru->stime_sec = (int64_t)(sus / 1000000);
    ru->stime_usec = (int64_t)(sus % 1000000);
}
