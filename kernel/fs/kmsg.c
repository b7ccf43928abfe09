/* /dev/kmsg (character device 1:11): the kernel log (klog.c, the ring syslog(2) reads) as Linux
 * 6.1's devkmsg_* serve it. Each open file has its own position, a record number: a read
 * returns one record as "prio,seq,usec,flags;text\n" (EINVAL when the buffer cannot hold it, which skips it,
 * EAGAIN at the end when non-blocking, EPIPE once when the ring dropped records the reader had
 * not read, which moves it to the oldest kept); lseek takes offset 0 only, to the first record
 * (SEEK_SET), the first after SYSLOG_ACTION_CLEAR (SEEK_DATA) or the end (SEEK_END); a write
 * adds one record of the user facility, "<N>" at its start setting the priority. */
#include "kernel.h"
#include "file.h"
#include "kfile.h"
#include "klog.h"
#include "process.h"
#include "thread.h"
#include "wait.h"
#include "mm.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

#define CAP_SYSLOG 34
#define LOG_USER_FACILITY 1
#define DEFAULT_MESSAGE_LOGLEVEL 4     /* CONFIG_MESSAGE_LOGLEVEL_DEFAULT */
/* Linux's CONSOLE_EXT_LOG_MAX: a formatted record (prefix, escaped text) fits. */
#define EXT_RECORD_MAX 8192
/* printk_devkmsg=ratelimit, Linux's default: each open file writes at most a burst of 10
 * records per 5 s (DEFAULT_RATELIMIT_*); the rest are dropped (the write still says it took
 * them) and counted in one line at the file's release (RATELIMIT_MSG_ON_RELEASE). */
#define RATELIMIT_INTERVAL_NS (5ULL * 1000000000)
#define RATELIMIT_BURST 10

struct kmsg_reader {
    uint64_t seq;                      /* the next record this file reads */
    struct file *file;
    uint64_t rl_begin_ns;              /* the ratelimit's window */
    int rl_printed, rl_missed;
    struct kmsg_reader *next;          /* every open /dev/kmsg file, for the wake-ups */
};

static struct kmsg_reader *readers;

void kmsg_record_added(void)
{
    for (struct kmsg_reader *r = readers; r; r = r->next)
        file_wake(r->file, POLLIN | POLLRDNORM);
}

static bool has_record(void *arg) { return ((struct kmsg_reader *)arg)->seq < klog_seq_next(); }

/* msg_print_ext_header + msg_print_ext_body: bytes outside printable ASCII, and '\', as \xNN. */
static size_t format(char *out, size_t size, int prio, uint64_t seq, uint64_t usec, const char *text, size_t len)
{
    size_t n = (size_t)snprintf(out, size, "%d,%lu,%lu,-;", prio, seq, usec);
    for (size_t i = 0; i < len && n + 5 < size; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < ' ' || c >= 127 || c == '\\')
            n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
        else
            out[n++] = (char)c;
    }
    out[n++] = '\n';
    return n;
}

static int64_t kmsg_read(struct file *f, void *kbuf, uint64_t len, uint64_t offset, bool use_offset)
{
    struct kmsg_reader *r = f->priv;
    if (!has_record(r)) {
        if (file_nonblock(f))
            return -EAGAIN;
        if (wait_until(has_record, r, WAIT_FOREVER))
            return -ERESTARTSYS;
    }
    char *text = kmalloc(KLOG_RECORD_MAX), *out = kmalloc(EXT_RECORD_MAX);
    int64_t ret;
    int prio;
    uint64_t usec, seq = r->seq;
    size_t tlen;
    if (!text || !out) {
        ret = -ENOMEM;
    } else if (!klog_record(&seq, &prio, &usec, text, KLOG_RECORD_MAX, &tlen)) {
        ret = -EAGAIN;                 /* cannot be: has_record held */
    } else if (seq != r->seq) {
        r->seq = seq;                  /* what it had not read is gone: say so once */
        ret = -EPIPE;
    } else {
        size_t n = format(out, EXT_RECORD_MAX, prio, seq, usec, text, tlen);
        r->seq++;                      /* even when it does not fit: Linux skips it then */
        if (n > len) {
            ret = -EINVAL;
        } else {
            memcpy(kbuf, out, n);
            ret = (int64_t)n;
        }
    }
    kfree(text);
    kfree(out);
    return ret;
}

/* devkmsg_write: one record; a leading "<N>" (N decimal) is its priority, the facility
 * staying the user's when N names none; a trailing newline ends the text. */
