/* N_TTY, the line discipline of a pseudo-terminal's slave side, after Linux 6.1's
 * drivers/tty/n_tty.c: input processing of what the master writes (ISTRIP, IGNCR/ICRNL/INLCR,
 * IXON, ISIG's VINTR/VQUIT/VSUSP, canonical line editing with VERASE/VKILL/VWERASE/VLNEXT,
 * VEOF/VEOL/VEOL2), echo (ECHO, ECHOE, ECHOK, ECHOKE, ECHONL, ECHOCTL), the reads of canonical
 * and non-canonical mode (VMIN/VTIME), and OPOST's output processing (ONLCR, OCRNL, ONLRET) of
 * what the slave writes, and the status a packet-mode master reads (flushes, stop and start).
 * The requests (termios, flushes, flow control) are in tty_ioctl.c. Not done: tab erasure's column arithmetic (a tab is erased as one column), VREPRINT,
 * VDISCARD, ECHOPRT, IUCLC/OLCUC, EXTPROC; TCSETS leaves termios2's speeds as they were. */
#include "kernel.h"
#include "tty.h"
#include "file.h"
#include "signal.h"
#include "uaccess.h"
#include "wait.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

#define L TTY_L
#define I TTY_I
#define O TTY_O
#define CC TTY_CC

/* tty_std_termios as the pts driver changes it (no HUPCL), INIT_C_CC. */
void tty_ldisc_init(struct tty *t)
{
    static const uint8_t init_cc[19] = { 3, 034, 0177, 025, 4, 0, 1, 0, 021, 023, 032, 0, 022, 017, 027, 026, 0 };
    memset(&t->termios, 0, sizeof(t->termios));
    t->termios.c_iflag = T_ICRNL | T_IXON;
    t->termios.c_oflag = T_OPOST | T_ONLCR;
    t->termios.c_cflag = 0xbf;          /* B38400 | CS8 | CREAD */
    t->termios.c_lflag = T_ISIG | T_ICANON | T_ECHO | T_ECHOE | T_ECHOK | T_ECHOCTL | T_ECHOKE | T_IEXTEN;
    memcpy(t->termios.c_cc, init_cc, sizeof(init_cc));
    t->termios.c_ispeed = t->termios.c_ospeed = 38400;
    t->typed.size = TTY_FLIP;
    t->out.size = TTY_FLIP + TTY_BUF;
}

static bool ring_full(const struct tty_ring *r) { return tty_ring_count(r) >= TTY_BUF; }

static void ring_put(struct tty_ring *r, uint8_t c, uint8_t mark)
{
    r->data[r->head % TTY_BUF] = c;
    r->mark[r->head % TTY_BUF] = mark;
    r->head++;
}

/* What the terminal shows: output bytes go to the master's side; when the master reads
 * nothing they are dropped (echoes) or wait (writes: see tty_write). */
void tty_show_raw(struct tty *t, uint8_t c)
{
    if (!queue_full(&t->out))
        t->out.data[t->out.head++ % t->out.size] = c;
}

/* OPOST's processing of one byte (do_output_char). */
static void show(struct tty *t, uint8_t c)
{
    if (O(t, T_OPOST)) {
        if (c == '\n' && O(t, T_ONLCR)) {
            tty_show_raw(t, '\r');
        } else if (c == '\r' && O(t, T_OCRNL)) {
            c = '\n';
        }
    }
    tty_show_raw(t, c);
}

/* stop_tty / start_tty: a change of state is news for a master in packet mode (pty_stop,
 * pty_start). */
void tty_set_stopped(struct tty *t, bool stopped)
{
    if (t->stopped == stopped || (!stopped && t->tco_stopped))
        return;
    t->stopped = stopped;
    if (t->packet) {
        t->pktstatus &= (uint8_t)~(stopped ? TIOCPKT_START : TIOCPKT_STOP);
        t->pktstatus |= stopped ? TIOCPKT_STOP : TIOCPKT_START;
    }
    pty_wake(t->pty);
}

