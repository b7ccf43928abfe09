/* Pseudo-terminal pairs as Linux 6.1's drivers/tty/pty.c and fs/devpts make them: each open of
 * /dev/ptmx (or /dev/pts/ptmx) is a new master, numbered with the lowest free index, whose
 * slave appears as /dev/pts/N (character device 136:N, owned by the opener, mode 0600: devpts
 * mounted without options) and is locked until TIOCSPTLCK unlocks it (an open before that is
 * EIO). What the master writes is typed at the slave's line discipline (tty_ldisc.c); what the
 * slave writes (and echoes) is what the master reads.
 *
 * The master's close hangs the slave up: /dev/pts/N goes, the session loses its terminal
 * (tty_ctty.c), slave reads return 0 and writes EIO. The last slave close makes master reads
 * EIO once the data is read. The pair is freed when both sides are closed; its index then is
 * free again.
 *
 * termios requests through the master act on the slave's, as Linux's tty_mode_ioctl does (the
 * master's own line discipline stays raw: what the slave shows is passed on as it is). Packet
 * mode (TIOCPKT): each master read is a status byte or a 0 byte and data. Not done: TIOCSTI,
 * TIOCSETD. */
#include "kernel.h"
#include "tty.h"
#include "file.h"
#include "kfile.h"
#include "vnode.h"
#include "process.h"
#include "uaccess.h"
#include "mm.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

#define PTS_MAJOR  136

struct pty_file {
    struct file *f;
    struct pty_file *next;
};

struct pty {
    int index;
    bool locked;               /* TIOCSPTLCK: slave opens are EIO */
    bool master_open;          /* false: hung up */
    bool slave_opened;         /* a slave was opened once */
    bool exclusive[2];         /* TIOCEXCL of the slave [0] and the master [1]: a slave open
                                * without CAP_SYS_ADMIN is EBUSY (the master is never reopened) */
    int slave_files;           /* open slave files (O_PATH ones apart: they open no device) */
    int path_files;
    struct vnode *node;        /* /dev/pts/N while the master is open */
    struct pty_file *files;    /* every open file of either side, for wake-ups */
    struct tty tty;
    struct pty *next;
};

static struct pty *ptys;
static int slave_template;

static const struct file_ops master_ops, slave_ops;

static bool is_master(const struct file *f) { return f->ops == &master_ops; }

bool pty_hung_up(const struct pty *p) { return !p->master_open; }
bool pty_slave_closed(const struct pty *p) { return p->slave_opened && !p->slave_files; }

void pty_wake(struct pty *p)
{
    for (struct pty_file *o = p->files; o; o = o->next)
        file_wake(o->f, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM | POLLHUP);
}

static struct pty *find(int index)
{
    for (struct pty *p = ptys; p; p = p->next)
        if (p->index == index)
            return p;
    return NULL;
}

static int lowest_free_index(void)
{
    for (int i = 0;; i++)
        if (!find(i))
            return i;
}

/* new_encode_dev, as st_rdev carries it. */
static uint32_t slave_rdev(int index)
{
    return (PTS_MAJOR << 8) | ((uint32_t)index & 0xff) | (((uint32_t)index & ~0xffu) << 12);
}

uint32_t pty_device_number(const struct pty *p) { return slave_rdev(p->index); }

static struct vnode *pts_dir(void)
{
    struct vnode *root = vnode_root();
    struct dentry *dev = root ? vnode_find(root, "dev", 3) : NULL;
    struct dentry *pts = dev && dev->v->type == VNODE_DIR ? vnode_find(dev->v, "pts", 3) : NULL;
    return pts && pts->v->type == VNODE_DIR ? pts->v : NULL;
}

static void remove_node(struct pty *p)
{
    struct vnode *dir = pts_dir();
    char name[16];
    int len = snprintf(name, sizeof(name), "%d", p->index);
    struct dentry *d = dir ? vnode_find(dir, name, (size_t)len) : NULL;
    if (d && d->v == p->node)
        vnode_unlink(dir, d);
    if (p->node)
        vfs_put(p->node);
    p->node = NULL;
}

static bool track(struct pty *p, struct file *f)
{
    struct pty_file *o = kzalloc(sizeof(*o));
    if (!o)
        return false;
    o->f = f;
    o->next = p->files;
    p->files = o;
    return true;
}

static void untrack(struct pty *p, struct file *f)
{
    for (struct pty_file **o = &p->files; *o; o = &(*o)->next)
        if ((*o)->f == f) {
            struct pty_file *gone = *o;
            *o = gone->next;
            kfree(gone);
            return;
        }
}