static int64_t kmsg_write(struct file *f, const void *kbuf, uint64_t len)
{
    struct kmsg_reader *r = f->priv;
    if (len > KLOG_RECORD_MAX)
        return -EINVAL;
    uint64_t now = wait_now_ns();
    if (!r->rl_begin_ns || now - r->rl_begin_ns >= RATELIMIT_INTERVAL_NS) {
        r->rl_begin_ns = now;
        r->rl_printed = 0;
    }
    if (r->rl_printed >= RATELIMIT_BURST) {
        r->rl_missed++;
        return (int64_t)len;
    }
    r->rl_printed++;
    const char *text = kbuf;
    size_t n = len;
    int level = DEFAULT_MESSAGE_LOGLEVEL, facility = LOG_USER_FACILITY;
    if (n && text[0] == '<') {
        size_t i = 1;
        unsigned long u = 0;
        while (i < n && text[i] >= '0' && text[i] <= '9')
            u = u * 10 + (unsigned long)(text[i++] - '0');
        if (i < n && text[i] == '>') {  /* simple_strtoul: "<>" is 0 too */
            level = (int)(u & 7);
            if ((u >> 3) & 0xff)         /* LOG_FACILITY */
                facility = (int)((u >> 3) & 0xff);
            text += i + 1;
            n -= i + 1;
        }
    }
    if (n && text[n - 1] == '\n')
        n--;
    klog_write_record(facility << 3 | level, text, n);
    return (int64_t)len;
}

/* devkmsg_poll: readable with a record to read, and an error too when records it had not read
 * were dropped. */
static uint32_t kmsg_poll(struct file *f)
{
    struct kmsg_reader *r = f->priv;
    if (!has_record(r))
        return 0;
    return r->seq < klog_seq_first() ? POLLIN | POLLRDNORM | POLLERR | POLLPRI : POLLIN | POLLRDNORM;
}

static int64_t kmsg_llseek(struct file *f, int64_t offset, int whence)
{
    struct kmsg_reader *r = f->priv;
    if (offset)
        return -ESPIPE;
    switch (whence) {
    case SEEK_SET: r->seq = klog_seq_first(); return 0;
    case SEEK_DATA: r->seq = klog_seq_clear(); return 0;
    case SEEK_END: r->seq = klog_seq_next(); return 0;
    default: return -EINVAL;
    }
}

static int kmsg_stat(struct file *f, struct linux_stat *st)
{
    st->st_dev = 5;
    st->st_mode = S_IFCHR | 0644;
    st->st_nlink = 1;
    st->st_blksize = PAGE_SIZE;
    st->st_rdev = (1 << 8) | 11;
    return 0;
}

static void kmsg_release(struct file *f)
{
    struct kmsg_reader *r = f->priv;
    if (r->rl_missed) {
        char line[96];
        struct thread *t = current_thread();
        int n = snprintf(line, sizeof(line), "printk: %s: %d output lines suppressed due to ratelimiting",
                         t ? t->comm : "", r->rl_missed);
        klog_write_record(5, line, (size_t)n);   /* pr_notice */
    }
    for (struct kmsg_reader **pp = &readers; *pp; pp = &(*pp)->next)
        if (*pp == r) {
            *pp = r->next;
            break;
        }
    kfree(r);
}

static const struct file_ops kmsg_ops = {
    .kind = FILE_NULL,                 /* a device: nothing to map */
    .read = kmsg_read,
    .write = kmsg_write,
    .poll = kmsg_poll,
    .llseek = kmsg_llseek,
    .stat = kmsg_stat,
    .release = kmsg_release,
    .seekable = true,
};

/* devkmsg_open: a reader needs what syslog's READ_ALL needs (dmesg_restrict: CAP_SYSLOG, or
 * CAP_SYS_ADMIN as Linux still accepts); it starts at the oldest record. */
static struct file *kmsg_open(const char *path, int flags)
{
    struct process *p = current_process();
    if ((flags & O_ACCMODE) != O_WRONLY && !process_capable(p, CAP_SYSLOG) && !process_capable(p, CAP_SYS_ADMIN))
        return kfile_fail(-EPERM);
    struct kmsg_reader *r = kzalloc(sizeof(*r));
    if (!r)
        return NULL;
    struct file *f = file_alloc(&kmsg_ops, r, flags);
    if (!f) {
        kfree(r);
        return NULL;
    }
    r->seq = klog_seq_first();
    r->file = f;
    r->next = readers;
    readers = r;
    return f;
}

void kmsg_init(void)
{
    kfile_register_device("/dev/kmsg", kmsg_open, S_IFCHR | 0644, (1 << 8) | 11, 0);
}
