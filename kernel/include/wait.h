/* Waiting for something to happen. A file keeps a wait queue; whoever changes its state calls
 * wake_up with the poll events that changed, and each waiter's callback decides what that means
 * (a sleeping call sets its flag, an epoll instance queues the file as ready). A blocking call
 * sleeps in wait_until alone. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

#define WAIT_FOREVER UINT64_MAX
/* Passed to the callbacks when the file itself goes away: every waiter must let go. */
#define WAKE_RELEASE 0x80000000u

struct waiter;
typedef void (*wake_fn)(struct waiter *w, uint32_t events);

struct waiter {
    struct waiter *next, *prev;
    wake_fn wake;             /* NULL: just set `woken` */
    void *priv;
    bool woken;
};

struct wait_queue {
    struct waiter *head;
};

void waiter_init(struct waiter *w, wake_fn wake, void *priv);
void wait_queue_add(struct wait_queue *q, struct waiter *w);
void wait_queue_remove(struct wait_queue *q, struct waiter *w);
/* Tell every waiter on q that `events` happened. Safe from interrupt handlers. */
void wake_up(struct wait_queue *q, uint32_t events);

/* Sleep until done(arg) is true or the counter passes deadline_ns (WAIT_FOREVER: never).
 * Returns 0, -ETIMEDOUT, or -EINTR for a signal the thread must act on. Other threads run (or
 * the CPU idles in WFI) meanwhile; done(arg) may be evaluated from another thread's context, so
 * it must depend only on arg and shared kernel state. */
int wait_until(bool (*done)(void *arg), void *arg, uint64_t deadline_ns);
/* wait_until for a condition that only a wake makes true: whoever makes it true calls
 * sched_wake(thread) (futex_wake does), and signals and the deadline wake it too. The scheduler
 * does not look at the thread otherwise, so any number of such waiters costs nothing. */
int wait_until_woken(bool (*done)(void *arg), void *arg, uint64_t deadline_ns);
/* A function to run on every pass of every wait (the network stack's poll), at most 4. */
void wait_add_poll_hook(void (*fn)(void));
/* Run them now: a call about to look at readiness first lets pending work land (loopback
 * traffic is then as immediate as on Linux). */
void wait_run_poll_hooks(void);

/* Nanoseconds since boot, and a relative timeout turned into a deadline. */
uint64_t wait_now_ns(void);
uint64_t wait_deadline_after(uint64_t ns);
/* A deadline on CLOCK_REALTIME (an absolute futex, clock_nanosleep or mq_timed* timeout), for
 * any wait_until*: it follows clock_settime as Linux's realtime hrtimers do (clock_was_set),
 * where a monotonic deadline stays put. Encoded as the wall time with WAIT_WALL_DEADLINE set
 * (wall times from 2116 on are WAIT_FOREVER); only wait_until* reads it. */
#define WAIT_WALL_DEADLINE (1ULL << 62)
uint64_t wait_deadline_wall(uint64_t wall_ns);
/* CLOCK_REALTIME was set: every wait on a wall deadline takes its new monotonic time. */
void wait_clock_was_set(void);