static void free_if_done(struct pty *p)
{
    if (p->master_open || p->slave_files || p->path_files)
        return;
    for (struct pty **q = &ptys; *q; q = &(*q)->next)
        if (*q == p) {
            *q = p->next;
            break;
        }
    kfree(p);
}

/* ---- the master ---- */

static bool packet_news(const struct pty *p) { return p->tty.packet && p->tty.pktstatus; }

static bool master_readable(void *arg)
{
    struct pty *p = arg;
    return queue_count(&p->tty.out) || pty_slave_closed(p) || packet_news(p);
}

static int64_t master_read(struct file *f, void *kbuf, uint64_t len, uint64_t off, bool use_off)
{
    struct pty *p = f->priv;
    struct byte_queue *r = &p->tty.out;
    if (len == 0)
        return 0;
    for (;;) {
        uint64_t done = 0;
        if (packet_news(p)) {   /* packet mode: the status byte alone */
            *(uint8_t *)kbuf = p->tty.pktstatus;
            p->tty.pktstatus = 0;
            return 1;
        }
        if (p->tty.packet && r->tail != r->head)
            ((uint8_t *)kbuf)[done++] = TIOCPKT_DATA;
        while (done < len && r->tail != r->head) {
            ((uint8_t *)kbuf)[done++] = r->data[r->tail % r->size];
            r->tail++;
        }
        if (done) {
            pty_wake(p);
            return (int64_t)done;
        }
        if (pty_slave_closed(p))
            return -EIO;
        if (file_nonblock(f))
            return -EAGAIN;
        if (wait_until(master_readable, p, WAIT_FOREVER))
            return -ERESTARTSYS;
    }
}

static bool master_writable(void *arg)
{
    struct pty *p = arg;
    return tty_typing_room(&p->tty);
}

static int64_t master_write(struct file *f, const void *kbuf, uint64_t len)
{
    struct pty *p = f->priv;
    uint64_t done = 0;
    while (done < len) {
        if (!p->tty.master_stopped)
            done += tty_receive(&p->tty, (const uint8_t *)kbuf + done, len - done);
        if (done == len)
            break;
        if (file_nonblock(f))
            return done ? (int64_t)done : -EAGAIN;
        if (wait_until(master_writable, p, WAIT_FOREVER))
            return done ? (int64_t)done : -ERESTARTSYS;
    }
    return (int64_t)done;
}

static uint32_t master_poll(struct file *f)
{
    struct pty *p = f->priv;
    uint32_t mask = 0;
    if (queue_count(&p->tty.out))
        mask |= POLLIN | POLLRDNORM;
    if (packet_news(p))
        mask |= POLLPRI | POLLIN | POLLRDNORM;
    if (pty_slave_closed(p))
        mask |= POLLHUP;
    if (master_writable(p))
        mask |= POLLOUT | POLLWRNORM;
    return mask;
}

static void master_release(struct file *f)
{
    struct pty *p = f->priv;
    untrack(p, f);
    p->master_open = false;
    remove_node(p);
    tty_hangup_session(&p->tty);
    pty_wake(p);
    free_if_done(p);
}

/* /dev/ptmx is devtmpfs's node 5:2. */
static int master_stat(struct file *f, struct linux_stat *st)
{
    st->st_dev = 5;
    st->st_mode = S_IFCHR | 0666;
    st->st_nlink = 1;
    st->st_rdev = (5 << 8) | 2;
    st->st_blksize = PAGE_SIZE;
    return 0;
}

/* ---- the slave ---- */

static struct file *open_slave(struct pty *p, int flags, int *err)
{
    bool path_only = flags & O_PATH;   /* no device open: no lock, no controlling terminal */
    if (!path_only && (p->locked || !p->master_open)) {
        *err = -EIO;
        return NULL;
    }
    if (!path_only && p->exclusive[0] && !process_capable(current_process(), 21 /* CAP_SYS_ADMIN */)) {
        *err = -EBUSY;         /* tty_reopen */
        return NULL;
    }
    struct file *f = file_alloc(&slave_ops, p, flags);
    if (!f || !track(p, f)) {
        if (f)
            kfree(f);
        *err = -ENOMEM;
        return NULL;
    }
    f->vnode = p->node;
    vfs_get(p->node);
    if (!path_only) {
        p->slave_files++;
        p->slave_opened = true;
    } else {
        p->path_files++;
    }
    if (!path_only)
        tty_open_acquire(&p->tty, flags);
    return f;
}

