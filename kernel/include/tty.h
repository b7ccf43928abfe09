/* Terminals: pseudo-terminal pairs (fs/pty.c: /dev/ptmx, devpts's /dev/pts/N), the N_TTY line
 * discipline of a pair's slave side (fs/tty_ldisc.c), and controlling terminals with their job
 * control (fs/tty_ctty.c), after Linux 6.1's drivers/tty. The console (fs/devfs.c) is not one
 * of these: it keeps its own minimal termios. */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct file;
struct process;

/* Linux's struct termios2 (asm-generic/termbits.h); TCGETS copies its first 36 bytes, which
 * are struct termios. */
struct termios2 {
    uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
    uint8_t c_line;
    uint8_t c_cc[19];
    uint32_t c_ispeed, c_ospeed;
};
#define TERMIOS_SIZE  36
#define TERMIOS2_SIZE 44

/* The c_cc indexes and flag bits N_TTY looks at (asm-generic/termbits.h). */
enum { VINTR, VQUIT, VERASE, VKILL, VEOF, VTIME, VMIN, VSWTC, VSTART, VSTOP, VSUSP, VEOL, VREPRINT,
       VDISCARD, VWERASE, VLNEXT, VEOL2 };
#define T_IGNBRK 0000001
#define T_ISTRIP 0000040
#define T_INLCR  0000100
#define T_IGNCR  0000200
#define T_ICRNL  0000400
#define T_IXON   0002000
#define T_IXANY  0004000
#define T_OPOST  0000001
#define T_ONLCR  0000004
#define T_OCRNL  0000010
#define T_ONOCR  0000020
#define T_ONLRET 0000040
#define T_ISIG   0000001
#define T_ICANON 0000002
#define T_ECHO   0000010
#define T_ECHOE  0000020
#define T_ECHOK  0000040
#define T_ECHONL 0000100
#define T_NOFLSH 0000200
#define T_TOSTOP 0000400
#define T_ECHOCTL 0001000
#define T_ECHOKE 0004000
#define T_IEXTEN 0100000

/* Packet mode's status bits (a master read's first byte). */
#define TIOCPKT_DATA       0
#define TIOCPKT_FLUSHREAD  1
#define TIOCPKT_FLUSHWRITE 2
#define TIOCPKT_STOP       4
#define TIOCPKT_START      8
#define TIOCPKT_NOSTOP     16
#define TIOCPKT_DOSTOP     32

/* A terminal's flags and characters. */
#define TTY_L(t, flag) (((t)->termios.c_lflag & (flag)) != 0)
#define TTY_I(t, flag) (((t)->termios.c_iflag & (flag)) != 0)
#define TTY_O(t, flag) (((t)->termios.c_oflag & (flag)) != 0)
#define TTY_CC(t, i) ((t)->termios.c_cc[i])

/* N_TTY_BUF_SIZE: what a line discipline holds. Before it, each side has the driver's flip
 * buffers (8 KiB: pty_common_install's tty_buffer_set_limit) for what it has not taken yet: a
 * writer waits only when those are full too. */
#define TTY_BUF 4096
#define TTY_FLIP 8192

/* Bytes passed on as they are: the master's writes before N_TTY takes them (`typed`), and what
 * the slave shows, which the master reads (its own line discipline is raw, so its buffer and
 * its flip buffers are one queue here). */
struct byte_queue {
    uint8_t data[TTY_FLIP + TTY_BUF];
    uint32_t head, tail;       /* free-running */
    uint32_t size;             /* capacity: at most sizeof(data) */
};
static inline uint32_t queue_count(const struct byte_queue *q) { return q->head - q->tail; }
static inline bool queue_full(const struct byte_queue *q) { return queue_count(q) >= q->size; }

/* Bytes in flight one way. mark[] says what a byte of the input is to a canonical reader. */
struct tty_ring {
    uint8_t data[TTY_BUF];
    uint8_t mark[TTY_BUF];
    uint32_t head, tail;       /* free-running: head - tail bytes are held */
};
enum { MARK_DATA, MARK_LINE_END, MARK_EOF };

struct pty;

/* One terminal as its program (the slave side) sees it. Invariant: tail <= canon_head <= head
 * on `in`, and the bytes before canon_head are complete lines. */
