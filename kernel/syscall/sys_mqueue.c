/* POSIX message queues (Linux's ipc/mqueue.c): mq_open, mq_unlink, mq_timedsend,
 * mq_timedreceive, mq_notify, mq_getsetattr. A queue is named in one flat namespace (what
 * Linux's mqueue file system holds: glibc strips the leading '/'), lives while it is named or
 * open, and its descriptors (always close-on-exec, as Linux makes them) read as Linux's status
 * line and poll readable/writable. Messages leave highest priority first, in order within a
 * priority. Limits are Linux's defaults (fs.mqueue: msg_max 10, msgsize_max 8192, queues_max
 * 256; 10 and 8192 when no attributes are given). mq_notify supports SIGEV_NONE and
 * SIGEV_SIGNAL; SIGEV_THREAD needs a netlink socket, which glibc cannot open here. */
#include "kernel.h"
#include "linux_abi.h"
#include "syscall.h"
#include "process.h"
#include "file.h"
#include "signal.h"
#include "timer.h"
#include "uaccess.h"
#include "wait.h"
#include "mm.h"
#include "errno.h"
#include "sysctl_limits.h"
#include <string.h>

#define NAME_MAX     255
#define MQ_PRIO_MAX  32768
#define MSG_MAX      MQ_MSG_MAX
#define MSGSIZE_MAX  MQ_MSGSIZE_MAX
#define QUEUES_MAX   MQ_QUEUES_MAX
#define SIGEV_SIGNAL 0
#define SIGEV_NONE   1
#define SIGEV_THREAD 2
#define SI_MESGQ     (-3)

struct mq_attr {
    int64_t flags, maxmsg, msgsize, curmsgs;
    int64_t reserved[4];
};

struct sigevent_k {
    uint64_t value;
    int32_t signo, notify;
    int32_t pad[12];
};

struct mq_msg {
    struct mq_msg *next;
    unsigned prio;
    uint64_t len;
    char text[];
};

struct mq_open_file {
    struct mq_open_file *next;
    struct file *file;
};

struct mqueue {
    char name[NAME_MAX + 1];    /* "" once unlinked */
    struct mq_open_file *files; /* to wake their pollers */
    int opens;                  /* open files */
    struct mq_msg *head;        /* highest priority first */
    int64_t maxmsg, msgsize, curmsgs;
    uint64_t bytes;
    uint32_t mode, uid, gid;
    int notify_pid;             /* 0: no registration */
    struct sigevent_k notify;
};

static struct mqueue *queues[QUEUES_MAX];

static struct mqueue *find(const char *name)
{
    for (int i = 0; i < QUEUES_MAX; i++)
        if (queues[i] && !strcmp(queues[i]->name, name))
            return queues[i];
    return NULL;
}

static void maybe_free(struct mqueue *q)
{
    if (q->opens || q->name[0])
        return;
    while (q->head) {
        struct mq_msg *m = q->head;
        q->head = m->next;
        kfree(m);
    }
    kfree(q);
}

static int64_t mq_read(struct file *f, void *kbuf, uint64_t len, uint64_t off, bool use_off)
{
    struct mqueue *q = f->priv;
    char line[96];
    int n = snprintf(line, sizeof(line), "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n", q->bytes,
                     q->notify_pid ? q->notify.notify : 0,
                     q->notify_pid && q->notify.notify == SIGEV_SIGNAL ? q->notify.signo : 0, q->notify_pid);
    uint64_t pos = use_off ? off : f->offset;
    if (pos >= (uint64_t)n)
        return 0;
    uint64_t c = (uint64_t)n - pos < len ? (uint64_t)n - pos : len;
    memcpy(kbuf, line + pos, c);
    if (!use_off)
        f->offset += c;
    return (int64_t)c;
}

static uint32_t mq_poll(struct file *f)
{
    struct mqueue *q = f->priv;
    return (q->curmsgs ? POLLIN | POLLRDNORM : 0) | (q->curmsgs < q->maxmsg ? POLLOUT | POLLWRNORM : 0);
}

static void mq_release(struct file *f)
{
    struct mqueue *q = f->priv;
    for (struct mq_open_file **p = &q->files; *p; p = &(*p)->next)
        if ((*p)->file == f) {
            struct mq_open_file *o = *p;
            *p = o->next;
            kfree(o);
            break;
        }
    if (q->notify_pid == current_process()->pid)
        q->notify_pid = 0;         /* mqueue_flush_file: the owner closed it */
    q->opens--;
    maybe_free(q);
}

static const struct file_ops mq_ops = {
    .kind = FILE_MQUEUE, .read = mq_read, .poll = mq_poll, .release = mq_release,
    .seekable = true,          /* a file on Linux's mqueue file system: lseek and pread work */
};

static struct file *mq_file(int fd)
{
    struct file *f = fd_get(current_process(), fd);
    return f && f->ops == &mq_ops ? f : NULL;
}

