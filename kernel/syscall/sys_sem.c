/* SysV semaphore sets (Linux's ipc/sem.c): semget, semop, semtimedop, semctl, with Linux's
 * limits (kernel.sem "32000 1024000000 500 32000": SEMMSL, SEMMNS, SEMOPM, SEMMNI; values up to
 * SEMVMX 32767), its all-or-nothing operation arrays, and SEM_UNDO: each process's adjustments,
 * applied when it ends (sem_exit, from process teardown; clamped to 0..SEMVMX as exit_sem does).
 * A blocked semop wakes with EIDRM when the set is removed, EINTR for a signal, EAGAIN when
 * semtimedop's timeout passes. IPC_INFO and SEM_INFO report Linux's default limits (SEM_INFO
 * with what is in use), SEM_STAT and SEM_STAT_ANY take an index, as Linux's semctl_info/_stat. */
#include "kernel.h"
#include "linux_abi.h"
#include "syscall.h"
#include "process.h"
#include "signal.h"
#include "uaccess.h"
#include "wait.h"
#include "mm.h"
#include "errno.h"
#include "sysv_ipc.h"
#include <string.h>

#define SEMVMX 32767
#define SEMAEM SEMVMX
#define SEM_UNDO 0x1000
#define GETPID  11
#define GETVAL  12
#define GETALL  13
#define GETNCNT 14
#define GETZCNT 15
#define SETVAL  16
#define SETALL  17
#define SEM_STAT     18
#define SEM_INFO     19
#define SEM_STAT_ANY 20
#define SEMUSZ  20

/* struct seminfo (IPC_INFO, SEM_INFO). */
struct seminfo {
    int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};

struct semid64_ds {
    struct ipc64_perm perm;
    int64_t otime, ctime;
    uint64_t nsems, unused3, unused4;
};
_Static_assert(sizeof(struct semid64_ds) == 88, "arm64's struct semid64_ds");

struct sembuf {
    uint16_t num;
    int16_t op, flg;
};

struct sem {
    int val;
    int pid;                        /* the last process to change it */
};

struct sem_set {
    struct semid64_ds ds;
    int id;
    int waiters;                    /* threads asleep on it: it is freed when the last goes */
    bool removed;
    unsigned generation;            /* counts changes: a waiter retries after each */
    struct sem sems[];
};

/* A process's SEM_UNDO adjustments for one set (Linux's struct sem_undo). */
struct sem_undo {
    struct sem_undo *next;
    int pid, semid;
    struct sem_set *set;
    short adj[];
};

/* What a sleeping semop waits on: GETNCNT and GETZCNT count these. */
struct sem_waiter {
    struct sem_waiter *next;
    struct sem_set *set;
    int num;                        /* the semaphore the blocking operation was on */
    bool zero;                      /* waiting for zero (else for an increase) */
    unsigned generation;
    uint64_t deadline;
};

static struct ipc_ids sets;
static struct sem_undo *undos;
static struct sem_waiter *sleepers;

static struct sem_set *lookup(int id) { return (struct sem_set *)ipc_lookup(&sets, id); }

SYSCALL(semget)
{
    int key = (int)a0, nsems = (int)a1, flags = (int)a2;
    if (nsems < 0 || nsems > SEMMSL)
        return -EINVAL;
    struct ipc64_perm *found;
    int id = ipc_find_key(&sets, key, &found);
    if (found) {
        int err = ipc_get_existing(found, flags);
        if (err)
            return err;
        return (uint64_t)nsems > ((struct sem_set *)found)->ds.nsems ? -EINVAL : id;
    }
    if (key != IPC_PRIVATE && !(flags & IPC_CREAT))
        return -ENOENT;
    if (!nsems)
        return -EINVAL;
    struct sem_set *s = kzalloc(sizeof(*s) + (size_t)nsems * sizeof(struct sem));
    if (!s)
        return -ENOMEM;
    if ((id = ipc_add(&sets, &s->ds.perm, key, flags)) < 0) {
        kfree(s);
        return id;
    }
    s->id = id;
    s->ds.nsems = (uint64_t)nsems;
    s->ds.ctime = ipc_now_s();
    return id;
}

static struct sem_undo *undo_of(int pid, struct sem_set *s)
{
    for (struct sem_undo *u = undos; u; u = u->next)
        if (u->pid == pid && u->set == s)
            return u;
    return NULL;
}

