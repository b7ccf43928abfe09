/* signalfd: the pending signals of a set, read as signalfd_siginfo records instead of delivered
 * to a handler (the program blocks them, as it must on Linux for them to stay pending). Reading
 * takes them as rt_sigtimedwait would: the reader's own pending signals first, then the
 * process's. A signal being queued wakes the signalfds whose set holds it, so poll and epoll see
 * them readable. */
#include "kernel.h"
#include "file.h"
#include "anonfd.h"
#include "signal.h"
#include "thread.h"
#include "mm.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

struct signalfd {
    uint64_t mask;
    struct file *file;
    struct signalfd *next;
};

static struct signalfd *instances;

static bool has_signal(void *arg)
{
    struct signalfd *s = arg;
    return signal_pending_set(current_thread()) & s->mask;
}

static void to_user_record(const struct ksiginfo *k, struct linux_signalfd_siginfo *r)
{
    memset(r, 0, sizeof(*r));
    r->ssi_signo = (uint32_t)k->signo;
    r->ssi_code = k->code;
    if (k->code == SI_TIMER) {         /* Linux's SIL_TIMER: the timer's id and overrun */
        r->ssi_tid = (uint32_t)k->pid;
        r->ssi_overrun = k->uid;
    } else {
        r->ssi_pid = (uint32_t)k->pid;
        r->ssi_uid = k->uid;
    }
    r->ssi_addr = k->addr;
    r->ssi_int = (int32_t)k->value;   /* SI_QUEUE: the sigval, as both its int and its pointer */
    r->ssi_ptr = k->value;
}

/* As many records as fit; it waits only for the first (Linux's signalfd_read). */
static int64_t signalfd_read(struct file *f, void *kbuf, uint64_t len, uint64_t off, bool use_off)
{
    struct signalfd *s = f->priv;
    struct thread *t = current_thread();
    if (len < sizeof(struct linux_signalfd_siginfo))
        return -EINVAL;
    if (!has_signal(s)) {
        if (file_nonblock(f))
            return -EAGAIN;
        if (wait_until(has_signal, s, WAIT_FOREVER))
            return -ERESTARTSYS;
    }
    uint64_t done = 0;
    while (len - done >= sizeof(struct linux_signalfd_siginfo) && has_signal(s)) {
        struct ksiginfo info;
        if (!signal_dequeue(t, s->mask, &info))
            break;
        to_user_record(&info, (struct linux_signalfd_siginfo *)((char *)kbuf + done));
        done += sizeof(struct linux_signalfd_siginfo);
    }
    return (int64_t)done;
}

static uint32_t signalfd_poll(struct file *f)
{
    return has_signal(f->priv) ? POLLIN | POLLRDNORM : 0;
}

static int signalfd_stat(struct file *f, struct linux_stat *st)
{
    st->st_dev = 0xd;
    st->st_mode = 0600;
    st->st_nlink = 1;
    st->st_blksize = PAGE_SIZE;
    return 0;
}

static void signalfd_release(struct file *f)
{
    struct signalfd *s = f->priv;
    for (struct signalfd **p = &instances; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    kfree(s);
}

/* signalfd_show_fdinfo: the mask as render_sigset_t writes a sigset (SIGKILL, SIGSTOP dropped). */
static size_t signalfd_fdinfo(struct file *f, char *buf, size_t size)
{
    return (size_t)snprintf(buf, size, "sigmask:\t%016lx\n", ((struct signalfd *)f->priv)->mask);
}

static const struct file_ops signalfd_ops = {
    .kind = FILE_SIGNALFD,
    .read = signalfd_read,
    .poll = signalfd_poll,
    .stat = signalfd_stat,
    .release = signalfd_release,
    .show_fdinfo = signalfd_fdinfo,
    .seekable = true,          /* Linux's noop_llseek */
};

struct file *signalfd_create(uint64_t mask, int flags)
{
    struct signalfd *s = kzalloc(sizeof(*s));
    if (!s)
        return NULL;
    s->mask = mask & ~SIG_UNBLOCKABLE;
    s->file = file_alloc(&signalfd_ops, s, O_RDWR | (flags & O_NONBLOCK));
    if (!s->file) {
        kfree(s);
        return NULL;
    }
    s->next = instances;
    instances = s;
    return s->file;
}

int signalfd_set_mask(struct file *f, uint64_t mask)
{
    if (f->ops != &signalfd_ops)
        return -EINVAL;
    struct signalfd *s = f->priv;
    s->mask = mask & ~SIG_UNBLOCKABLE;
    if (has_signal(s))
        file_wake(f, POLLIN | POLLRDNORM);
    return 0;
}

void signalfd_notify(int sig)
{
    for (struct signalfd *s = instances; s; s = s->next)
        if (s->mask & SIG_BIT(sig))
            file_wake(s->file, POLLIN | POLLRDNORM);
}
