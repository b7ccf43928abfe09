/* eventfd: a 64-bit counter as a file. write adds, read takes the whole count (or 1 in semaphore
 * mode); the count never reaches 2^64-1, so a write that would get there waits or is EAGAIN. */
#include "kernel.h"
#include "signal.h"
#include "file.h"
#include "pipe.h"
#include "aio.h"
#include "mm.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

#define EFD_MAX UINT64_MAX

struct eventfd {
    uint64_t count;
    bool semaphore;
    uint64_t want;             /* the value a blocked write waits to add */
    int id;                    /* fdinfo's eventfd-id (Linux's: from an IDA; here in creation order) */
};

static bool has_count(void *arg) { return ((struct eventfd *)arg)->count > 0; }

static bool has_room(void *arg)
{
    struct eventfd *e = arg;
    return EFD_MAX - e->count > e->want;
}

static int64_t eventfd_read(struct file *f, void *kbuf, uint64_t len, uint64_t off, bool use_off)
{
    struct eventfd *e = f->priv;
    if (len < sizeof(uint64_t))
        return -EINVAL;
    if (e->count == 0) {
        if (file_nonblock(f))
            return -EAGAIN;
        if (wait_until(has_count, e, WAIT_FOREVER))
            return -ERESTARTSYS;
    }
    uint64_t value = e->semaphore ? 1 : e->count;
    e->count -= value;
    memcpy(kbuf, &value, sizeof(value));
    file_wake(f, POLLOUT);
    return sizeof(value);
}

/* Linux's eventfd_signal: from a kernel completion (AIO's IOCB_FLAG_RESFD), which cannot wait:
 * the count stops just below the value no write may reach. */
void eventfd_signal(struct file *f, uint64_t n)
{
    struct eventfd *e = f->priv;
    if (n > EFD_MAX - 1 - e->count)
        n = EFD_MAX - 1 - e->count;
    e->count += n;
    if (n)
        file_wake(f, POLLIN);
}

static int64_t eventfd_write(struct file *f, const void *kbuf, uint64_t len)
{
    struct eventfd *e = f->priv;
    uint64_t value;
    if (len < sizeof(uint64_t))
        return -EINVAL;
    memcpy(&value, kbuf, sizeof(value));
    if (value == EFD_MAX)
        return -EINVAL;
    if (EFD_MAX - e->count <= value) {
        if (file_nonblock(f))
            return -EAGAIN;
        e->want = value;
        if (wait_until(has_room, e, WAIT_FOREVER))
            return -ERESTARTSYS;
    }
    e->count += value;
    if (value)
        file_wake(f, POLLIN);
    return sizeof(value);
}

/* Linux's eventfd_poll: readable with a count, writable while another 1 fits, and an error
 * state at the count no write can produce (only a read overflow could). Plain POLLIN and POLLOUT:
 * Linux's eventfd sets neither RDNORM nor WRNORM. */
static uint32_t eventfd_poll(struct file *f)
{
    struct eventfd *e = f->priv;
    uint32_t mask = 0;
    if (e->count > 0)
        mask |= POLLIN;
    if (e->count == EFD_MAX)
        mask |= POLLERR;
    if (EFD_MAX - 1 > e->count)
        mask |= POLLOUT;
    return mask;
}

/* An anonymous inode: no file type bits, owner read/write, as Linux reports. */
static int eventfd_stat(struct file *f, struct linux_stat *st)
{
    st->st_dev = 0xd;
    st->st_mode = 0600;
    st->st_nlink = 1;
    st->st_blksize = PAGE_SIZE;
    return 0;
}

static void eventfd_release(struct file *f) { kfree(f->priv); }

/* Linux 6.1's eventfd_show_fdinfo (eventfd-semaphore came in 6.5). */
static size_t eventfd_fdinfo(struct file *f, char *buf, size_t size)
{
    struct eventfd *e = f->priv;
    return (size_t)snprintf(buf, size, "eventfd-count: %16lx\neventfd-id: %d\n", e->count, e->id);
}

static const struct file_ops eventfd_ops = {
    .kind = FILE_EVENTFD,
    .read = eventfd_read,
    .write = eventfd_write,
    .poll = eventfd_poll,
    .stat = eventfd_stat,
    .release = eventfd_release,
    .show_fdinfo = eventfd_fdinfo,
    .seekable = true,          /* lseek is accepted and changes nothing, as on Linux */
};

struct file *eventfd_create(uint64_t count, int flags)
{
    struct eventfd *e = kzalloc(sizeof(*e));
    if (!e)
        return NULL;
    e->count = count;
    e->semaphore = flags & EFD_SEMAPHORE;
    static int next_id;
    e->id = next_id++;
    struct file *f = file_alloc(&eventfd_ops, e, O_RDWR | (flags & O_NONBLOCK));
    if (!f)
        kfree(e);
    return f;
}