void tty_flush_input(struct tty *t)
{
    t->in.tail = t->canon_head = t->in.head;
    if (t->packet)             /* n_tty_packet_mode_flush */
        t->pktstatus |= TIOCPKT_FLUSHREAD;
    pty_wake(t->pty);
}

static bool is_control(uint8_t c) { return c < 32 || c == 0177; }

/* echo_char: a control character other than tab and newline as ^X with ECHOCTL. */
static void echo(struct tty *t, uint8_t c)
{
    if (L(t, T_ECHOCTL) && is_control(c) && c != '\t' && c != '\n') {
        show(t, '^');
        show(t, c ^ 0100);
    } else {
        show(t, c);
    }
}

static void rub_out(struct tty *t, uint8_t c)
{
    int columns = L(t, T_ECHOCTL) && is_control(c) ? 2 : is_control(c) ? 0 : 1;
    for (int i = 0; i < columns; i++) {
        show(t, '\b');
        show(t, ' ');
        show(t, '\b');
    }
}

enum erase_kind { ERASE, WERASE, KILL };

static bool word_char(uint8_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

/* n_tty's eraser: the last character, word or the whole unfinished line. */
static void erase(struct tty *t, enum erase_kind kind, uint8_t typed)
{
    if (t->in.head == t->canon_head)
        return;
    if (kind == KILL) {
        if (!L(t, T_ECHO)) {
            t->in.head = t->canon_head;
            return;
        }
        if (!L(t, T_ECHOK) || !L(t, T_ECHOKE) || !L(t, T_ECHOE)) {
            t->in.head = t->canon_head;
            echo(t, typed);
            if (L(t, T_ECHOK))
                show(t, '\n');
            return;
        }
    }
    int seen_word = 0;
    while (t->in.head != t->canon_head) {
        uint8_t c = t->in.data[(t->in.head - 1) % TTY_BUF];
        if (kind == WERASE) {
            if (word_char(c))
                seen_word++;
            else if (seen_word)
                break;
        }
        t->in.head--;
        if (L(t, T_ECHO)) {
            if (kind == ERASE && !L(t, T_ECHOE))
                echo(t, typed);
            else
                rub_out(t, c);
        }
        if (kind == ERASE)
            break;
    }
}

/* A byte becomes input; a line end makes what is before it readable in canonical mode. */
static void store(struct tty *t, uint8_t c, uint8_t mark)
{
    if (ring_full(&t->in))    /* (room_for_one made room: only a safety net) */
        return;
    ring_put(&t->in, c, mark);
    if (mark != MARK_DATA)
        t->canon_head = t->in.head;
}

static void receive_signal_char(struct tty *t, uint8_t c, int sig)
{
    if (!L(t, T_NOFLSH)) {    /* the input; the driver's flush only tells a packet-mode master */
        tty_flush_input(t);
        if (t->packet)
            t->pktstatus |= TIOCPKT_FLUSHWRITE;
    }
    tty_signal_foreground(t, sig);
    if (L(t, T_ECHO))
        echo(t, c);
}

/* n_tty_receive_char_special and n_tty_receive_char for one byte. */
static void receive_char(struct tty *t, uint8_t c)
{
    if (I(t, T_ISTRIP))
        c &= 0x7f;
    if (t->lnext) {
        t->lnext = false;
        if (L(t, T_ECHO))
            echo(t, c);
        store(t, c, MARK_DATA);
        return;
    }
    if (c == 0) {             /* _POSIX_VDISABLE: never a special character (n_tty's char_map) */
        if (t->stopped && I(t, T_IXON) && I(t, T_IXANY))
            tty_set_stopped(t, false);
        if (L(t, T_ECHO))
            echo(t, c);
        store(t, c, MARK_DATA);
        return;
    }
    if (I(t, T_IXON)) {
        if (c == CC(t, VSTART)) {
            tty_set_stopped(t, false);
            return;
        }
        if (c == CC(t, VSTOP)) {
            tty_set_stopped(t, true);
            return;
        }
        if (t->stopped && I(t, T_IXANY))
            tty_set_stopped(t, false);
    }
    if (L(t, T_ISIG)) {
        int sig = c == CC(t, VINTR) ? SIGINT : c == CC(t, VQUIT) ? SIGQUIT : c == CC(t, VSUSP) ? SIGTSTP : 0;
        if (sig) {
            receive_signal_char(t, c, sig);
            return;
        }
    }
    if (c == '\r') {
        if (I(t, T_IGNCR))
            return;
        if (I(t, T_ICRNL))
            c = '\n';
    } else if (c == '\n' && I(t, T_INLCR)) {
        c = '\r';
    }
    if (L(t, T_ICANON)) {
        if (c == CC(t, VERASE) || c == CC(t, VKILL) || (c == CC(t, VWERASE) && L(t, T_IEXTEN))) {
            erase(t, c == CC(t, VERASE) ? ERASE : c == CC(t, VKILL) ? KILL : WERASE, c);
            return;
        }
        if (c == CC(t, VLNEXT) && L(t, T_IEXTEN)) {
            t->lnext = true;
            if (L(t, T_ECHO) && L(t, T_ECHOCTL)) {
                show(t, '^');
                show(t, '\b');
            }
            return;
        }
        if (c == '\n') {
            if (L(t, T_ECHO) || L(t, T_ECHONL))
                show(t, '\n');
            store(t, c, MARK_LINE_END);
            return;
        }
        if (c == CC(t, VEOF)) {
            store(t, 0, MARK_EOF);       /* kept as __DISABLED_CHAR, as n_tty does */
            return;
        }
        if (c == CC(t, VEOL) || (c == CC(t, VEOL2) && L(t, T_IEXTEN))) {
            if (L(t, T_ECHO))
                echo(t, c);
            store(t, c, MARK_LINE_END);
            return;
        }
    }
    if (L(t, T_ECHO))
        echo(t, c);
    else if (c == '\n' && L(t, T_ECHONL))
        show(t, '\n');
    store(t, c, MARK_DATA);
}

/* n_tty_receive_buf_common's room: one slot is kept free; a canonical line that has filled the
 * buffer with no line end yet takes each further byte in its last slot, so a newline can still
 * end it. False: the byte waits in the flip queue. */
static bool room_for_one(struct tty *t)
{
    uint32_t held = tty_ring_count(&t->in);
    if (held < TTY_BUF - 1)
        return true;
    if (!L(t, T_ICANON) || t->canon_head != t->in.tail)
        return false;
    if (held == TTY_BUF)
        t->in.head--;
    return true;
}

/* N_TTY takes what it has room for from the flip queue. */
void tty_take_typed(struct tty *t)
{
    bool took = false;
    while (queue_count(&t->typed) && room_for_one(t)) {
        receive_char(t, t->typed.data[t->typed.tail++ % t->typed.size]);
        took = true;
    }
    if (took)
        pty_wake(t->pty);
}

size_t tty_receive(struct tty *t, const uint8_t *buf, size_t n)
{
    size_t done = 0;
    for (; done < n && !queue_full(&t->typed); done++)
        t->typed.data[t->typed.head++ % t->typed.size] = buf[done];
    tty_take_typed(t);
    return done;
}

bool tty_input_available(const struct tty *t)
{
    if (L(t, T_ICANON))
        return t->canon_head != t->in.tail;
    uint32_t min = CC(t, VMIN) ? CC(t, VMIN) : 1;
    return tty_ring_count(&t->in) >= min || (tty_ring_count(&t->in) && CC(t, VTIME));
}

bool tty_output_room(const struct tty *t) { return !t->stopped && !queue_full(&t->out); }

/* A canonical read: up to the end of the first line (its line end included, an EOF marker
 * not); 0 at an EOF marker that starts the line. */
static uint64_t read_line(struct tty *t, uint8_t *dst, uint64_t len)
{
    uint64_t done = 0;
    while (done < len && t->in.tail != t->canon_head) {
        uint32_t at = t->in.tail % TTY_BUF;
        uint8_t mark = t->in.mark[at];
        t->in.tail++;
        if (mark == MARK_EOF)
            break;
        dst[done++] = t->in.data[at];
        if (mark == MARK_LINE_END)
            break;
    }
    return done;
}

static uint64_t read_raw(struct tty *t, uint8_t *dst, uint64_t len)
{
    uint64_t done = 0;
    while (done < len && t->in.tail != t->in.head) {
        dst[done++] = t->in.data[t->in.tail % TTY_BUF];
        t->in.tail++;
    }
    t->canon_head = t->in.head;
    return done;
}

struct read_wait {
    struct tty *t;
    uint32_t want;             /* non-canonical: bytes that end the wait */
};

static bool readable(void *arg)
{
    struct read_wait *w = arg;
    struct tty *t = w->t;
    if (pty_hung_up(t->pty))
        return true;
    if (L(t, T_ICANON))
        return t->canon_head != t->in.tail;
    return tty_ring_count(&t->in) >= w->want;
}

/* n_tty_read: canonical mode returns one line; otherwise VMIN bytes (or what came within VTIME
 * tenths of a second: of the first byte when VMIN is 0, between bytes otherwise). */
int64_t tty_read(struct tty *t, struct file *f, void *kbuf, uint64_t len)
{
    uint8_t *dst = kbuf;
    int err = tty_job_check(t, SIGTTIN);
    if (err)
        return err;
    if (len == 0)
        return 0;
    uint64_t done = 0;
    uint64_t tenths = CC(t, VTIME), min = CC(t, VMIN);
    uint64_t deadline = WAIT_FOREVER;
    if (!L(t, T_ICANON) && min == 0) {
        if (!tenths)
            return (int64_t)read_raw(t, dst, len);
        deadline = wait_deadline_after(tenths * 100000000ULL);
    }
    for (;;) {
        if (L(t, T_ICANON)) {
            if (t->canon_head != t->in.tail) {
                done = read_line(t, dst, len);
                break;
            }
        } else {
            done += read_raw(t, dst + done, len - done);
            if (done >= len || done >= (min ? min : 1))
                break;
            if (done && tenths)
                deadline = wait_deadline_after(tenths * 100000000ULL);
        }
        if (pty_hung_up(t->pty))
            break;
        if (file_nonblock(f)) {
            if (!done)
                return -EAGAIN;
            break;
        }
        struct read_wait w = { t, L(t, T_ICANON) ? 1 : (uint32_t)(tty_ring_count(&t->in) + 1) };
        int r = wait_until(readable, &w, deadline);
        if (r == -ETIMEDOUT)
            break;
        if (r)
            return done ? (int64_t)done : -ERESTARTSYS;
    }
    if (done) {
        tty_take_typed(t);         /* room was made */
        pty_wake(t->pty);
    }
    return (int64_t)done;
}

static bool writable(void *arg)
{
    struct tty *t = arg;
    return pty_hung_up(t->pty) || tty_output_room(t);
}

/* n_tty_write with OPOST: blocks while the master's side is full or output is stopped. A
 * '\n' that becomes "\r\n" needs room for both. */
int64_t tty_write(struct tty *t, struct file *f, const void *kbuf, uint64_t len)
{
    const uint8_t *src = kbuf;
    if (L(t, T_TOSTOP)) {
        int err = tty_job_check(t, SIGTTOU);
        if (err)
            return err;
    }
    uint64_t done = 0;
    while (done < len) {
        if (pty_hung_up(t->pty))
            return done ? (int64_t)done : -EIO;
        uint32_t room = t->stopped ? 0 : t->out.size - queue_count(&t->out);
        bool crlf = src[done] == '\n' && O(t, T_OPOST) && O(t, T_ONLCR);
        if (room >= (crlf ? 2u : 1u)) {
            show(t, src[done++]);
            continue;
        }
        pty_wake(t->pty);
        if (file_nonblock(f))
            return done ? (int64_t)done : -EAGAIN;
        if (wait_until(writable, t, WAIT_FOREVER))
            return done ? (int64_t)done : -ERESTARTSYS;
    }
    pty_wake(t->pty);
    return (int64_t)done;
}