/* Every open file of q learns of a change (poll, epoll). */
static void wake_files(struct mqueue *q, uint32_t events)
{
    for (struct mq_open_file *o = q->files; o; o = o->next)
        file_wake(o->file, events);
}

static int name_from_user(uint64_t uname, char *name)
{
    int64_t n = strncpy_from_user(name, uname, NAME_MAX + 1);
    if (n < 0)
        return n == -ENAMETOOLONG ? -ENAMETOOLONG : (int)n;
    if (n > NAME_MAX)
        return -ENAMETOOLONG;
    if (!n || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
        return -EACCES;        /* lookup_one_len's refusals */
    return 0;
}

SYSCALL(mq_open)
{
    char name[NAME_MAX + 2];
    int flags = (int)a1;
    int err = name_from_user(a0, name);
    if (err)
        return err;
    struct mq_attr attr;
    if ((flags & O_CREAT) && a3 && copy_from_user(&attr, a3, sizeof(attr)))
        return -EFAULT;
    if ((flags & O_ACCMODE) == O_ACCMODE)
        return -EINVAL;
    struct mqueue *q = find(name);
    if (q && (flags & O_CREAT) && (flags & O_EXCL))
        return -EEXIST;
    if (!q && !(flags & O_CREAT))
        return -ENOENT;
    if (!q) {
        int64_t maxmsg = MSG_MAX, msgsize = MSGSIZE_MAX;
        if (a3) {
            if (attr.maxmsg <= 0 || attr.msgsize <= 0 || attr.maxmsg > MSG_MAX || attr.msgsize > MSGSIZE_MAX)
                return -EINVAL;
            maxmsg = attr.maxmsg;
            msgsize = attr.msgsize;
        }
        int slot = 0;
        while (slot < QUEUES_MAX && queues[slot])
            slot++;
        if (slot == QUEUES_MAX)
            return -ENOSPC;
        q = kzalloc(sizeof(*q));
        if (!q)
            return -ENOMEM;
        memcpy(q->name, name, strlen(name) + 1);
        q->maxmsg = maxmsg;
        q->msgsize = msgsize;
        struct creds *c = &current_process()->cred;
        q->mode = (uint32_t)a2 & 0777 & ~current_process()->umask;
        q->uid = c->euid;
        q->gid = c->egid;
        queues[slot] = q;
    } else if (current_process()->cred.euid != 0) {
        unsigned want = (flags & O_ACCMODE) == O_RDONLY ? 4 : (flags & O_ACCMODE) == O_WRONLY ? 2 : 6;
        unsigned mode = q->mode >> (current_process()->cred.euid == q->uid ? 6 : current_process()->cred.egid == q->gid ? 3 : 0);
        if ((mode & want) != want)
            return -EACCES;
    }
    struct mq_open_file *o = kmalloc(sizeof(*o));
    struct file *f = o ? file_alloc(&mq_ops, q, flags & (O_ACCMODE | O_NONBLOCK)) : NULL;
    if (!f) {
        kfree(o);
        maybe_free(q);
        return -ENOMEM;
    }
    *o = (struct mq_open_file){ q->files, f };
    q->files = o;
    q->opens++;
    int fd = fd_alloc(current_process(), f, 0, true);
    if (fd < 0)
        file_put(f);
    return fd;
}

SYSCALL(mq_unlink)
{
    char name[NAME_MAX + 2];
    int err = name_from_user(a0, name);
    if (err)
        return err;
    struct mqueue *q = find(name);
    if (!q)
        return -ENOENT;
    for (int i = 0; i < QUEUES_MAX; i++)
        if (queues[i] == q)
            queues[i] = NULL;
    q->name[0] = 0;
    maybe_free(q);
    return 0;
}

/* An absolute CLOCK_REALTIME timeout as a wait deadline; 0 with *err set when invalid. */
static int deadline_from_user(uint64_t uts, uint64_t *deadline)
{
    *deadline = WAIT_FOREVER;
    if (!uts)
        return 0;
    struct linux_timespec ts;
    if (copy_from_user(&ts, uts, sizeof(ts)))
        return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
        return -EINVAL;
    *deadline = wait_deadline_wall((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
    return 0;
}

static bool has_room(void *arg)
{
    struct mqueue *q = arg;
    return q->curmsgs < q->maxmsg;
}

static bool has_message(void *arg)
{
    struct mqueue *q = arg;
    return q->curmsgs > 0;
}

static int receivers_waiting;          /* threads in mq_timedreceive: a notification waits for none */

/* Linux's __do_notify: a message on an empty queue nobody is waiting on fires the one-shot
 * registration. */
static void notify(struct mqueue *q)
{
    if (!q->notify_pid || q->curmsgs != 1 || receivers_waiting)
        return;
    struct process *p = process_find(q->notify_pid);
    if (p && q->notify.notify == SIGEV_SIGNAL && q->notify.signo) {
        struct ksiginfo info = { .signo = q->notify.signo, .code = SI_MESGQ, .pid = current_process()->pid,
                                 .uid = current_process()->cred.uid, .value = q->notify.value };
        signal_send(p, q->notify.signo, &info);
    }
    q->notify_pid = 0;
}

SYSCALL(mq_timedsend)
{
    uint64_t len = a2, deadline;
    unsigned prio = (unsigned)a3;
    int err = deadline_from_user(a4, &deadline);
    if (err)
        return err;
    if (a3 >= MQ_PRIO_MAX)
        return -EINVAL;
    struct file *f = mq_file((int)a0);
    if (!f || (f->flags & O_ACCMODE) == O_RDONLY)
        return -EBADF;
    struct mqueue *q = f->priv;
    if ((int64_t)len > q->msgsize)
        return -EMSGSIZE;
    struct mq_msg *m = kmalloc(sizeof(*m) + (len ? len : 1));
    if (!m)
        return -ENOMEM;
    if (len && copy_from_user(m->text, a1, len)) {
        kfree(m);
        return -EFAULT;
    }
    m->prio = prio;
    m->len = len;
    while (q->curmsgs >= q->maxmsg) {
        if (file_nonblock(f)) {
            kfree(m);
            return -EAGAIN;
        }
        q->opens++;            /* keeps it while asleep */
        int r = wait_until(has_room, q, deadline);
        q->opens--;
        if (r) {
            kfree(m);
            maybe_free(q);
            return r == -ETIMEDOUT ? -ETIMEDOUT : -EINTR;
        }
    }
    struct mq_msg **p = &q->head;
    while (*p && (*p)->prio >= prio)
        p = &(*p)->next;
    m->next = *p;
    *p = m;
    q->curmsgs++;
    q->bytes += len;
    notify(q);
    wake_files(q, POLLIN | POLLRDNORM);
    return 0;
}

SYSCALL(mq_timedreceive)
{
    uint64_t len = a2, deadline;
    int err = deadline_from_user(a4, &deadline);
    if (err)
        return err;
    struct file *f = mq_file((int)a0);
    if (!f || (f->flags & O_ACCMODE) == O_WRONLY)
        return -EBADF;
    struct mqueue *q = f->priv;
    if ((int64_t)len < q->msgsize)
        return -EMSGSIZE;
    while (!q->curmsgs) {
        if (file_nonblock(f))
            return -EAGAIN;
        q->opens++;
        receivers_waiting++;
        int r = wait_until(has_message, q, deadline);
        receivers_waiting--;
        q->opens--;
        if (r) {
            maybe_free(q);
            return r == -ETIMEDOUT ? -ETIMEDOUT : -EINTR;
        }
    }
    struct mq_msg *m = q->head;
    if ((m->len && copy_to_user(a1, m->text, m->len)) || (a3 && copy_to_user(a3, &m->prio, sizeof(m->prio))))
        return -EFAULT;
    q->head = m->next;
    q->curmsgs--;
    q->bytes -= m->len;
    int64_t n = (int64_t)m->len;
    kfree(m);
    wake_files(q, POLLOUT | POLLWRNORM);
    return n;
}

SYSCALL(mq_notify)
{
    struct sigevent_k ev;
    if (a1) {
        if (copy_from_user(&ev, a1, sizeof(ev)))
            return -EFAULT;
        if (ev.notify != SIGEV_NONE && ev.notify != SIGEV_SIGNAL && ev.notify != SIGEV_THREAD)
            return -EINVAL;
        if (ev.notify == SIGEV_SIGNAL && (ev.signo < 0 || ev.signo > NSIG))
            return -EINVAL;
        if (ev.notify == SIGEV_THREAD) {
            static bool logged;
            if (!logged) {
                logged = true;
                kinfo("mq_notify: SIGEV_THREAD needs a netlink socket, returning EBADF\n");
            }
            return -EBADF;     /* what Linux says of a sigev_signo that is not a netlink socket */
        }
    }
    struct file *f = mq_file((int)a0);
    if (!f)
        return -EBADF;
    struct mqueue *q = f->priv;
    int pid = current_process()->pid;
    if (!a1) {
        if (q->notify_pid == pid)
            q->notify_pid = 0;
        return 0;
    }
    if (q->notify_pid)
        return -EBUSY;
    q->notify = ev;
    q->notify_pid = pid;
    return 0;
}

SYSCALL(mq_getsetattr)
{
    struct mq_attr set, old;
    if (a1) {
        if (copy_from_user(&set, a1, sizeof(set)))
            return -EFAULT;
        if (set.flags & ~(int64_t)O_NONBLOCK)
            return -EINVAL;
    }
    struct file *f = mq_file((int)a0);
    if (!f)
        return -EBADF;
    struct mqueue *q = f->priv;
    old = (struct mq_attr){ .flags = f->flags & O_NONBLOCK, .maxmsg = q->maxmsg, .msgsize = q->msgsize,
                            .curmsgs = q->curmsgs };
    if (a1)
        f->flags = (f->flags & ~O_NONBLOCK) | (int)(set.flags & O_NONBLOCK);
    if (a2 && copy_to_user(a2, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}