static struct file *slave_open_path(const char *path, int flags)
{
    const char *name = strrchr(path, '/');
    int index = 0;
    for (name = name ? name + 1 : path; *name >= '0' && *name <= '9'; name++)
        index = index * 10 + (*name - '0');
    struct pty *p = find(index);
    int err = -ENXIO;
    struct file *f = p ? open_slave(p, flags, &err) : NULL;
    return f ? f : kfile_fail(err);
}

static int64_t slave_read(struct file *f, void *kbuf, uint64_t len, uint64_t off, bool use_off)
{
    struct pty *p = f->priv;
    return pty_hung_up(p) ? 0 : tty_read(&p->tty, f, kbuf, len);
}

static int64_t slave_write(struct file *f, const void *kbuf, uint64_t len)
{
    struct pty *p = f->priv;
    return pty_hung_up(p) ? -EIO : tty_write(&p->tty, f, kbuf, len);
}

static uint32_t slave_poll(struct file *f)
{
    struct pty *p = f->priv;
    if (pty_hung_up(p))
        return POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDNORM | POLLWRNORM;
    return (tty_input_available(&p->tty) ? POLLIN | POLLRDNORM : 0) |
           (tty_output_room(&p->tty) ? POLLOUT | POLLWRNORM : 0);
}

static void slave_release(struct file *f)
{
    struct pty *p = f->priv;
    untrack(p, f);
    if (f->vnode)
        vfs_put(f->vnode);
    if (f->flags & O_PATH)
        p->path_files--;
    else
        p->slave_files--;
    pty_wake(p);
    free_if_done(p);
}

/* devpts's inode: st_blksize 1024 (the node's kfile entry says so). */
static int slave_stat(struct file *f, struct linux_stat *st)
{
    return vnode_stat(f->vnode, st);
}

/* ---- requests either side takes (tty_ioctl's order: the pair's, job control, the driver's,
 * then the line discipline's) ---- */

static int64_t peer_open(struct pty *p, int flags)
{
    int err;
    struct file *f = open_slave(p, flags | O_LARGEFILE, &err);
    if (!f)
        return err;
    int fd = fd_alloc(current_process(), f, 0, flags & O_CLOEXEC);
    if (fd < 0)
        file_put(f);
    return fd;
}

static int64_t set_winsize(struct tty *t, uint64_t arg)
{
    uint16_t ws[4];
    if (copy_from_user(ws, arg, sizeof(ws)))
        return -EFAULT;
    if (memcmp(ws, t->winsize, sizeof(ws))) {
        memcpy(t->winsize, ws, sizeof(ws));
        tty_signal_foreground(t, SIGWINCH);
    }
    return 0;
}

/* Terminal requests Linux has and these terminals do not (faking input, other disciplines,
 * console redirection, a forced hangup). */
static int64_t not_implemented(uint32_t cmd)
{
    static bool logged;
    if (!logged) {
        logged = true;
        kinfo("tty: ioctl %#x is not implemented, returning ENOSYS\n", cmd);
    }
    return -ENOSYS;
}

static int64_t pty_ioctl(struct file *f, uint32_t cmd, uint64_t arg)
{
    struct pty *p = f->priv;
    bool master = is_master(f);
    if (!master && pty_hung_up(p))
        return cmd == TIOCSPGRP ? -ENOTTY : -EIO;
    int value;
    switch (cmd) {
    case TIOCGWINSZ:
        return copy_to_user(arg, p->tty.winsize, sizeof(p->tty.winsize)) ? -EFAULT : 0;
    case TIOCSWINSZ:
        return set_winsize(&p->tty, arg);
    case TIOCEXCL:
    case TIOCNXCL:
        p->exclusive[master] = cmd == TIOCEXCL;
        return 0;
    case TIOCGEXCL:
        value = p->exclusive[master];
        return copy_to_user(arg, &value, sizeof(value)) ? -EFAULT : 0;
    case TIOCGETD:
        value = 0;             /* N_TTY */
        return copy_to_user(arg, &value, sizeof(value)) ? -EFAULT : 0;
    case TIOCGPTPEER:
        return master ? peer_open(p, (int)arg) : -EIO;
    case TCSBRK: case TCSBRKP: case TIOCSBRK: case TIOCCBRK: {
        /* tcdrain and the breaks: a pty's driver queues nothing and has no break to send
         * (send_break without break_ctl), so after job control's check they are done. */
        int err = master ? 0 : tty_job_check(&p->tty, SIGTTOU);
        return err ? err : 0;
    }
    case TIOCSTI: case TIOCSETD: case TIOCCONS: case TIOCVHANGUP:
        return not_implemented(cmd);
    }
    int64_t r = tty_ctty_ioctl(&p->tty, f, master, cmd, arg);
    if (r != -ENOTTY)
        return r;
    if (master) {              /* pty_unix98_ioctl */
        switch (cmd) {
        case TIOCSPTLCK:
            if (copy_from_user(&value, arg, sizeof(value)))
                return -EFAULT;
            p->locked = value != 0;
            return 0;
        case TIOCGPTLCK:
            value = p->locked;
            return copy_to_user(arg, &value, sizeof(value)) ? -EFAULT : 0;
        case TIOCGPTN:
            value = p->index;
            return copy_to_user(arg, &value, sizeof(value)) ? -EFAULT : 0;
        case TIOCPKT:          /* pty_set_pktmode: turning it on forgets old news */
            if (copy_from_user(&value, arg, sizeof(value)))
                return -EFAULT;
            if (value && !p->tty.packet)
                p->tty.pktstatus = 0;
            p->tty.packet = value != 0;
            return 0;
        case TIOCGPKT:
            value = p->tty.packet;
            return copy_to_user(arg, &value, sizeof(value)) ? -EFAULT : 0;
        }
    }
    return tty_ldisc_ioctl(&p->tty, master, cmd, arg);
}

