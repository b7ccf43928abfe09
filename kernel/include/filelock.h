/* Advisory file locks as Linux keeps them: POSIX record locks (fcntl F_SETLK/F_SETLKW/F_GETLK,
 * owned by the process: any close of the file by the process drops them), open file description
 * locks (F_OFD_*, owned by the open file: they go with its last descriptor) and flock(2) locks
 * (whole-file, owned by the open file). POSIX and OFD locks see each other; flock locks live in a
 * namespace of their own, as on Linux. */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct file;
struct process;
struct linux_flock;

/* fcntl's lock commands (F_GETLK, F_SETLK, F_SETLKW and the F_OFD_ forms); `uflock` is the user's
 * struct flock. Linux's errors in Linux's order. */
int64_t filelock_fcntl(struct process *p, struct file *f, int cmd, uint64_t uflock);
/* flock(2): LOCK_SH, LOCK_EX or LOCK_UN, optionally | LOCK_NB. */
int64_t filelock_flock(struct file *f, int op);
/* The process closed a descriptor of f: its POSIX locks on that file go (even if another
 * descriptor still refers to it, as on Linux). */
void filelock_close(struct process *p, struct file *f);
/* f's last reference went: its OFD and flock locks go. */
void filelock_release(struct file *f);
/* /proc/<pid>/fdinfo/N's "lock:" lines: the locks held through f (p's POSIX ones set on it, its
 * OFD and flock ones), as Linux's show_fd_locks; and /proc/locks (every lock). Written as
 * snprintf writes, the length taken. */
size_t filelock_fdinfo(struct process *p, struct file *f, char *buf, size_t size);
size_t filelock_proc_locks(char *buf, size_t size);
