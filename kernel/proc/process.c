/* Processes: the table of every process (live and zombie), pids, and creation. pid 1 is the
 * first program; fork makes the others (fork.c), exit.c ends them, child_wait.c reaps them.
 * The descriptor table is fdtable.c. */
#include "kernel.h"
#include "timer.h"
#include "signal.h"
#include "process.h"
#include "uts.h"
#include "mount.h"
#include "thread.h"
#include "file.h"
#include "pidfd.h"
#include "vm.h"
#include "mm.h"
#include "errno.h"
#include <string.h>

/* Processes alive at once, zombies included: a fork bomb meets EAGAIN here (Linux's
 * RLIMIT_NPROC) while the kernel keeps memory for everyone else. Each costs at least a kernel
 * stack (32 KiB) and page tables. */
#define PROCESS_MAX 512

static struct process *init_process;   /* pid 1, also what runs before the first thread */
static struct process *all;            /* every process, newest first */
static int count;
static int last_id = 1;

struct process *current_process(void)
{
    struct thread *t = current_thread();
    return t ? t->proc : init_process;
}

struct process *process_first(void) { return all; }

static uint64_t vm_maxrss_kb(const struct vm *vm)
{
    if (!vm)
        return 0;
    uint64_t pages = vm->pages > vm->pages_hiwater ? vm->pages : vm->pages_hiwater;
    return pages * (PAGE_SIZE / 1024);
}

uint64_t process_maxrss_kb(const struct process *p)
{
    uint64_t now = vm_maxrss_kb(p->vm);
    return now > p->maxrss_kb ? now : p->maxrss_kb;
}

void process_note_maxrss(struct process *p, const struct vm *vm)
{
    uint64_t kb = vm_maxrss_kb(vm);
    if (kb > p->maxrss_kb)
        p->maxrss_kb = kb;
}
int process_count(void) { return count; }

struct process *process_find(int pid)
{
    for (struct process *p = all; p; p = p->all_next)
        if (p->pid == pid)
            return p;
    return NULL;
}

static bool id_in_use(int id)
{
    if (process_find(id) || thread_find(id))
        return true;
    for (struct process *p = all; p; p = p->all_next)   /* a group or session keeps its id */
        if (p->pgid == id || p->sid == id)
            return true;
    return false;
}

/* Until the ids first wrap around, each is higher than any handed out before: none can be in
 * use, and creating a thread costs nothing here (a program may make ten thousand). */
static bool wrapped;

int process_alloc_id(void)
{
    for (int tries = 0; tries < PID_MAX; tries++) {
        if (last_id + 1 >= PID_MAX) {
            last_id = 2;
            wrapped = true;
        } else {
            last_id++;
        }
        if (!wrapped || !id_in_use(last_id))
            return last_id;
    }
    return -EAGAIN;
}

int process_claim_id(int id)
{
    if (id_in_use(id))
        return -EEXIST;
    wrapped = true;                    /* the counter may reach it later: check from now on */
    return id;
}

int process_last_id(void) { return last_id; }

static void link(struct process *p)
{
    p->all_next = all;
    all = p;
    count++;
}

struct process *process_create(void)
{
    struct process *p = kzalloc(sizeof(*p));
    if (!p)
        return NULL;
    p->vm = vm_create();
    if (!p->vm) {
        kfree(p);
        return NULL;
    }
    p->pid = p->pgid = p->sid = PROCESS_PID;
    p->start_ns = counter_to_ns(counter_now());
    p->fd_limit = FD_LIMIT_DEFAULT;
    rlimit_init(p);
    p->dumpable = 1;
    p->umask = 022;
    p->caps = (struct caps){ .effective = CAP_FULL_SET, .permitted = CAP_FULL_SET };
    p->exit_signal = SIGCHLD;
    init_process = p;
    link(p);
    procfs_process_added(p);
    return p;
}

struct process *process_new_child(struct process *parent, int pid)
{
    if (count >= PROCESS_MAX)
        return NULL;
    if (!pid)
        pid = process_alloc_id();
    if (pid < 0)
        return NULL;
    struct process *p = kzalloc(sizeof(*p));
    if (!p)
        return NULL;
    p->pid = pid;
    p->start_ns = counter_to_ns(counter_now());
    p->pgid = parent->pgid;
    p->sid = parent->sid;
    p->tty = parent->tty;
    p->parent = parent;
    p->sibling = parent->children;
    parent->children = p;
    p->exe = parent->exe;
    p->cwd = parent->cwd;
    p->root = parent->root;
    p->umask = parent->umask;
    p->cred = parent->cred;
    if (parent->ngroups) {
        p->groups = kmalloc(parent->ngroups * sizeof(uint32_t));
        if (!p->groups) {
            kfree(p);
            return NULL;
        }
        memcpy(p->groups, parent->groups, parent->ngroups * sizeof(uint32_t));
        p->ngroups = parent->ngroups;
    }
    p->caps = parent->caps;
    p->personality = parent->personality;
    p->thp_disable = parent->thp_disable;
    p->fd_limit = parent->fd_limit;
    memcpy(p->rlimits, parent->rlimits, sizeof(p->rlimits));
    p->dumpable = parent->dumpable;
    p->no_new_privs = parent->no_new_privs;
    p->sigreturn_page = parent->sigreturn_page;
    p->exit_signal = SIGCHLD;
    if (parent->cmdline && (p->cmdline = kmalloc(parent->cmdline_len)))
        memcpy(p->cmdline, parent->cmdline, p->cmdline_len = parent->cmdline_len);
    p->arg_start = parent->arg_start;
    p->arg_end = parent->arg_end;
    p->env_start = parent->env_start;
    p->env_end = parent->env_end;
    memcpy(p->saved_auxv, parent->saved_auxv, sizeof(p->saved_auxv));
    link(p);
    procfs_process_added(p);
    return p;
}

static void unlink_from(struct process **list, struct process *p, bool siblings)
{
    for (; *list; list = siblings ? &(*list)->sibling : &(*list)->all_next)
        if (*list == p) {
            *list = siblings ? p->sibling : p->all_next;
            return;
        }
}

void process_free(struct process *p)
{
    if (p->parent)
        unlink_from(&p->parent->children, p, true);
    unlink_from(&all, p, false);
    count--;
    procfs_process_gone(p);
    signal_process_gone(p);
    pidfd_process_freed(p);
    kfree(p->cmdline);
    kfree(p->groups);
    uts_release(p);
    mount_ns_release(p);
    kfree(p);
}
