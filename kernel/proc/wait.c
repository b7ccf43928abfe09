/* Wait queues and the one place a blocking call sleeps. A waiting thread hands the CPU to the
 * scheduler, which runs another thread or idles in WFI until an interrupt (the tick, a device)
 * may have changed what it waits for. Interrupts are masked while conditions are checked and
 * WFI still returns on a pending (masked) interrupt, so no wake-up is lost between the check and
 * the sleep. */
#include "kernel.h"
#include "idle.h"
#include "wait.h"
#include "timer.h"
#include "arch.h"
#include "errno.h"
#include "process.h"
#include "thread.h"
#include "sched.h"
#include "signal.h"
#include "kernel_lock.h"

#define MAX_POLL_HOOKS 4

static void (*poll_hooks[MAX_POLL_HOOKS])(void);

void waiter_init(struct waiter *w, wake_fn wake, void *priv)
{
    w->next = w->prev = NULL;
    w->wake = wake;
    w->priv = priv;
    w->woken = false;
}

void wait_queue_add(struct wait_queue *q, struct waiter *w)
{
    w->prev = NULL;
    w->next = q->head;
    if (q->head)
        q->head->prev = w;
    q->head = w;
}

void wait_queue_remove(struct wait_queue *q, struct waiter *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else if (q->head == w)
        q->head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    w->next = w->prev = NULL;
}

/* A callback may remove its own waiter (epoll does on WAKE_RELEASE), so the next one is taken
 * before calling it. */
void wake_up(struct wait_queue *q, uint32_t events)
{
    struct waiter *w = q->head, *next;
    for (; w; w = next) {
        next = w->next;
        w->woken = true;
        if (w->wake)
            w->wake(w, events);
    }
    sched_kick_idle();                 /* a thread an idle CPU could run may wait for this */
}

/* Registering the same hook twice keeps one: every pass would otherwise do its work twice. */
void wait_add_poll_hook(void (*fn)(void))
{
    for (int i = 0; i < MAX_POLL_HOOKS; i++)
        if (poll_hooks[i] == fn)
            return;
    for (int i = 0; i < MAX_POLL_HOOKS; i++)
        if (!poll_hooks[i]) {
            poll_hooks[i] = fn;
            return;
        }
    panic("wait: more than %d poll hooks", MAX_POLL_HOOKS);
}

void wait_run_poll_hooks(void)
{
    for (int i = 0; i < MAX_POLL_HOOKS && poll_hooks[i]; i++)
        poll_hooks[i]();
}

uint64_t wait_now_ns(void) { return counter_to_ns(counter_now()); }

uint64_t wait_deadline_after(uint64_t ns)
{
    uint64_t now = wait_now_ns();
    return ns >= WAIT_FOREVER - now ? WAIT_FOREVER : now + ns;
}

uint64_t wait_deadline_wall(uint64_t wall_ns)
{
    return wall_ns >= WAIT_WALL_DEADLINE ? WAIT_FOREVER : WAIT_WALL_DEADLINE | wall_ns;
}

static bool is_wall(uint64_t deadline) { return deadline != WAIT_FOREVER && (deadline & WAIT_WALL_DEADLINE); }

void wait_clock_was_set(void)
{
    for (struct process *p = process_first(); p; p = p->all_next)
        for (struct thread *t = p->threads; t; t = t->next)
            if (t->state == THREAD_WAITING && t->wait_wall) {
                t->wait_deadline_ns = time_wall_to_mono_ns(t->wait_wall_ns);
                sched_wake(t);         /* a parked wait re-arms its wake-up at the new time */
            }
}

/* Called with interrupts masked (as every syscall runs); returns with them masked. The poll
 * hooks run first on each pass so the network stack can deliver what the device received. A
 * signal that would run a handler or end the program ends the wait (-EINTR): the caller turns
 * that into EINTR or a restart as Linux does for that call. While the thread waits, the
 * scheduler runs other threads or idles the CPU, and checks the condition for it. */
static int wait_for(bool (*done)(void *arg), void *arg, uint64_t deadline_ns, bool passive)
{
    struct thread *t = current_thread();
    bool slept = false, wall = is_wall(deadline_ns);
    uint64_t wall_ns = deadline_ns & ~WAIT_WALL_DEADLINE;
    for (;;) {
        if (wall)
            deadline_ns = time_wall_to_mono_ns(wall_ns);
        wait_run_poll_hooks();
        if (done(arg))
            return 0;
        if (t && signal_interrupts_wait(t))
            return -EINTR;
        if (deadline_ns != WAIT_FOREVER && wait_now_ns() >= deadline_ns)
            return -ETIMEDOUT;
        if (!t) {                      /* before the first thread: just idle */
            if (deadline_ns != WAIT_FOREVER)
                timer_wake_at(ns_to_counter(deadline_ns));
            kernel_unlock();           /* other CPUs may use the kernel meanwhile */
            cpu_idle();
            arch_irq_enable();
            arch_irq_disable();
            kernel_lock();
            continue;
        }
        t->wait_done = done;
        t->wait_arg = arg;
        t->wait_deadline_ns = deadline_ns;
        t->wait_passive = passive;
        t->wait_wall = wall;
        t->wait_wall_ns = wall_ns;
        t->state = THREAD_WAITING;
        if (!slept)
            t->nvcsw++;
        slept = true;
        sched_wait();
        t->state = THREAD_RUNNABLE;
        timer_event_cancel(&t->wake_event);   /* a parked wait's deadline, when it ended early */
    }
}

int wait_until(bool (*done)(void *arg), void *arg, uint64_t deadline_ns)
{
    return wait_for(done, arg, deadline_ns, false);
}

int wait_until_woken(bool (*done)(void *arg), void *arg, uint64_t deadline_ns)
{
    return wait_for(done, arg, deadline_ns, true);
}
