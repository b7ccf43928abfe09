/* The end of a process: exit_group, the last thread's exit and a fatal signal all come here.
 * pid 1's end is the guest's: it reports what the kernel options asked for (profile, memstats)
 * and powers off with the program's status (every other process ends with it, as in a
 * container). Any other process has its threads leave, gives back what it owns and stays a
 * zombie until its parent waits for it (child_wait.c). */
#include "kernel.h"
#include "bootargs.h"
#include "process.h"
#include "vfs.h"
#include "mm.h"
#include "idle.h"
#include "profile.h"
#include "irq.h"
#include "timer.h"
#include "net.h"
#include "thread.h"
#include "sched.h"
#include "signal.h"
#include "vm.h"
#include "posix_timer.h"
#include "jobctl.h"
#include "tty.h"
#include "pidfd.h"
#include "uvm.h"
#include "linux_uapi.h"
#include "cpu.h"
#include "sysv_ipc.h"
#include <string.h>

/* With the memstats kernel option, the kernel's memory use at exit (a soak test compares it with
 * an idle run to prove buffers are released) and how busy the CPU was (a benchmark's split
 * between our code path and time spent outside the guest). */
static void report_memory(void)
{
    const struct boot_manifest *m = boot_manifest();
    uint64_t bytes, blocks;
    if (!m || !m->memstats)
        return;
    heap_stats(&bytes, &blocks);
    kprintf("memstats: heap %lu bytes in %lu blocks, %lu of %lu pages free\n", bytes, blocks,
            page_free_count(), page_total_count());
    uint64_t busy_ms = cpu_busy_ns() / 1000000, idle_ms = cpu_idle_ns() / 1000000;
    kprintf("memstats: cpu busy %lu ms, idle %lu ms; %lu interrupts\n", busy_ms, idle_ms,
            irq_handled_count());
    if (cpus_online > 1)
        for (int i = 0; i < MAX_CPUS; i++)
            if (cpus_online_mask & (1ULL << i))
                kprintf("memstats: cpu %d: idle %lu ms, %lu interrupts (%lu IPIs), kernel lock waited %lu ms in %lu takes\n", i,
                        counter_to_ns(cpus[i].idle_counts) / 1000000, cpus[i].irqs, cpus[i].ipis,
                        counter_to_ns(cpus[i].lock_wait_counts) / 1000000, cpus[i].lock_waits);
}

/* pid 1 ended: the guest ends with it. */
static __attribute__((noreturn)) void guest_exit(int status)
{
    /* What the program sent and wrote reaches the peers and the disk before anyone hears it
     * ended. */
    net_drain_at_exit(current_process());
    int err = vfs_sync_all();
    if (err)
        kprintf("volume: writing the last changes at exit failed (error %d)\n", -err);
    profile_report();
    missing_report();
    report_memory();
    kernel_exit(status & 0xff, EXIT_NORMAL);
}

/* Every thread of p leaves: the others see `exiting` at their next wait or return to user
 * space; the last one out tears the process down (thread_exit). */
static __attribute__((noreturn)) void leave(struct process *p, int wait_status)
{
    if (!p->exiting) {
        p->exiting = true;
        p->wait_status = wait_status;
        for (struct thread *t = p->threads; t; t = t->next)
            if (t != current_thread() && t->state != THREAD_DEAD)
                sched_interrupt(t);    /* woken, or stopped on its CPU by an IPI */
    }
    thread_exit(0);
}

void process_exit(int status)
{
    struct process *p = current_process();
    if (p->pid == 1)
        guest_exit(status);
    leave(p, (status & 0xff) << 8);                  /* WIFEXITED, WEXITSTATUS */
}

void process_die(int sig)
{
    struct process *p = current_process();
    if (p->pid == 1) {
        kprintf("killed by %s\n", signal_name(sig));
        guest_exit(128 + sig);
    }
    leave(p, sig & 0x7f);                            /* WIFSIGNALED, WTERMSIG; no core dump */
}

void process_reboot(int sig)
{
    guest_exit(128 + sig);
}

/* SIGCHLD's action in the parent decides whether a zombie is kept for wait (Linux's
 * do_notify_parent): ignoring it, or SA_NOCLDWAIT, means nobody will wait. */
static void notify_parent(struct process *p)
{
    struct process *parent = p->parent;
    const struct kernel_sigaction *act = &parent->sig.action[SIGCHLD - 1];
    bool exited = (p->wait_status & 0x7f) == 0;
    struct ksiginfo info = { .signo = p->exit_signal, .code = exited ? CLD_EXITED : CLD_KILLED,
                             .pid = p->pid, .uid = 0,
                             .value = (uint64_t)(exited ? (p->wait_status >> 8) & 0xff : p->wait_status) };
    if (p->exit_signal == SIGCHLD && (act->handler == SIG_IGN || (act->flags & SA_NOCLDWAIT)))
        p->autoreap = true;
    if (p->exit_signal && !(p->exit_signal == SIGCHLD && act->handler == SIG_IGN))
        signal_send(parent, p->exit_signal, &info);
    child_wait_wake(parent);
}

void process_vfork_release(struct process *p)
{
    if (p->vfork_parent) {
        p->vfork_parent->vfork_done = true;
        sched_wake(p->vfork_parent);
        p->vfork_parent = NULL;
    }
}

/* Linux's find_new_reaper: the nearest live ancestor that made itself a child subreaper
 * (PR_SET_CHILD_SUBREAPER), else pid 1. */
static struct process *new_reaper(struct process *p)
{
    for (struct process *a = p->parent; a && a->pid != 1; a = a->parent)
        if (a->child_subreaper && a->state != PROCESS_ZOMBIE && !a->exiting)
            return a;
    return process_find(1);
}

void process_teardown(struct process *p)
{
    process_vfork_release(p);
    itimer_process_gone(p);
    posix_timers_delete_all(p);
    sem_exit(p->pid);                  /* SEM_UNDO, as Linux's exit_sem */
    fd_close_all(p);
    tty_process_exit(p);               /* after the files, as Linux's do_exit */
    uvm_deactivate();                  /* its tables may be about to go (vm_put) */
    this_cpu()->user_root = 0;
    process_note_maxrss(p, p->vm);
    shm_vm_gone(p, p->vm);
    vm_put(p->vm);
    p->vm = NULL;
    struct process *reaper = new_reaper(p);
    while (p->children) {              /* orphans: the reaper adopts them, zombies too */
        struct process *c = p->children;
        p->children = c->sibling;
        c->parent = reaper;
        c->exit_signal = SIGCHLD;      /* Linux's reparent_leader: an adopted child is no clone child */
        c->sibling = reaper->children;
        reaper->children = c;
        if (c->state == PROCESS_ZOMBIE) {
            notify_parent(c);
        } else {
            jobctl_check_orphaned(c, p);
            if (c->pdeathsig)          /* PR_SET_PDEATHSIG: its parent is gone */
                signal_send(c, c->pdeathsig, &(struct ksiginfo){ .signo = c->pdeathsig, .code = SI_USER, .pid = p->pid, .uid = p->cred.uid });
        }
    }
    jobctl_check_orphaned(p, NULL);
    p->state = PROCESS_ZOMBIE;
    pidfd_process_exited(p);
    notify_parent(p);
}

void process_thread_freed(struct process *p)
{
    if (!p->threads && p->state == PROCESS_ZOMBIE && p->autoreap)
        process_free(p);
}
