/* Per-CPU state. Each CPU finds its own struct cpu through the architecture's per-CPU register
 * (TPIDR_EL1 on aarch64, set once when the CPU comes up); there is no global "current". Fields
 * other CPUs read or write are protected by the kernel lock (kernel_lock.h) unless marked. */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "context.h"
#include "arch.h"

/* One 64-bit affinity word (sched_setaffinity's cpumask) bounds the CPUs we run. */
#define MAX_CPUS 64

struct thread;

struct cpu {
    int id;                        /* logical number: 0 is the boot CPU, then device-tree order */
    uint64_t hwid;                 /* the architecture's id for it (MPIDR_EL1 affinity) */
    uint64_t ident;                /* what it says it is (arch_cpu_ident: MIDR_EL1), set by itself */
    struct thread *current;        /* the thread it runs, or NULL in its idle loop */
    struct arch_context idle_ctx;  /* its idle loop, on the stack it was brought up with */
    uint64_t stack_top;            /* that stack */
    uint64_t user_root;            /* the user page table its TTBR0 holds (0: none) */
    /* timer.c: this CPU's next periodic tick and the earliest wake-up asked of it. */
    uint64_t next_tick_at, wake_request;
    uint64_t timer_at;             /* what its timer is armed for */
    bool tickless;                 /* idle, not the boot CPU: no periodic tick */
    /* idle.c: counter ticks spent in WFI, and when it came up (busy = up - idle). */
    uint64_t idle_counts, online_at;
    uint64_t irqs, ipis;           /* interrupts taken, IPIs among them (memstats) */
    /* cputime.c: counter ticks its threads ran user code, and its context switches (/proc/stat). */
    uint64_t user_counts, switches;
    uint64_t lock_waits, lock_wait_counts;   /* kernel lock: contended takes, ticks spent */
    volatile bool online;          /* set by the CPU itself once it can run threads (no lock) */
    volatile bool lacks_atomics;   /* set by the CPU itself instead: it cannot take our locks */
};

extern struct cpu cpus[MAX_CPUS];
/* CPUs that came up (bit n: cpus[n]); written only while secondaries are brought up. */
extern uint64_t cpus_online_mask;
extern int cpus_online;

/* Read anew at every call: a thread that switched out may resume on another CPU. */
static inline struct cpu *this_cpu(void) { return arch_this_cpu(); }

/* /sys/devices/system/cpu/{online,possible,present} (proc/cpuinfo.c). */
void cpuinfo_init(void);
/* A CPU mask in Linux's cpulist format ("0", "0-3", "0-1,3") with a newline; its length. */
size_t cpu_list(char *buf, size_t size, uint64_t mask);