/* Linux's perform_atomic_semop on a scratch copy: 0 (applied), 1 (would block: *blocked is the
 * operation), or an error. All or nothing. */
static int try_ops(struct sem_set *s, const struct sembuf *ops, unsigned n, struct sem_undo *u, unsigned *blocked)
{
    int vals[n], adj[n];
    for (unsigned i = 0; i < n; i++) {
        int cur = s->sems[ops[i].num].val, a = u ? u->adj[ops[i].num] : 0;
        for (unsigned j = 0; j < i; j++)           /* earlier operations on the same semaphore */
            if (ops[j].num == ops[i].num) {
                cur = vals[j];
                a = adj[j];
            }
        if (!ops[i].op && cur) {
            *blocked = i;
            return ops[i].flg & IPC_NOWAIT ? -EAGAIN : 1;
        }
        int r = cur + ops[i].op;
        if (r < 0) {
            *blocked = i;
            return ops[i].flg & IPC_NOWAIT ? -EAGAIN : 1;
        }
        if (r > SEMVMX)
            return -ERANGE;
        if (ops[i].flg & SEM_UNDO) {
            int na = a - ops[i].op;
            if (na < -SEMAEM - 1 || na > SEMAEM)
                return -ERANGE;
            a = na;
        }
        vals[i] = r;
        adj[i] = a;
    }
    int pid = current_process()->pid;
    for (unsigned i = 0; i < n; i++) {
        s->sems[ops[i].num].val = vals[i];
        s->sems[ops[i].num].pid = pid;
        if (ops[i].flg & SEM_UNDO)
            u->adj[ops[i].num] = (short)adj[i];
    }
    s->ds.otime = ipc_now_s();
    s->generation++;
    return 0;
}

static bool changed(void *arg)
{
    struct sem_waiter *w = arg;
    return w->set->removed || w->set->generation != w->generation;
}

static void unlink_sleeper(struct sem_waiter *w)
{
    for (struct sem_waiter **p = &sleepers; *p; p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            return;
        }
}

static void free_set(struct sem_set *s)
{
    for (struct sem_undo **p = &undos; *p;) {
        struct sem_undo *u = *p;
        if (u->set == s) {
            *p = u->next;
            kfree(u);
        } else {
            p = &u->next;
        }
    }
    kfree(s);
}

