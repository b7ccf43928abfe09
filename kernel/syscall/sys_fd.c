/* Descriptor syscalls: dup, dup3, fcntl, ioctl. */
#include "kernel.h"
#include "syscall.h"
#include "process.h"
#include "file.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

#define F_DUPFD         0
#define F_GETFD         1
#define F_SETFD         2
#define F_GETFL         3
#define F_SETFL         4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC      1

#define TCGETS     0x5401
#define TCSETS     0x5402
#define TCSETSW    0x5403
#define TCSETSF    0x5404
#define TIOCGWINSZ 0x5413
#define FIONBIO    0x5421
#define FIONCLEX   0x5450
#define FIOCLEX    0x5451

static struct process *proc(void) { return current_process(); }

static int64_t dup_to(struct file *f, int min, bool cloexec)
{
    f->refs++;
    int fd = fd_alloc(proc(), f, min, cloexec);
    if (fd < 0)
        f->refs--;
    return fd;
}

SYSCALL(dup)
{
    struct file *f = fd_get(proc(), (int)a0);
    return f ? dup_to(f, 0, false) : -EBADF;
}

SYSCALL(dup3)
{
    struct process *p = proc();
    int oldfd = (int)a0, newfd = (int)a1, flags = (int)a2;
    struct file *f = fd_get(p, oldfd);
    if (flags & ~O_CLOEXEC)
        return -EINVAL;
    if (!f)
        return -EBADF;
    if (oldfd == newfd)
        return -EINVAL;
    if (newfd < 0 || newfd >= MAX_FDS)
        return -EBADF;
    if (p->fds[newfd])
        file_put(p->fds[newfd]);
    f->refs++;
    p->fds[newfd] = f;
    p->cloexec[newfd] = flags & O_CLOEXEC;
    return newfd;
}

SYSCALL(fcntl)
{
    struct process *p = proc();
    int fd = (int)a0;
    struct file *f = fd_get(p, fd);
    if (!f)
        return -EBADF;
    switch ((int)a1) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        if ((int64_t)a2 < 0 || a2 >= MAX_FDS)
            return -EINVAL;
        return dup_to(f, (int)a2, (int)a1 == F_DUPFD_CLOEXEC);
    case F_GETFD:
        return p->cloexec[fd] ? FD_CLOEXEC : 0;
    case F_SETFD:
        p->cloexec[fd] = a2 & FD_CLOEXEC;
        return 0;
    case F_GETFL:
        return f->flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
    case F_SETFL: {
        /* Only these status flags can change after open, as on Linux. */
        int changeable = O_APPEND | O_NONBLOCK | O_NOATIME | O_DIRECT;
        f->flags = (f->flags & ~changeable) | ((int)a2 & changeable);
        return 0;
    }
    default:
        return -EINVAL;
    }
}

/* The console's terminal settings: kept so TCGETS returns what TCSETS stored (the PL011 itself
 * has no line discipline to apply them to). */
struct kernel_termios {
    uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
    uint8_t c_line;
    uint8_t c_cc[19];
};

static struct kernel_termios console_termios = {
    .c_iflag = 0x500,                 /* ICRNL | IXON */
    .c_oflag = 0x5,                   /* OPOST | ONLCR */
    .c_cflag = 0xbf,                  /* B38400 | CS8 | CREAD */
    .c_lflag = 0x8a3b,                /* ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN */
    .c_cc = { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22 },
};

SYSCALL(ioctl)
{
    struct process *p = proc();
    int fd = (int)a0;
    struct file *f = fd_get(p, fd);
    if (!f)
        return -EBADF;
    switch ((uint32_t)a1) {
    case FIOCLEX:
        p->cloexec[fd] = true;
        return 0;
    case FIONCLEX:
        p->cloexec[fd] = false;
        return 0;
    case FIONBIO: {
        int on;
        if (copy_from_user(&on, a2, sizeof(on)))
            return -EFAULT;
        f->flags = on ? (f->flags | O_NONBLOCK) : (f->flags & ~O_NONBLOCK);
        return 0;
    }
    }
    if (f->kind != FILE_CONSOLE)
        return -ENOTTY;
    switch ((uint32_t)a1) {
    case TCGETS:
        return copy_to_user(a2, &console_termios, sizeof(console_termios)) ? -EFAULT : 0;
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
        return copy_from_user(&console_termios, a2, sizeof(console_termios)) ? -EFAULT : 0;
    case TIOCGWINSZ: {
        uint16_t ws[4] = { 0, 0, 0, 0 };   /* a serial line has no size, as on Linux's ttyAMA0 */
        return copy_to_user(a2, ws, sizeof(ws)) ? -EFAULT : 0;
    }
    default:
        return -ENOTTY;
    }
}
