/* POSIX per-process timers (timer_create and friends, proc/posix_timer.c). */
#pragma once
#include <stdint.h>

struct process;
struct ksiginfo;

/* A timer's signal (SI_TIMER) is being delivered or read: its si_overrun is filled in (the
 * periods that passed meanwhile), timer_getoverrun's figure updated, the next period armed. */
void posix_timer_delivered(struct process *p, struct ksiginfo *info);
/* CLOCK_REALTIME was set, moving its offset from the monotonic clock by shift_ns: absolute
 * realtime timers keep their wall-clock deadline (Linux's clock_was_set). */
void posix_timer_clock_was_set(int64_t shift_ns);
/* execve and exit delete every timer of the process, as Linux's exit_itimers. */
void posix_timers_delete_all(struct process *p);