struct tty {
    struct termios2 termios;
    struct tty_ring in;        /* typed (the master's writes) after input processing */
    uint32_t canon_head;
    struct byte_queue typed;   /* the master's writes N_TTY has not taken yet (no room) */
    struct byte_queue out;     /* shown (the slave's writes and echoes): the master reads it */
    bool lnext;                /* VLNEXT was typed: the next byte is taken literally */
    bool stopped;              /* IXON's VSTOP or TCOOFF: output waits for VSTART / TCOON */
    bool tco_stopped;          /* TCOOFF's stop, which only TCOON ends */
    bool master_stopped;       /* TCOOFF through the master: its writes wait */
    bool packet;               /* the master is in packet mode (TIOCPKT) */
    uint8_t pktstatus;         /* TIOCPKT_* news for it, read as one byte */
    uint16_t winsize[4];       /* ws_row, ws_col, ws_xpixel, ws_ypixel */
    int pgrp, session;         /* the foreground group and the session it controls (0: none) */
    struct pty *pty;
};

/* The line discipline (tty_ldisc.c). */
void tty_ldisc_init(struct tty *t);
/* Bytes typed at the terminal (the master wrote them): how many were taken (into the flip
 * queue, as far as it has room); N_TTY takes them from there while it has room. */
size_t tty_receive(struct tty *t, const uint8_t *buf, size_t n);
int64_t tty_read(struct tty *t, struct file *f, void *kbuf, uint64_t len);
int64_t tty_write(struct tty *t, struct file *f, const void *kbuf, uint64_t len);
bool tty_input_available(const struct tty *t);
bool tty_output_room(const struct tty *t);
/* What the requests (tty_ioctl.c) change: output stopped or started (stop_tty/start_tty), the
 * input flushed, the flip queue taken from again, a byte shown as it is. */
void tty_set_stopped(struct tty *t, bool stopped);
void tty_flush_input(struct tty *t);
void tty_take_typed(struct tty *t);
void tty_show_raw(struct tty *t, uint8_t c);
/* termios and the queue requests (TCGETS..., FIONREAD, TCFLSH, TCXONC, TIOCOUTQ); -ENOTTY for
 * others. `is_master`: the request came through the master (termios are the slave's either way,
 * the queues the side's own). */
int64_t tty_ldisc_ioctl(struct tty *t, bool is_master, uint32_t cmd, uint64_t arg);
static inline uint32_t tty_ring_count(const struct tty_ring *r) { return r->head - r->tail; }
/* The master may write: its flip queue has room and it is not stopped. */
static inline bool tty_typing_room(const struct tty *t) { return !t->master_stopped && !queue_full(&t->typed); }

/* The pair (pty.c). */
void pty_init(void);
/* Whoever waits on either side looks again (data moved, the line changed). */
void pty_wake(struct pty *p);
/* The slave's hangup (its master closed): reads give 0, writes EIO. */
bool pty_hung_up(const struct pty *p);
/* The slave has been opened and every slave file is closed again: master reads are EIO. */
bool pty_slave_closed(const struct pty *p);
/* /proc/<pid>/fd's link of a terminal file (/dev/pts/N, /dev/ptmx). */
int tty_fd_link(struct file *f, char *buf, size_t size);
/* Open the calling process's controlling terminal (/dev/tty); NULL when it has none that is a
 * pseudo-terminal (the console is session 1's: fs/devfs.c). *err: the open's failure. */
struct file *pty_open_controlling(int flags, int *err);

/* Controlling terminals and job control (tty_ctty.c). */
/* A slave opened without O_NOCTTY by a session leader that has none becomes its terminal. */
void tty_open_acquire(struct tty *t, int flags);
/* Job control's check before a read (SIGTTIN) or a write / change (SIGTTOU) by the caller:
 * 0 (go on), -EIO, or -ERESTARTSYS after signalling the caller's group. */
int tty_job_check(struct tty *t, int sig);
/* The ctty requests (TIOCSCTTY, TIOCNOTTY, TIOCGPGRP, TIOCSPGRP, TIOCGSID); -ENOTTY for others. */
int64_t tty_ctty_ioctl(struct tty *t, struct file *f, bool is_master, uint32_t cmd, uint64_t arg);
/* sig to the terminal's foreground group (ISIG, SIGWINCH). */
void tty_signal_foreground(struct tty *t, int sig);
/* The master closed: the session loses its terminal, its leader gets SIGHUP and SIGCONT. */
void tty_hangup_session(struct tty *t);
/* A process leaves (after its descriptors closed): a session leader's terminal is let go. */
void tty_process_exit(struct process *p);
/* /proc/<pid>/stat's tty_nr (the terminal's device number, 0: none) and tpgid (its foreground
 * group; -1: no terminal). */
uint32_t tty_stat_number(const struct process *p);
int tty_stat_foreground(const struct process *p);
/* The slave's device number (new_encode_dev of 136:N). */
uint32_t pty_device_number(const struct pty *p);
