/* syslog(2) (glibc's klogctl): the kernel log buffer (klog.c) as Linux 6.1's do_syslog serves
 * it, with Debian's CONFIG_SECURITY_DMESG_RESTRICT: every action needs CAP_SYSLOG (or, as Linux
 * still accepts, CAP_SYS_ADMIN). */
#include "kernel.h"
#include "syscall.h"
#include "process.h"
#include "uaccess.h"
#include "klog.h"
#include "mm.h"
#include "wait.h"
#include "errno.h"

#define SYSLOG_ACTION_CLOSE         0
#define SYSLOG_ACTION_OPEN          1
#define SYSLOG_ACTION_READ          2
#define SYSLOG_ACTION_READ_ALL      3
#define SYSLOG_ACTION_READ_CLEAR    4
#define SYSLOG_ACTION_CLEAR         5
#define SYSLOG_ACTION_CONSOLE_OFF   6
#define SYSLOG_ACTION_CONSOLE_ON    7
#define SYSLOG_ACTION_CONSOLE_LEVEL 8
#define SYSLOG_ACTION_SIZE_UNREAD   9
#define SYSLOG_ACTION_SIZE_BUFFER   10

#define CAP_SYSLOG 34
#define LOGLEVEL_DEFAULT (-1)           /* "no saved level" */
#define MINIMUM_CONSOLE_LOGLEVEL 1      /* CONSOLE_LOGLEVEL_MIN */

static int saved_console_loglevel = LOGLEVEL_DEFAULT;

static bool unread_ready(void *arg)
{
    (void)arg;
    return klog_has_unread();
}

/* The three reads: Linux's checks (a NULL buffer or a negative length is EINVAL before a
 * zero length returns 0; a range past user space is EFAULT), then the text through a kernel
 * buffer, so a fault while copying out never meets the ring being written. */
static int64_t syslog_read(int type, uint64_t ubuf, int len)
{
    if (!ubuf || len < 0)
        return -EINVAL;
    if (len == 0)
        return 0;
    if (ubuf >= USER_VA_END || (uint64_t)len > USER_VA_END - ubuf)
        return -EFAULT;
    if (type == SYSLOG_ACTION_READ) {
        int err = wait_until(unread_ready, NULL, WAIT_FOREVER);   /* Linux: wait_event_interruptible */
        if (err)
            return -ERESTARTSYS;
    }
    size_t size = (size_t)len < KLOG_SIZE ? (size_t)len : KLOG_SIZE;
    char *text = kmalloc(size);
    if (!text)
        return -ENOMEM;
    size_t n = type == SYSLOG_ACTION_READ ? klog_read_unread(text, size)
                                           : klog_read_all(text, size, type == SYSLOG_ACTION_READ_CLEAR);
    int64_t r = copy_to_user(ubuf, text, n) ? -EFAULT : (int64_t)n;
    kfree(text);
    return r;
}

SYSCALL(syslog)
{
    int type = (int)a0, len = (int)a2;
    struct process *p = current_process();
    if (!process_capable(p, CAP_SYSLOG) && !process_capable(p, CAP_SYS_ADMIN))
        return -EPERM;
    switch (type) {
    case SYSLOG_ACTION_CLOSE:
    case SYSLOG_ACTION_OPEN:
        return 0;
    case SYSLOG_ACTION_READ:
    case SYSLOG_ACTION_READ_ALL:
    case SYSLOG_ACTION_READ_CLEAR:
        return syslog_read(type, a1, len);
    case SYSLOG_ACTION_CLEAR:
        klog_clear();
        return 0;
    case SYSLOG_ACTION_CONSOLE_OFF:
        if (saved_console_loglevel == LOGLEVEL_DEFAULT)
            saved_console_loglevel = klog_console_loglevel;
        klog_console_loglevel = MINIMUM_CONSOLE_LOGLEVEL;
        return 0;
    case SYSLOG_ACTION_CONSOLE_ON:
        if (saved_console_loglevel != LOGLEVEL_DEFAULT) {
            klog_console_loglevel = saved_console_loglevel;
            saved_console_loglevel = LOGLEVEL_DEFAULT;
        }
        return 0;
    case SYSLOG_ACTION_CONSOLE_LEVEL:
        if (len < 1 || len > 8)
            return -EINVAL;
        klog_console_loglevel = len < MINIMUM_CONSOLE_LOGLEVEL ? MINIMUM_CONSOLE_LOGLEVEL : len;
        saved_console_loglevel = LOGLEVEL_DEFAULT;   /* implicitly re-enables the console */
        return 0;
    case SYSLOG_ACTION_SIZE_UNREAD:
        return (int64_t)klog_unread_bytes();
    case SYSLOG_ACTION_SIZE_BUFFER:
        return KLOG_SIZE;
    default:
        return -EINVAL;
    }
}
