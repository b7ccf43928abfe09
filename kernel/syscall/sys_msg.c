/* SysV message queues (Linux's ipc/msg.c): msgget, msgsnd, msgrcv, msgctl, with Linux's
 * default limits (kernel.msgmax 8192, msgmnb 16384), ids (sysv_ipc.c: a stale id is EINVAL)
 * and errnos.
 * A blocked msgsnd or msgrcv wakes with EIDRM when the queue is removed and with EINTR for a
 * signal (Linux's ERESTARTNOHAND). MSG_COPY (checkpoint/restore) is not supported: ENOSYS. */
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

#define MSG_NOERROR 010000
#define MSG_EXCEPT  020000
#define MSG_COPY    040000

#define MSGSSZ 16
#define MSGSEG 0xffff
#define MSG_STAT     11
#define MSG_INFO     12
#define MSG_STAT_ANY 13

/* struct msginfo (IPC_INFO, MSG_INFO). */
struct msginfo {
    int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
    uint16_t msgseg;
};

struct msqid64_ds {
    struct ipc64_perm perm;
    int64_t stime, rtime, ctime;
    uint64_t cbytes, qnum, qbytes;
    int32_t lspid, lrpid;
    uint64_t unused4, unused5;
};
_Static_assert(sizeof(struct msqid64_ds) == 120, "arm64's struct msqid64_ds");

struct msg {
    struct msg *next;
    int64_t type;
    uint64_t len;
    char text[];
};

struct msq {
    struct msqid64_ds ds;
    struct msg *head;
    int waiters;                    /* threads asleep on it: it is freed when the last goes */
    bool removed;
};

static struct ipc_ids queues;

static struct msq *lookup(int id) { return (struct msq *)ipc_lookup(&queues, id); }

SYSCALL(msgget)
{
    int key = (int)a0, flags = (int)a1;
    struct ipc64_perm *found;
    int id = ipc_find_key(&queues, key, &found);
    if (found) {
        int err = ipc_get_existing(found, flags);
        return err ? err : id;
    }
    if (key != IPC_PRIVATE && !(flags & IPC_CREAT))
        return -ENOENT;
    struct msq *q = kzalloc(sizeof(*q));
    if (!q)
        return -ENOMEM;
    if ((id = ipc_add(&queues, &q->ds.perm, key, flags)) < 0) {
        kfree(q);
        return id;
    }
    q->ds.ctime = ipc_now_s();
    q->ds.qbytes = MSGMNB;
    return id;
}

static void free_queue(struct msq *q)
{
    while (q->head) {
        struct msg *m = q->head;
        q->head = m->next;
        kfree(m);
    }
    kfree(q);
}

static void release_waiter(struct msq *q)
{
    if (--q->waiters == 0 && q->removed)
        free_queue(q);
}

static bool fits(struct msq *q, uint64_t len)
{
    return q->ds.cbytes + len <= q->ds.qbytes && q->ds.qnum + 1 <= q->ds.qbytes;
}

struct send_wait { struct msq *q; uint64_t len; };

static bool can_send(void *arg)
{
    struct send_wait *w = arg;
    return w->q->removed || fits(w->q, w->len);
}

SYSCALL(msgsnd)
{
    int id = (int)a0, flags = (int)a3;
    uint64_t len = a2;
    int64_t type;
    if (copy_from_user(&type, a1, sizeof(type)))
        return -EFAULT;
    if (len > MSGMAX || (int64_t)len < 0 || id < 0)
        return -EINVAL;
    if (type < 1)
        return -EINVAL;
    struct msg *m = kmalloc(sizeof(*m) + (len ? len : 1));
    if (!m)
        return -ENOMEM;
    m->next = NULL;
    m->type = type;
    m->len = len;
    if (len && copy_from_user(m->text, a1 + sizeof(type), len)) {
        kfree(m);
        return -EFAULT;
    }
    struct msq *q = lookup(id);
    int err = !q ? -EINVAL : !ipc_allowed(&q->ds.perm, 2) ? -EACCES : 0;
    while (!err && !fits(q, len)) {
        if (flags & IPC_NOWAIT) {
            err = -EAGAIN;
            break;
        }
        struct send_wait w = { q, len };
        q->waiters++;
        int r = wait_until(can_send, &w, WAIT_FOREVER);
        bool gone = q->removed;
        release_waiter(q);
        if (gone)
            err = -EIDRM;
        else if (r)
            err = -ERESTARTNOHAND;
    }
    if (err) {
        kfree(m);
        return err;
    }
    struct msg **tail = &q->head;
    while (*tail)
        tail = &(*tail)->next;
    *tail = m;
    q->ds.cbytes += len;
    q->ds.qnum++;
    q->ds.lspid = current_process()->pid;
    q->ds.stime = ipc_now_s();
    return 0;
}

/* The message msgrcv takes: the first, the first of the type (or, MSG_EXCEPT, of another
 * type), or for a negative type the first of the lowest type up to -type. */
static struct msg **find(struct msq *q, int64_t type, int flags)
{
    struct msg **best = NULL;
    for (struct msg **p = &q->head; *p; p = &(*p)->next) {
        int64_t t = (*p)->type;
        if (type == 0)
            return p;
        if (type > 0 && ((flags & MSG_EXCEPT) ? t != type : t == type))
            return p;
        if (type < 0 && t <= -type && (!best || t < (*best)->type))
            best = p;
    }
    return best;
}

struct recv_wait { struct msq *q; int64_t type; int flags; };

static bool can_receive(void *arg)
{
    struct recv_wait *w = arg;
    return w->q->removed || find(w->q, w->type, w->flags);
}

