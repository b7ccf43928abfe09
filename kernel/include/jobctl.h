/* Job control: stop signals (SIGSTOP, and SIGTSTP/SIGTTIN/SIGTTOU by default) stop every thread
 * of a process until SIGCONT, as Linux's group stop does; the parent learns of both through
 * wait (WUNTRACED/WSTOPPED, WCONTINUED) and SIGCHLD (CLD_STOPPED, CLD_CONTINUED, unless
 * SA_NOCLDSTOP). SIGKILL still ends a stopped process. */
#pragma once
#include <stdbool.h>

struct process;
struct thread;

bool jobctl_is_stop_signal(int sig);
/* sig is being sent to p (before it is queued, as Linux's prepare_signal): a stop signal drops
 * a pending SIGCONT; SIGCONT drops pending stop signals and resumes a stopped process at once,
 * whatever SIGCONT's action. */
void jobctl_signal_sent(struct process *p, int sig);
/* The current thread took a stop signal whose action is the default: the group stop starts
 * (if it has not) and the thread stops. Returns when continued, or when SIGKILL or the
 * process's end is pending (the caller's signal loop acts on those). */
void jobctl_stop(int sig);
/* A group stop is in effect that the current thread has not joined: it stops too (from the
 * return to user space). */
bool jobctl_stop_pending(struct thread *t);
/* A stopped thread's waits end only for SIGKILL or the process's end: what
 * signal_interrupts_wait answers for it. */
bool jobctl_stopped_wait_ends(struct thread *t);
/* Orphaned process groups (POSIX; Linux's will_become_orphaned_pgrp, kill_orphaned_pgrp). */
struct process;
bool jobctl_group_orphaned(int pgid, const struct process *ignore);
/* At p's exit (parent NULL), or after p's parent left and pid 1 adopted p (parent: the one that
 * left): SIGHUP + SIGCONT to p's group if that orphaned it with a member stopped. */
void jobctl_check_orphaned(struct process *p, struct process *parent);
/* sig from the kernel (SI_KERNEL) to every live member of group pgid (a terminal's kill_pgrp). */
void jobctl_signal_group(int pgid, int sig);
