/* Thread lifetime: creation with a kernel stack, lookup by tid, and exit. Scheduling is sched.c. */
#include "kernel.h"
#include "timer.h"
#include "thread.h"
#include "seccomp.h"
#include "linux_uapi.h"
#include "process.h"
#include "sched.h"
#include "futex.h"
#include "syscall.h"
#include "uaccess.h"
#include "trap.h"
#include "mm.h"
#include <string.h>

struct thread *thread_create(struct process *p, int tid)
{
    struct thread *t = kzalloc(sizeof(*t));
    uint64_t stack = page_alloc(KERNEL_STACK_PAGES);
    if (!t || !stack) {
        kfree(t);
        if (stack)
            page_free(stack, KERNEL_STACK_PAGES);
        return NULL;
    }
    t->tid = tid;
    t->proc = p;
    t->start_ns = counter_to_ns(counter_now());
    t->state = THREAD_RUNNABLE;
    t->cpu = -1;
    t->last_cpu = -1;
    t->affinity = CPUS_ONLINE_MASK;
    t->timer_slack_ns = TIMER_SLACK_DEFAULT_NS;
    t->kstack_pa = stack;
    t->frame = (struct trap_frame *)((char *)phys_to_virt(stack) + KERNEL_STACK_PAGES * PAGE_SIZE) - 1;
    memset(t->frame, 0, sizeof(*t->frame));
    struct thread *creator = current_thread();
    if (creator) {                     /* clone and fork: the name and seccomp go with them (Linux's dup_task_struct) */
        memcpy(t->comm, creator->comm, sizeof(t->comm));
        seccomp_inherit(t, creator);
        t->ioprio = creator->ioprio;   /* copy_io: the value, not the context (no CLONE_IO sharing) */
        t->mempolicy = creator->mempolicy;   /* mpol_dup */
    }
    if (p->threads) {
        struct thread *last = p->threads->prev;
        last->next = t;
        t->prev = last;
        p->threads->prev = t;
    } else {
        p->threads = t;
        t->prev = t;
    }
    p->live_threads++;
    return t;
}

void thread_unlink(struct thread *t)
{
    struct process *p = t->proc;
    struct thread *head = p->threads;
    if (t == head) {
        p->threads = t->next;
        if (t->next)
            t->next->prev = t->prev;
    } else {
        t->prev->next = t->next;
        if (t->next)
            t->next->prev = t->prev;
        else
            head->prev = t->prev;          /* t was the last */
    }
}

struct thread *thread_find(int tid)
{
    for (struct process *p = process_first(); p; p = p->all_next)
        for (struct thread *t = p->threads; t; t = t->next)
            if (t->tid == tid)
                return t;
    return NULL;
}

int thread_count(void)
{
    return current_process()->live_threads;
}

/* Linux's mm_release: robust mutexes the thread holds are marked as their owner's death, and
 * the word pthread_join watches becomes 0 and its waiters wake. */
void thread_exit(int status)
{
    struct thread *t = current_thread();
    struct process *p = t->proc;
    if (thread_count() == 1 && !p->exiting)
        process_exit(status);
    futex_exit_robust_list(t);
    if (t->clear_child_tid) {
        uint32_t zero = 0;
        if (!copy_to_user(t->clear_child_tid, &zero, sizeof(zero)))
            futex_wake(t->clear_child_tid, 1, FUTEX_BITSET_ANY);
    }
    t->state = THREAD_DEAD;
    if (--p->live_threads == 0)
        process_teardown(p);           /* the last of a process being ended (exiting) */
    sched_switch_away();
}

void thread_set_comm_from_path(struct thread *t, const char *path)
{
    const char *slash = strrchr(path, '/');
    snprintf(t->comm, sizeof(t->comm), "%s", slash ? slash + 1 : path);
}
