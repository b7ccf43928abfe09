/* Interval timers (setitimer/getitimer, proc/itimer.c): each process has its own three, as on
 * Linux. A child starts with none (fork); execve keeps them. */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "timer.h"

struct process;

struct itimer {
    uint64_t deadline_ns;      /* on the timer's own clock; 0: disarmed */
    uint64_t interval_ns;
};

struct process_itimers {
    struct itimer t[3];        /* ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF */
    struct timer_event real_event;
};

/* The process ends: its real timer's event must not fire for it any more. */
void itimer_process_gone(struct process *p);
