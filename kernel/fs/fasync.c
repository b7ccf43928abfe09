/* O_ASYNC (FIOASYNC, F_SETFL): when a file becomes ready, its owner (F_SETOWN: a process, or a
 * process group when negative) gets SIGIO, as Linux's kill_fasync does with the default
 * signal. nginx's master sets it on its channel to each worker. */
#include "kernel.h"
#include "file.h"
#include "process.h"
#include "signal.h"
#include "linux_uapi.h"

#define SIGIO 29

void file_signal_owner(struct file *f)
{
    /* Without F_SETSIG Linux sends it as the kernel (SEND_SIG_PRIV): no band, no descriptor. */
    struct ksiginfo info = { .signo = SIGIO, .code = SI_KERNEL };
    for (struct process *p = process_first(); p; p = p->all_next) {
        bool owner = f->owner > 0 ? p->pid == f->owner : p->pgid == -f->owner;
        if (owner && p->state == PROCESS_LIVE)
            signal_send(p, SIGIO, &info);
    }
}
