/* A thread's scheduling attributes as Linux keeps them per task: policy, real-time priority,
 * nice value and the reset-on-fork flag. They are recorded and reported exactly as Linux does;
 * the scheduler itself runs every thread round robin (docs/kernel.md "Threads"), so they do
 * not change who runs next. A zeroed struct is SCHED_OTHER, nice 0. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define SCHED_OTHER    0
#define SCHED_FIFO     1
#define SCHED_RR       2
#define SCHED_BATCH    3
#define SCHED_IDLE     5
#define SCHED_DEADLINE 6
#define SCHED_RESET_ON_FORK 0x40000000

#define NICE_MIN (-20)
#define NICE_MAX 19
#define RT_PRIO_MAX 99

struct thread_sched {
    int policy;          /* SCHED_* (never with the RESET_ON_FORK bit) */
    int rt_priority;     /* 1..99 for FIFO/RR, 0 otherwise */
    int nice;            /* NICE_MIN..NICE_MAX; kept across a switch to a real-time policy */
    bool reset_on_fork;
};

struct thread;
/* What a new thread or process starts with: its creator's, unless reset-on-fork says
 * SCHED_OTHER and a nice value no lower than 0 (Linux's sched_fork). */
void sched_attr_inherit(struct thread *child, const struct thread *parent);
/* /proc/<pid>/stat's priority field: 20 + nice, or -1 - rt_priority for a real-time policy. */
int sched_attr_proc_priority(const struct thread_sched *s);
