/* seccomp (kernel/proc/seccomp.c): strict mode and BPF filters on every system call, per thread
 * as on Linux. A thread's filters are a chain, newest first, shared with the threads and
 * processes it creates (inherited by clone and fork, kept by execve); a new filter is only ever
 * added in front, so a chain never changes under the threads sharing it. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct thread;
struct trap_frame;

#define SECCOMP_MODE_DISABLED 0
#define SECCOMP_MODE_STRICT   1
#define SECCOMP_MODE_FILTER   2

/* clone/fork: child starts with creator's mode and filters. */
void seccomp_inherit(struct thread *child, const struct thread *creator);
/* A thread is freed: its hold on its filters goes. */
void seccomp_release(struct thread *t);
/* At a system call's entry, for a thread with a mode set: true when the call runs; false when
 * seccomp answered it (the result is in the frame, or a signal is on its way, or the thread
 * or process died). args are the call's six arguments as the program passed them. */
bool seccomp_syscall_allowed(struct trap_frame *f, uint32_t nr, const uint64_t args[6], uint64_t pc);
/* prctl(PR_SET_SECCOMP, mode, filter). */
int64_t seccomp_prctl_set(uint64_t mode, uint64_t filter);
/* For /proc/<pid>/status: the mode and the number of filters on the chain. */
int seccomp_filter_count(const struct thread *t);
