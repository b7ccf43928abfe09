/* exit_group (the end itself is process_exit in proc/exit.c); waiting for children is
 * proc/child_wait.c, fork proc/fork.c, execve proc/execve.c. */
#include "kernel.h"
#include "linux_uapi.h"
#include "syscall.h"
#include "process.h"
#include "errno.h"

SYSCALL(exit_group) { process_exit((int)a0); }

