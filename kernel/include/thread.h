/* Threads: what Linux keeps per task inside one process. Each has its own kernel stack (with its
 * user registers in a trap frame at the top), its own signal mask, pending set and alternate
 * stack, its TLS register and FP/SIMD state, and the clear_child_tid word pthread_join waits on.
 * A thread runs on one CPU at a time until it waits, yields, exits, or its time slice ends
 * (sched.c); which CPU it runs on next is whichever picks it first, within its affinity. */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "signal.h"
#include "context.h"
#include "timer.h"
#include "cpu.h"
#include "cputime.h"
#include "sched_attr.h"
#include "mempolicy.h"
#include "rseq.h"

struct process;
struct vma;
struct trap_frame;
struct fs_ident;

enum thread_state { THREAD_RUNNABLE, THREAD_WAITING, THREAD_DEAD };

struct thread {
    int tid;
    struct process *proc;
    char comm[16];                     /* its name (TASK_COMM_LEN): the exec'd file's, or PR_SET_NAME's */
    enum thread_state state;
    int cpu;                           /* the CPU running it (or sleeping on its stack), -1: none */
    int last_cpu;                      /* where it ran last (its cache is warm there) */
    uint64_t kstack_pa;                /* KERNEL_STACK_PAGES pages */
    struct trap_frame *frame;          /* user registers, at the top of the kernel stack */
    struct arch_context ctx;
    /* What a waiting thread waits for (wait_until): the scheduler checks it for the thread. */
    bool (*wait_done)(void *arg);
    void *wait_arg;
    uint64_t wait_deadline_ns;
    bool wait_passive;                 /* only a wake or the deadline ends it (wait_until_woken) */
    bool wait_wall;                    /* wait_deadline_ns is wait_wall_ns on CLOCK_REALTIME now */
    uint64_t wait_wall_ns;
    /* The scheduler's ring of threads it looks at (sched.c), and the deadline of a parked wait. */
    struct thread *ring_next, *ring_prev;
    bool on_ring;
    struct timer_event wake_event;
    struct thread_signals sig;
    /* The system call in progress, while it may still be restarted (signal.c). */
    bool in_syscall;
    uint64_t syscall_arg0;
    uint64_t clear_child_tid;          /* CLONE_CHILD_CLEARTID / set_tid_address */
    uint64_t robust_list, robust_list_len;
    struct thread_cputime cputime;     /* user and system time (cputime.c) */
    uint64_t slice_start;              /* tick count when it last got the CPU */
    uint64_t affinity;                 /* CPUs it may run on (bit n: CPU n), sched_setaffinity */
    struct thread_sched sched;         /* policy, priority, nice (sched_attr.h) */
    bool job_stopped;                  /* stopped in its process's group stop (jobctl.c) */
    bool vfork_done;                   /* the vfork child this thread waits for exec'd or ended */
    bool tagged_addr;                  /* PR_SET_TAGGED_ADDR_CTRL: syscalls ignore pointer tags */
    uint64_t timer_slack_ns;           /* PR_SET_TIMERSLACK (sleeps are not stretched by it) */
    /* Context switches as /proc/<pid>/status counts them: a wait that blocked (voluntary, one
     * per wait_until that slept) and a switch away from a thread that could still run (its
     * slice ended, or sched_yield). */
    uint64_t nvcsw, nivcsw;
    uint64_t start_ns;                 /* when it was made, since boot (/proc/<pid>/stat's starttime) */
    uint16_t ioprio;                   /* ioprio_set's value (Linux's io_context->ioprio); 0:
                                        * IOPRIO_CLASS_NONE, never set (sys_ioprio.c) */
    struct mempolicy mempolicy;        /* set_mempolicy's (sys_mempolicy.c); kept by exec */
    struct thread_rseq rseq;           /* rseq(2)'s registration (rseq.c) */
    int seccomp_mode;                  /* SECCOMP_MODE_* (seccomp.h) */
    struct seccomp_filter *seccomp;    /* its filters, newest first (shared; seccomp.c) */
    struct vma *vma_hint;              /* vm_find's last answer for this thread (vm.c) */
    struct vm *vma_hint_vm;            /* the address space it was found in (exec changes it) */
    uint64_t vma_generation;
    const struct fs_ident *access_ident;   /* access(2)'s real identity while it checks (perm.h) */
    struct thread *next, *prev;        /* every thread of the process, in creation order (the
                                        * first one's prev is the last one) */
};

#define KERNEL_STACK_PAGES 8
/* The CPUs that run threads (bit n: CPU n): those that came up at boot (cpu.h). */
#define CPUS_ONLINE_MASK cpus_online_mask
extern uint64_t cpus_online_mask;

/* Inline: the kernel asks ~80 times per websrv request, and under TCG a call and its return
 * are two translated blocks and an indirect jump each. */
static inline struct thread *current_thread(void) { return this_cpu()->current; }
/* A thread with a kernel stack and an empty trap frame at its top; not yet runnable. */
struct thread *thread_create(struct process *p, int tid);
struct thread *thread_find(int tid);
/* Take a dead thread off its process's list (the scheduler frees it). */
void thread_unlink(struct thread *t);
/* The calling thread ends (exit(2)): clear_child_tid is cleared and woken, and the CPU goes to
 * another thread. The last thread's exit ends the program with `status`. */
__attribute__((noreturn)) void thread_exit(int status);
int thread_count(void);
