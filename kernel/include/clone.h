/* What clone and clone3 ask for, decoded (syscall/sys_thread.c); a new thread stays in
 * sys_thread.c, a new process is proc/fork.c's. */
#pragma once
#include <stdint.h>

struct clone_request {
    uint64_t flags;            /* CLONE_*, without the exit signal */
    uint64_t stack, parent_tid, child_tid, tls;
    int exit_signal;           /* sent to the parent when a new process ends */
    uint64_t pidfd;            /* CLONE_PIDFD: where the child's pidfd goes (clone: parent_tid) */
    int set_tid;               /* clone3's set_tid: the id asked for (0: any) */
};

/* fork, vfork, clone without CLONE_THREAD: the child's pid, or -EAGAIN (process limit),
 * -ENOMEM, -ENOSYS (sharing we do not have: CLONE_FILES, CLONE_FS, CLONE_SIGHAND without
 * CLONE_THREAD, namespaces). */
int64_t fork_process(const struct clone_request *r);
