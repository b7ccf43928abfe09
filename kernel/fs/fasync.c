/* O_ASYNC (FIOASYNC, F_SETFL): when a file becomes ready, its owner (F_SETOWN: a process, or a
 * process group when negative) gets SIGIO, as Linux's kill_fasync and send_sigio do: without
 * F_SETSIG as the kernel sends it (SI_KERNEL, no siginfo of note); with F_SETSIG, that signal
 * with si_code the reason (POLL_IN, ...), si_band its poll bits and si_fd the descriptor.
 * nginx's master sets O_ASYNC on its channel to each worker; dnotify sends POLL_MSG. */
#include "kernel.h"
#include "file.h"
#include "process.h"
#include "signal.h"
#include "linux_uapi.h"

#define SIGIO 29
enum { POLL_IN = 1, POLL_OUT, POLL_MSG, POLL_ERR, POLL_PRI, POLL_HUP };

/* Linux's band_table: the poll bits each reason stands for. */
static const int64_t band_of[] = {
    [POLL_IN] = POLLIN | POLLRDNORM,
    [POLL_OUT] = POLLOUT | POLLWRNORM | POLLWRBAND,
    [POLL_MSG] = POLLIN | POLLRDNORM | 0x400,   /* POLLMSG */
    [POLL_ERR] = POLLERR,
    [POLL_PRI] = POLLPRI | POLLRDBAND,
    [POLL_HUP] = POLLHUP | POLLERR,
};

void file_send_sigio(struct file *f, int fd, int reason)
{
    int sig = f->owner_sig ? f->owner_sig : SIGIO;
    struct ksiginfo info = { .signo = sig, .code = SI_KERNEL };
    if (f->owner_sig)
        info = (struct ksiginfo){ .signo = sig, .code = reason, .poll = true, .band = band_of[reason], .fd = fd };
    for (struct process *p = process_first(); p; p = p->all_next) {
        bool owner = f->owner > 0 ? p->pid == f->owner : p->pgid == -f->owner;
        if (owner && p->state == PROCESS_LIVE)
            signal_send(p, sig, &info);
    }
}

void file_signal_owner(struct file *f, uint32_t events)
{
    int reason = events & POLLIN ? POLL_IN : events & POLLOUT ? POLL_OUT : events & POLLHUP ? POLL_HUP : POLL_ERR;
    file_send_sigio(f, f->async_fd, reason);
}
