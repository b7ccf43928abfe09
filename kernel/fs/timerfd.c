/* timerfd: a timer as a file. Reading it gives the number of expirations since the last read
 * (blocking until there is one); poll and epoll see it readable then. The expiry count is worked
 * out from the clock when someone looks (an interval timer that nobody read for a second has
 * expired a second's worth of periods, as Linux's hrtimer_forward counts them); the timer event
 * is only there to wake the waiters at the expiry. CLOCK_REALTIME times are turned into the
 * monotonic clock with the offset as it is then; when clock_settime changes it, an absolute
 * setting keeps its wall-clock time (a relative one stays on the monotonic clock, as Linux's
 * hrtimers have it) and one made with TFD_TIMER_CANCEL_ON_SET turns readable, its next read
 * ECANCELED (Linux's timerfd_clock_was_set). */
#include "kernel.h"
#include "file.h"
#include "anonfd.h"
#include "timer.h"
#include "signal.h"
#include "mm.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

struct timerfd {
    int clock;
    uint64_t next_ns;          /* the next expiry, on the monotonic clock; 0: disarmed */
    uint64_t interval_ns;
    uint64_t ticks;            /* expirations not read yet */
    int settime_flags;         /* the last timerfd_settime's TFD_TIMER_ABSTIME / CANCEL_ON_SET */
    struct timer_event event;  /* first member but one: see from_event */
    struct file *file;
    bool cancelled;            /* the clock was set under a CANCEL_ON_SET setting: read says so */
    struct timerfd *next;      /* every timerfd, for clock_settime */
};

static struct timerfd *all;

static uint64_t now_ns(void) { return counter_to_ns(counter_now()); }

static bool is_realtime(int clock) { return clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_ALARM; }

/* The clock's time minus the monotonic clock's. */
static int64_t clock_offset(int clock) { return is_realtime(clock) ? (int64_t)(time_realtime_ns() - now_ns()) : 0; }

/* Linux's might_cancel: an absolute realtime setting asked to be told of clock changes. */
static bool might_cancel(const struct timerfd *t)
{
    int need = TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET;
    return is_realtime(t->clock) && (t->settime_flags & need) == need;
}

static void catch_up(struct timerfd *t, uint64_t now)
{
    if (!t->next_ns || now < t->next_ns)
        return;
    uint64_t n = 1 + (t->interval_ns ? (now - t->next_ns) / t->interval_ns : 0);
    t->ticks += n;
    t->next_ns = t->interval_ns ? t->next_ns + n * t->interval_ns : 0;
}

static void arm(struct timerfd *t)
{
    if (t->next_ns)
        timer_event_arm(&t->event, ns_to_counter(t->next_ns));
    else
        timer_event_cancel(&t->event);
}

static void fired(struct timer_event *e)
{
    struct timerfd *t = (struct timerfd *)((char *)e - offsetof(struct timerfd, event));
    catch_up(t, now_ns());
    if (t->ticks)
        file_wake(t->file, POLLIN | POLLRDNORM);
    arm(t);
}

static bool expired(void *arg)
{
    struct timerfd *t = arg;
    return t->ticks || (t->next_ns && now_ns() >= t->next_ns) || (t->cancelled && might_cancel(t));
}

static int64_t timerfd_read(struct file *f, void *kbuf, uint64_t len, uint64_t off, bool use_off)
{
    struct timerfd *t = f->priv;
    if (len < sizeof(uint64_t))
        return -EINVAL;
    catch_up(t, now_ns());
    if (!t->ticks) {
        if (file_nonblock(f))
            return -EAGAIN;
        if (wait_until(expired, t, WAIT_FOREVER))
            return -ERESTARTSYS;
        catch_up(t, now_ns());
    }
    if (t->cancelled && might_cancel(t)) {
        t->cancelled = false;      /* the expirations counted meanwhile are dropped, as Linux's */
        t->ticks = 0;
        return -ECANCELED;
    }
    memcpy(kbuf, &t->ticks, sizeof(t->ticks));
    t->ticks = 0;
    return sizeof(uint64_t);
}

static uint32_t timerfd_poll(struct file *f)
{
    struct timerfd *t = f->priv;
    catch_up(t, now_ns());
    return t->ticks || (t->cancelled && might_cancel(t)) ? POLLIN | POLLRDNORM : 0;
}

/* An anonymous inode, as eventfd's. */
static int timerfd_stat(struct file *f, struct linux_stat *st)
{
    st->st_dev = 0xd;
    st->st_mode = 0600;
    st->st_nlink = 1;
    st->st_blksize = PAGE_SIZE;
    return 0;
}