/* pty_show_fdinfo: the master's fdinfo names its pair. */
static size_t master_fdinfo(struct file *f, char *buf, size_t size)
{
    struct pty *p = f->priv;
    return (size_t)snprintf(buf, size, "tty-index:\t%d\n", p->index);
}

static const struct file_ops master_ops = {
    .kind = FILE_TTY, .read = master_read, .write = master_write, .poll = master_poll,
    .ioctl = pty_ioctl, .stat = master_stat, .release = master_release, .show_fdinfo = master_fdinfo,
};
static const struct file_ops slave_ops = {
    .kind = FILE_TTY, .read = slave_read, .write = slave_write, .poll = slave_poll,
    .ioctl = pty_ioctl, .stat = slave_stat, .release = slave_release,
};

/* An O_PATH descriptor of /dev/ptmx opens no device: it only names the node. */
static const struct file_ops ptmx_path_ops = { .kind = FILE_TTY, .stat = master_stat };

/* ptmx_open: a new pair, locked, its slave's node made in /dev/pts. */
static struct file *ptmx_open(const char *path, int flags)
{
    if (flags & O_PATH)
        return file_alloc(&ptmx_path_ops, NULL, flags);
    struct vnode *dir = pts_dir();
    if (!dir)
        return kfile_fail(-ENODEV);
    struct pty *p = kzalloc(sizeof(*p));
    if (!p)
        return NULL;
    p->index = lowest_free_index();
    p->locked = true;
    p->master_open = true;
    p->tty.pty = p;
    tty_ldisc_init(&p->tty);
    char name[16];
    snprintf(name, sizeof(name), "%d", p->index);
    struct vnode *node;
    if (kfile_instantiate(dir, name, slave_template, &node)) {
        kfree(p);
        return NULL;
    }
    struct process *self = current_process();
    node->uid = self->cred.fsuid;
    node->gid = self->cred.fsgid;
    vfs_set_rdev(node, slave_rdev(p->index));
    vfs_get(node);
    p->node = node;
    struct file *f = file_alloc(&master_ops, p, flags);
    if (!f || !track(p, f)) {
        if (f)
            kfree(f);
        remove_node(p);
        kfree(p);
        return NULL;
    }
    p->next = ptys;
    ptys = p;
    return f;
}

int tty_fd_link(struct file *f, char *buf, size_t size)
{
    struct pty *p = f->priv;
    if (!p || is_master(f))
        return snprintf(buf, size, "/dev/ptmx");
    return snprintf(buf, size, p->master_open ? "/dev/pts/%d" : "/dev/pts/%d (deleted)", p->index);
}

struct file *pty_open_controlling(int flags, int *err)
{
    struct process *self = current_process();
    if (!self->tty)
        return NULL;
    return open_slave(self->tty->pty, flags | O_NOCTTY, err);
}

void pty_init(void)
{
    kfile_register_device("/dev/ptmx", ptmx_open, S_IFCHR | 0666, (5 << 8) | 2, 0);
    kfile_register_device("/dev/pts/ptmx", ptmx_open, S_IFCHR | 0000, (5 << 8) | 2, 1024);
    slave_template = kfile_template("pts/N", slave_open_path, NULL, NULL, S_IFCHR | 0600);
    kfile_set_blksize(slave_template, 1024);
}
