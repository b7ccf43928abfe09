/* The process: one program running in its own address space, with one or more threads
 * (thread.h) sharing its memory, descriptors, working directory and signal actions. */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "signal.h"

/* The one process's pid (a unikernel runs one program), and its directory's name in /proc. */
#define PROCESS_PID     1
#define PROCESS_PID_DIR "1"

struct vm;
struct vnode;
struct file;

/* RLIMIT_NOFILE as Linux sets it for a process: soft 1024, hard fs.nr_open's default, and
 * nr_open is the ceiling for the hard limit. The table grows with use, up to the soft limit. */
#define FD_LIMIT_DEFAULT 1024
#define FD_NR_OPEN       1048576

struct process {
    int pid;
    struct vm *vm;
    struct vnode *exe;          /* the program's vnode, for /proc/self/exe */
    struct vnode *cwd;
    struct file **fds;          /* fd_slots entries (fdtable.c) */
    bool *cloexec;
    int fd_slots;
    uint64_t fd_limit;          /* soft RLIMIT_NOFILE: descriptors are below it */
    struct thread *threads;     /* creation order; the first is the main thread (tid == pid) */
    int live_threads;           /* those not dead yet */
    struct process_signals sig;
    uint64_t sigreturn_page;    /* user address of the rt_sigreturn trampoline (no SA_RESTORER) */
    uint32_t umask;
};

struct process *current_process(void);
struct process *process_create(void);
/* The descriptor table (proc/fdtable.c). Lowest free descriptor >= min, or -EMFILE (none below
 * the soft RLIMIT_NOFILE) or -ENOMEM. */
int fd_alloc(struct process *p, struct file *f, int min, bool cloexec);
struct file *fd_get(struct process *p, int fd);
/* Put f at fd (dup2/dup3), closing what was there; fd must be below the limit. 0 or -ENOMEM. */
int fd_install(struct process *p, int fd, struct file *f, bool cloexec);
/* Take f off fd and drop the reference: the process's record locks on the file go too. */
void fd_close(struct process *p, int fd);
/* Forget fd without dropping a reference (undoing an fd_alloc whose file is freed elsewhere). */
void fd_forget(struct process *p, int fd);
bool fd_cloexec(struct process *p, int fd);
void fd_set_cloexec(struct process *p, int fd, bool on);
/* One past the highest descriptor that may be open (for loops over the table). */
int fd_table_end(struct process *p);
/* The program ended (exit_group, its last thread, a fatal signal): report and power off
 * (proc/exit.c; never returns). */
__attribute__((noreturn)) void process_exit(int status);
