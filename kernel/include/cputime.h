/* CPU time per thread, split into user and system time as Linux's getrusage, times and the CPU
 * clocks report it. Accounted from the architecture counter at the points where a thread changes
 * mode (kernel entry from user space, the return to it, a context switch, a sleep in place), so
 * it is exact to the counter rather than sampled at the tick (no tick hook is involved).
 * Every field is written under the kernel lock, by the CPU the thread runs on. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct thread;
struct process;

enum cputime_mode {
    CPUTIME_OFF,        /* not on a CPU, or asleep in place: nothing accrues */
    CPUTIME_SYSTEM,     /* running kernel code for it */
    CPUTIME_USER,       /* running its user code (on some CPU, without the lock) */
};

struct thread_cputime {
    uint64_t user, system;     /* counter ticks accrued in each mode, up to `stamp` */
    uint64_t stamp;            /* the counter when the current mode started */
    enum cputime_mode mode;
};

/* Totals in nanoseconds. */
struct cputime { uint64_t user_ns, system_ns; };

/* Counter ticks, for the sums a process keeps (exited threads, reaped children). */
struct cputime_sum { uint64_t user, system; };

/* The current thread trapped in from user space at counter `now` (read before the kernel lock
 * was taken, so a wait for the lock counts as system time, as Linux counts it). */
void cputime_enter_kernel(uint64_t now);
/* The current thread returns to user space now. */
void cputime_leave_kernel(void);
/* switch_to: prev (NULL: the idle loop) leaves this CPU and next (NULL: idle) takes it. */
void cputime_switch(struct thread *prev, struct thread *next);
/* The current thread sleeps in place (idle WFI on its stack) and wakes: no time accrues. */
void cputime_pause(void);
void cputime_resume(void);

/* What t has used, including the part of the current mode not yet folded in (t may be running
 * on another CPU). These are what /proc/<pid>/stat's utime/stime come from. */
struct cputime thread_cpu_times(const struct thread *t);
/* Every thread of p, live or exited (not its children). */
struct cputime process_cpu_times(const struct process *p);
/* p's reaped children (and theirs, as each was reaped), as RUSAGE_CHILDREN and times' cutime. */
struct cputime process_children_cpu_times(const struct process *p);
/* A thread of p is freed: its times stay in p's sum. */
void cputime_thread_gone(struct process *p, const struct thread *t);
/* What wait reports for a child: its own times and those of the children it reaped. */
struct cputime process_waited_cpu_times(const struct process *child);
/* The parent reaps a child whose wait reported `used` (one snapshot for both, so the rusage
 * wait gave equals what RUSAGE_CHILDREN gains). */
void cputime_child_reaped(struct process *parent, struct cputime used);

/* The CPU clocks of clock_gettime/clock_getres: CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
 * and Linux's encoded ids for a given process or thread ((~pid << 3) | per-thread bit | which:
 * what clock_getcpuclockid / pthread_getcpuclockid make). True when `id` names one. */
bool cpu_clock_id(int64_t id);
/* The clock's reading in ns, or -EINVAL (no such process, a thread of another process, a bad
 * `which`). */
int cpu_clock_read(int64_t id, uint64_t *ns);
/* Its resolution as Linux reports it, or -EINVAL as cpu_clock_read. */
int cpu_clock_res(int64_t id, uint64_t *ns);

struct linux_rusage;
/* ru's utime and stime from t (every other field untouched). */
void cputime_to_rusage(struct cputime t, struct linux_rusage *ru);

/* A CPU clock resolved once (timer_create, clock_nanosleep) and read later from any context:
 * the process by pid, the thread by tid (0: the process's clock), and which time it counts. */
struct cpu_clock_ref { int pid, tid, which; };
int cpu_clock_resolve(int64_t id, struct cpu_clock_ref *out);
/* Its time now; false once the process or thread is gone. */
bool cpu_clock_ref_read(const struct cpu_clock_ref *r, uint64_t *ns);