static void timerfd_release(struct file *f)
{
    struct timerfd *t = f->priv;
    timer_event_cancel(&t->event);
    for (struct timerfd **link = &all; *link; link = &(*link)->next)
        if (*link == t) {
            *link = t->next;
            break;
        }
    kfree(t);
}

static size_t timerfd_fdinfo(struct file *f, char *buf, size_t size);

static const struct file_ops timerfd_ops = {
    .kind = FILE_TIMERFD,
    .read = timerfd_read,
    .poll = timerfd_poll,
    .stat = timerfd_stat,
    .release = timerfd_release,
    .show_fdinfo = timerfd_fdinfo,
    .seekable = true,          /* Linux's noop_llseek */
};

struct file *timerfd_create(int clock, int flags)
{
    struct timerfd *t = kzalloc(sizeof(*t));
    if (!t)
        return NULL;
    t->clock = clock;
    t->event.fire = fired;
    t->file = file_alloc(&timerfd_ops, t, O_RDWR | (flags & O_NONBLOCK));
    if (!t->file) {
        kfree(t);
        return NULL;
    }
    t->next = all;
    all = t;
    return t->file;
}

static struct timerfd *timerfd_of(struct file *f) { return f->ops == &timerfd_ops ? f->priv : NULL; }

static struct linux_timespec timespec_of(uint64_t ns)
{
    return (struct linux_timespec){ (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
}

static void current_setting(struct timerfd *t, struct linux_itimerspec *out)
{
    uint64_t now = now_ns();
    catch_up(t, now);
    out->it_interval = timespec_of(t->interval_ns);
    out->it_value = timespec_of(t->next_ns ? t->next_ns - now : 0);
}

/* timerfd_show: the clock, expirations not read, the last settime's flags, the setting. */
static size_t timerfd_fdinfo(struct file *f, char *buf, size_t size)
{
    struct timerfd *t = f->priv;
    struct linux_itimerspec now;
    current_setting(t, &now);
    return (size_t)snprintf(buf, size, "clockid: %d\nticks: %lu\nsettime flags: 0%o\nit_value: (%ld, %ld)\n"
                            "it_interval: (%ld, %ld)\n", t->clock, t->ticks, t->settime_flags,
                            now.it_value.tv_sec, now.it_value.tv_nsec, now.it_interval.tv_sec, now.it_interval.tv_nsec);
}

int timerfd_gettime(struct file *f, struct linux_itimerspec *out)
{
    struct timerfd *t = timerfd_of(f);
    if (!t)
        return -EINVAL;
    current_setting(t, out);
    return 0;
}

static uint64_t timespec_ns(const struct linux_timespec *ts)
{
    return (uint64_t)ts->tv_sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

int timerfd_settime(struct file *f, int flags, const struct linux_itimerspec *value, struct linux_itimerspec *old)
{
    struct timerfd *t = timerfd_of(f);
    if (!t)
        return -EINVAL;
    current_setting(t, old);
    uint64_t now = now_ns(), v = timespec_ns(&value->it_value);
    t->ticks = 0;              /* a new setting forgets the old expirations, as on Linux */
    t->settime_flags = flags & (TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET);
    t->interval_ns = timespec_ns(&value->it_interval);
    if (!v)
        t->next_ns = 0;
    else if (flags & TFD_TIMER_ABSTIME) {
        int64_t mono = (int64_t)v - clock_offset(t->clock);
        t->next_ns = mono > 0 ? (uint64_t)mono : 1;   /* before boot: expired already */
    } else
        t->next_ns = now + v;
    catch_up(t, now);
    if (t->ticks)
        file_wake(f, POLLIN | POLLRDNORM);
    arm(t);
    return 0;
}

void timerfd_clock_was_set(int64_t shift_ns)
{
    uint64_t now = now_ns();
    for (struct timerfd *t = all; t; t = t->next) {
        if (!is_realtime(t->clock) || !(t->settime_flags & TFD_TIMER_ABSTIME))
            continue;
        if (t->next_ns) {
            catch_up(t, now);  /* what expired before the change stays counted */
            int64_t moved = (int64_t)t->next_ns - shift_ns;
            t->next_ns = moved > 0 ? (uint64_t)moved : 1;
            catch_up(t, now);
            arm(t);
        }
        if (might_cancel(t))
            t->cancelled = true;
        if (t->ticks || t->cancelled)
            file_wake(t->file, POLLIN | POLLRDNORM);
    }
}
