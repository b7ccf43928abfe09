/* The process: one program running in its own address space, with one or more threads
 * (thread.h) sharing its memory, descriptors, working directory and signal actions. */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "signal.h"

struct vm;
struct vnode;
struct file;

#define MAX_FDS 1024

struct process {
    int pid;
    struct vm *vm;
    struct vnode *exe;          /* the program's vnode, for /proc/self/exe */
    struct vnode *cwd;
    struct file *fds[MAX_FDS];
    bool cloexec[MAX_FDS];
    struct thread *threads;     /* creation order; the first is the main thread (tid == pid) */
    struct process_signals sig;
    uint64_t sigreturn_page;    /* user address of the rt_sigreturn trampoline (no SA_RESTORER) */
    uint32_t umask;
};

struct process *current_process(void);
struct process *process_create(void);
/* Lowest free descriptor >= min, or -EMFILE. */
int fd_alloc(struct process *p, struct file *f, int min, bool cloexec);
struct file *fd_get(struct process *p, int fd);
/* The program ended (exit_group, its last thread, a fatal signal): report and power off
 * (proc/exit.c; never returns). */
__attribute__((noreturn)) void process_exit(int status);
