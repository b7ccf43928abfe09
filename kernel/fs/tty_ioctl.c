/* The terminal requests a line discipline answers, after Linux 6.1's drivers/tty/tty_ioctl.c
 * and n_tty_ioctl: termios (TCGETS/TCSETS* and their termios2 forms, through either side: they
 * are the slave's), FIONREAD/TIOCINQ, TIOCOUTQ, TCFLSH and TCXONC. */
#include "kernel.h"
#include "tty.h"
#include "signal.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"

#define L TTY_L
#define I TTY_I
#define CC TTY_CC

/* TCFLSH: a side's input is what it reads (the slave's line, or for the master the slave's
 * output); its output has nothing queued of its own (pty_flush_buffer flushes nothing). */
static int64_t flush(struct tty *t, bool is_master, int queue)
{
    if (queue < 0 || queue > 2)
        return -EINVAL;
    if (queue != 0 && !is_master && t->packet) {   /* TCOFLUSH: pty_flush_buffer */
        t->pktstatus |= TIOCPKT_FLUSHWRITE;
        pty_wake(t->pty);
    }
    if (queue == 1)
        return 0;
    if (is_master) {
        t->out.tail = t->out.head;
        pty_wake(t->pty);
    } else {
        t->typed.tail = t->typed.head;   /* tty_buffer_flush: what N_TTY had not taken too */
        tty_flush_input(t);
    }
    return 0;
}

/* tty_set_termios with pty_set_termios's and n_tty_set_termios's consequences. */
static int64_t set_termios(struct tty *t, struct termios2 *target, bool is_master, uint32_t cmd, uint64_t arg)
{
    bool two = cmd == TCSETS2 || cmd == TCSETSW2 || cmd == TCSETSF2;
    int err = tty_job_check(t, SIGTTOU);
    if (err)
        return err;
    struct termios2 n = *target;
    if (copy_from_user(&n, arg, two ? TERMIOS2_SIZE : TERMIOS_SIZE))
        return -EFAULT;
    if (cmd == TCSETSF || cmd == TCSETSF2)
        flush(t, is_master, 0);
    bool was_canon = L(t, T_ICANON), was_ixon = I(t, T_IXON);
    bool old_flow = was_ixon && CC(t, VSTOP) == 023 && CC(t, VSTART) == 021;
    *target = n;
    /* pty_set_termios: a pty's line is always 8 bits, no parity, receiving. */
    t->termios.c_cflag = (t->termios.c_cflag & ~(uint32_t)(0060 | 0400)) | 0060 | 0200;
    bool new_flow = I(t, T_IXON) && CC(t, VSTOP) == 023 && CC(t, VSTART) == 021;
    if (t->packet && old_flow != new_flow) {
        t->pktstatus &= (uint8_t)~(TIOCPKT_DOSTOP | TIOCPKT_NOSTOP);
        t->pktstatus |= new_flow ? TIOCPKT_DOSTOP : TIOCPKT_NOSTOP;
    }
    if (was_canon != L(t, T_ICANON)) {
        /* n_tty_set_termios: the line marks go; what is held becomes one complete line when
         * canonical mode comes on. */
        for (uint32_t i = t->in.tail; i != t->in.head; i++)
            t->in.mark[i % TTY_BUF] = MARK_DATA;
        t->lnext = false;
        t->canon_head = t->in.tail;
        if (L(t, T_ICANON) && tty_ring_count(&t->in)) {
            t->in.mark[(t->in.head - 1) % TTY_BUF] = MARK_LINE_END;
            t->canon_head = t->in.head;
        }
    }
    if (was_ixon && !I(t, T_IXON) && !t->tco_stopped)
        tty_set_stopped(t, false);
    tty_take_typed(t);            /* another mode may have room for what waits */
    pty_wake(t->pty);
    return 0;
}

int64_t tty_ldisc_ioctl(struct tty *t, bool is_master, uint32_t cmd, uint64_t arg)
{
    struct termios2 *target = &t->termios;   /* through the master too: tty_mode_ioctl's real_tty */
    switch (cmd) {
    case TCGETS:
        return copy_to_user(arg, target, TERMIOS_SIZE) ? -EFAULT : 0;
    case TCGETS2:
        return copy_to_user(arg, target, TERMIOS2_SIZE) ? -EFAULT : 0;
    case TCSETS: case TCSETSW: case TCSETSF: case TCSETS2: case TCSETSW2: case TCSETSF2:
        return set_termios(t, target, is_master, cmd, arg);
    case FIONREAD: {       /* TIOCINQ: what a read would find (canonical: complete lines) */
        int n = is_master ? (int)queue_count(&t->out)
                          : L(t, T_ICANON) ? (int)(t->canon_head - t->in.tail) : (int)tty_ring_count(&t->in);
        return copy_to_user(arg, &n, sizeof(n)) ? -EFAULT : 0;
    }
    case SIOCOUTQ: {       /* TIOCOUTQ: the driver's own queue: a pty keeps none (no chars_in_buffer) */
        int n = 0;
        return copy_to_user(arg, &n, sizeof(n)) ? -EFAULT : 0;
    }
    case TCFLSH:
        if (!is_master) {
            int err = tty_job_check(t, SIGTTOU);
            if (err)
                return err;
        }
        return flush(t, is_master, (int)arg);
    case TCXONC:
        if ((int)arg < 0 || (int)arg > 3)
            return -EINVAL;
        if ((int)arg >= 2) {   /* TCIOFF, TCION: the STOP or START character to the other side */
            uint8_t c = CC(t, (int)arg == 2 ? VSTOP : VSTART);
            if (c && is_master)
                tty_receive(t, &c, 1);
            else if (c)
                tty_show_raw(t, c);
            pty_wake(t->pty);
        } else if (is_master) {  /* the master's own output (its writes wait) */
            t->master_stopped = (int)arg == 0;
            pty_wake(t->pty);
        } else if ((int)arg == 0 && !t->tco_stopped) {   /* TCOOFF */
            tty_set_stopped(t, true);
            t->tco_stopped = true;
        } else if ((int)arg == 1 && t->tco_stopped) {    /* TCOON */
            t->tco_stopped = false;
            tty_set_stopped(t, false);
        }
        return 0;
    default:
        return -ENOTTY;
    }
}