static int64_t semtimedop(int id, uint64_t uops, uint64_t nops, uint64_t utimeout)
{
    if ((int64_t)nops < 1 || id < 0)
        return -EINVAL;
    if (nops > SEMOPM)
        return -E2BIG;
    struct sembuf ops[nops];
    if (copy_from_user(ops, uops, nops * sizeof(struct sembuf)))
        return -EFAULT;
    uint64_t deadline = WAIT_FOREVER;
    if (utimeout) {
        struct linux_timespec ts;
        if (copy_from_user(&ts, utimeout, sizeof(ts)))
            return -EFAULT;
        if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
            return -EINVAL;
        deadline = wait_deadline_after((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
    }
    unsigned max = 0;
    bool undo = false, alter = false;
    for (unsigned i = 0; i < nops; i++) {
        if (ops[i].num >= max)
            max = ops[i].num;
        undo |= (ops[i].flg & SEM_UNDO) != 0;
        alter |= ops[i].op != 0;
    }
    struct sem_set *s = lookup(id);
    if (!s)
        return -EINVAL;
    if (max >= s->ds.nsems)
        return -EFBIG;
    if (!ipc_allowed(&s->ds.perm, alter ? 2 : 4))
        return -EACCES;
    int pid = current_process()->pid;
    struct sem_undo *u = undo ? undo_of(pid, s) : NULL;
    if (undo && !u) {
        u = kzalloc(sizeof(*u) + s->ds.nsems * sizeof(short));
        if (!u)
            return -ENOMEM;
        *u = (struct sem_undo){ .next = undos, .pid = pid, .semid = id, .set = s };
        undos = u;
    }
    for (;;) {
        unsigned blocked = 0;
        int r = try_ops(s, ops, (unsigned)nops, u, &blocked);
        if (r <= 0)
            return r;
        struct sem_waiter w = { sleepers, s, ops[blocked].num, ops[blocked].op == 0, s->generation, deadline };
        sleepers = &w;
        s->waiters++;
        int wr = wait_until(changed, &w, deadline);
        unlink_sleeper(&w);
        bool gone = s->removed;
        if (--s->waiters == 0 && gone)
            free_set(s);
        if (gone)
            return -EIDRM;
        if (wr == -ETIMEDOUT)
            return -EAGAIN;
        if (wr)
            return -ERESTARTNOHAND;
    }
}

SYSCALL(semtimedop)
{
    return semtimedop((int)a0, a1, a2, a3);
}

SYSCALL(semop)
{
    return semtimedop((int)a0, a1, a2, 0);
}

static int count_waiters(struct sem_set *s, int num, bool zero)
{
    int n = 0;
    for (struct sem_waiter *w = sleepers; w; w = w->next)
        n += w->set == s && w->num == num && w->zero == zero;
    return n;
}

/* A value set by SETVAL/SETALL cancels every process's adjustment of it (Linux). */
static void clear_undo(struct sem_set *s, int num)
{
    for (struct sem_undo *u = undos; u; u = u->next)
        if (u->set == s) {
            if (num < 0)
                memset(u->adj, 0, s->ds.nsems * sizeof(short));
            else
                u->adj[num] = 0;
        }
}

/* Linux's semctl_info: the limits; SEM_INFO puts the sets and semaphores in use where IPC_INFO
 * has SEMUSZ and SEMAEM. The highest index in use is the answer. */
static int sem_info(int cmd, uint64_t buf)
{
    struct seminfo si = { .semmap = SEMMNS, .semmni = SEMMNI, .semmns = SEMMNS, .semmnu = SEMMNS,
                          .semmsl = SEMMSL,
                          .semopm = SEMOPM, .semume = SEMOPM, .semusz = SEMUSZ, .semvmx = SEMVMX, .semaem = SEMAEM };
    if (cmd == SEM_INFO) {
        int id;
        si.semusz = ipc_in_use(&sets);
        si.semaem = 0;
        for (int i = 0; i < IPC_SLOTS; i++) {
            struct sem_set *s = (struct sem_set *)ipc_at_index(&sets, i, &id);
            si.semaem += s ? (int32_t)s->ds.nsems : 0;
        }
    }
    int max = ipc_max_index(&sets);
    return copy_to_user(buf, &si, sizeof(si)) ? -EFAULT : max < 0 ? 0 : max;
}

size_t sem_proc_text(char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "       key      semid perms      nsems   uid   gid  cuid  cgid      otime"
                                           "      ctime\n");
    for (int i = 0, id; i < IPC_SLOTS && n < size; i++) {
        struct sem_set *s = (struct sem_set *)ipc_at_index(&sets, i, &id);
        if (!s)
            continue;
        const struct ipc64_perm *p = &s->ds.perm;
        n += (size_t)snprintf(buf + n, size - n, "%10d %10d  %4o %10u %5u %5u %5u %5u %10llu %10llu\n", p->key, id,
                              p->mode, (unsigned)s->ds.nsems, p->uid, p->gid, p->cuid, p->cgid,
                              (unsigned long long)s->ds.otime, (unsigned long long)s->ds.ctime);
    }
    return n < size ? n : size - 1;
}

SYSCALL(semctl)
{
    int id = (int)a0, num = (int)a1, cmd = (int)a2;
    uint64_t arg = a3;
    if (id < 0)
        return -EINVAL;
    struct sem_set *s;
    int full_id = 0;
    switch (cmd) {
    case IPC_INFO: case SEM_INFO:
        return sem_info(cmd, arg);
    case SEM_STAT: case SEM_STAT_ANY:
        if (!(s = (struct sem_set *)ipc_at_index(&sets, id, &full_id)))
            return -EINVAL;
        if (cmd == SEM_STAT && !ipc_allowed(&s->ds.perm, 4))
            return -EACCES;            /* SEM_STAT_ANY is /proc/sysvipc's view: no check */
        return copy_to_user(arg, &s->ds, sizeof(s->ds)) ? -EFAULT : full_id;
    case IPC_STAT: case IPC_SET: case IPC_RMID: case GETALL: case SETALL:
    case GETPID: case GETVAL: case GETNCNT: case GETZCNT: case SETVAL:
        break;
    default: {
        static bool logged;
        if (!logged) {
            logged = true;
            kinfo("semctl: command %d not supported, returning EINVAL\n", cmd);
        }
        return -EINVAL;
    }
    }
    if (cmd == SETVAL && ((int)arg < 0 || (int)arg > SEMVMX))
        return -ERANGE;                /* semctl_setval checks the value first */
    if (!(s = lookup(id)))
        return -EINVAL;
    uint64_t n = s->ds.nsems;
    bool one = cmd == GETPID || cmd == GETVAL || cmd == GETNCNT || cmd == GETZCNT || cmd == SETVAL;
    if (one && (num < 0 || (uint64_t)num >= n))
        return -EINVAL;
    switch (cmd) {
    case IPC_STAT:
        if (!ipc_allowed(&s->ds.perm, 4))
            return -EACCES;
        return copy_to_user(arg, &s->ds, sizeof(s->ds)) ? -EFAULT : 0;
    case GETPID: case GETVAL: case GETNCNT: case GETZCNT:
        if (!ipc_allowed(&s->ds.perm, 4))
            return -EACCES;
        return cmd == GETPID ? s->sems[num].pid : cmd == GETVAL ? s->sems[num].val
                                                : count_waiters(s, num, cmd == GETZCNT);
    case GETALL: {
        if (!ipc_allowed(&s->ds.perm, 4))
            return -EACCES;
        for (uint64_t i = 0; i < n; i++) {
            uint16_t v = (uint16_t)s->sems[i].val;
            if (copy_to_user(arg + i * sizeof(v), &v, sizeof(v)))
                return -EFAULT;
        }
        return 0;
    }
    case SETVAL: {
        int v = (int)arg;
        if (!ipc_allowed(&s->ds.perm, 2))
            return -EACCES;
        clear_undo(s, num);
        s->sems[num] = (struct sem){ v, current_process()->pid };
        s->ds.ctime = ipc_now_s();
        s->generation++;
        return 0;
    }
    case SETALL: {
        if (!ipc_allowed(&s->ds.perm, 2))
            return -EACCES;
        uint16_t *v = kmalloc(n * sizeof(*v));
        if (!v)
            return -ENOMEM;
        if (copy_from_user(v, arg, n * sizeof(*v))) {
            kfree(v);
            return -EFAULT;
        }
        for (uint64_t i = 0; i < n; i++)
            if (v[i] > SEMVMX) {
                kfree(v);
                return -ERANGE;
            }
        clear_undo(s, -1);
        for (uint64_t i = 0; i < n; i++)
            s->sems[i] = (struct sem){ v[i], current_process()->pid };
        kfree(v);
        s->ds.ctime = ipc_now_s();
        s->generation++;
        return 0;
    }
    case IPC_SET: {
        struct semid64_ds ds;
        if (copy_from_user(&ds, arg, sizeof(ds)))
            return -EFAULT;
        if (!ipc_owner(&s->ds.perm))
            return -EPERM;
        ipc_set_perm(&s->ds.perm, &ds.perm);
        s->ds.ctime = ipc_now_s();
        return 0;
    }
    default:                           /* IPC_RMID */
        if (!ipc_owner(&s->ds.perm))
            return -EPERM;
        ipc_remove(&sets, id);
        s->removed = true;
        if (!s->waiters)
            free_set(s);
        return 0;
    }
}

bool sem_has_undo(int pid)
{
    for (struct sem_undo *u = undos; u; u = u->next)
        if (u->pid == pid)
            return true;
    return false;
}

void sem_exit(int pid)
{
    for (struct sem_undo **p = &undos; *p;) {
        struct sem_undo *u = *p;
        if (u->pid != pid) {
            p = &u->next;
            continue;
        }
        *p = u->next;
        struct sem_set *s = u->set;
        for (uint64_t i = 0; i < s->ds.nsems; i++) {
            if (!u->adj[i])
                continue;
            int v = s->sems[i].val + u->adj[i];
            s->sems[i].val = v < 0 ? 0 : v > SEMVMX ? SEMVMX : v;
            s->sems[i].pid = pid;
        }
        s->ds.otime = ipc_now_s();
        s->generation++;
        kfree(u);
    }
}