SYSCALL(msgrcv)
{
    int id = (int)a0, flags = (int)a4;
    uint64_t size = a2;
    int64_t type = (int64_t)a3;
    if (id < 0 || (int64_t)size < 0)
        return -EINVAL;
    if (flags & MSG_COPY) {
        static bool logged;
        if (!logged) {
            logged = true;
            kinfo("msgrcv: MSG_COPY not supported, returning ENOSYS\n");
        }
        return -ENOSYS;
    }
    struct msq *q = lookup(id);
    if (!q)
        return -EINVAL;
    if (!ipc_allowed(&q->ds.perm, 4))
        return -EACCES;
    struct msg **p;
    while (!(p = find(q, type, flags))) {
        if (flags & IPC_NOWAIT)
            return -ENOMSG;
        struct recv_wait w = { q, type, flags };
        q->waiters++;
        int r = wait_until(can_receive, &w, WAIT_FOREVER);
        bool gone = q->removed;
        release_waiter(q);
        if (gone)
            return -EIDRM;
        if (r)
            return -ERESTARTNOHAND;
    }
    struct msg *m = *p;
    if (m->len > size && !(flags & MSG_NOERROR))
        return -E2BIG;
    uint64_t n = m->len < size ? m->len : size;
    if (copy_to_user(a1, &m->type, sizeof(m->type)) || (n && copy_to_user(a1 + sizeof(m->type), m->text, n)))
        return -EFAULT;
    *p = m->next;
    q->ds.cbytes -= m->len;
    q->ds.qnum--;
    q->ds.lrpid = current_process()->pid;
    q->ds.rtime = ipc_now_s();
    kfree(m);
    return (int64_t)n;
}

/* Linux's msgctl_info: the limits; MSG_INFO replaces three of them with what is in use (queues,
 * messages, bytes). The highest index in use is the answer. */
static int msg_info(int cmd, uint64_t buf)
{
    struct msginfo mi;
    memset(&mi, 0, sizeof(mi));        /* its padding reaches the caller too */
    mi.msgmni = MSGMNI;
    mi.msgmax = MSGMAX;
    mi.msgmnb = MSGMNB;
    mi.msgssz = MSGSSZ;
    mi.msgseg = MSGSEG;
    mi.msgpool = MSGMNI * MSGMNB / 1024;   /* the unused limits: MSGPOOL, MSGMAP, MSGTQL */
    mi.msgmap = mi.msgtql = MSGMNB;
    if (cmd == MSG_INFO) {
        int id;
        mi.msgpool = ipc_in_use(&queues);
        mi.msgmap = mi.msgtql = 0;
        for (int i = 0; i < IPC_SLOTS; i++) {
            struct msq *q = (struct msq *)ipc_at_index(&queues, i, &id);
            if (q) {
                mi.msgmap += (int32_t)q->ds.qnum;
                mi.msgtql += (int32_t)q->ds.cbytes;
            }
        }
    }
    int max = ipc_max_index(&queues);
    return copy_to_user(buf, &mi, sizeof(mi)) ? -EFAULT : max < 0 ? 0 : max;
}

size_t msg_proc_text(char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid"
                                           "  cuid  cgid      stime      rtime      ctime\n");
    for (int i = 0, id; i < IPC_SLOTS && n < size; i++) {
        struct msq *q = (struct msq *)ipc_at_index(&queues, i, &id);
        if (!q)
            continue;
        const struct ipc64_perm *p = &q->ds.perm;
        n += (size_t)snprintf(buf + n, size - n,
                              "%10d %10d  %4o  %10lu %10lu %5u %5u %5u %5u %5u %5u %10llu %10llu %10llu\n",
                              p->key, id, p->mode, q->ds.cbytes, q->ds.qnum, q->ds.lspid, q->ds.lrpid, p->uid, p->gid,
                              p->cuid, p->cgid, (unsigned long long)q->ds.stime, (unsigned long long)q->ds.rtime,
                              (unsigned long long)q->ds.ctime);
    }
    return n < size ? n : size - 1;
}

SYSCALL(msgctl)
{
    int id = (int)a0, cmd = (int)a1;
    static bool logged;
    bool by_index = cmd == MSG_STAT || cmd == MSG_STAT_ANY;
    bool supported = cmd == IPC_RMID || cmd == IPC_SET || cmd == IPC_STAT || cmd == IPC_INFO || cmd == MSG_INFO ||
                     by_index;
    int bad = ipc_ctl_check("msgctl", id, cmd, supported, &logged);
    if (bad)
        return bad;
    if (cmd == IPC_INFO || cmd == MSG_INFO)
        return msg_info(cmd, a2);
    struct msqid64_ds ds;
    if (cmd == IPC_SET && copy_from_user(&ds, a2, sizeof(ds)))
        return -EFAULT;
    int full_id = 0;
    struct msq *q = by_index ? (struct msq *)ipc_at_index(&queues, id, &full_id) : lookup(id);
    if (!q)
        return -EINVAL;
    if (cmd == IPC_STAT || by_index) {
        /* MSG_STAT_ANY is /proc/sysvipc's view: no read permission needed */
        if (cmd != MSG_STAT_ANY && !ipc_allowed(&q->ds.perm, 4))
            return -EACCES;
        return copy_to_user(a2, &q->ds, sizeof(q->ds)) ? -EFAULT : full_id;
    }
    if (!ipc_owner(&q->ds.perm))
        return -EPERM;
    if (cmd == IPC_SET) {
        if (ds.qbytes > MSGMNB && current_process()->cred.euid != 0)
            return -EPERM;
        q->ds.qbytes = ds.qbytes;
        ipc_set_perm(&q->ds.perm, &ds.perm);
        q->ds.ctime = ipc_now_s();
        return 0;
    }
    ipc_remove(&queues, id);
    q->removed = true;
    if (!q->waiters)
        free_queue(q);
    return 0;
}
