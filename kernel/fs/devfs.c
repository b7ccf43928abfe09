/* The character devices the kernel provides itself: the console (/dev/console, /dev/tty and the
 * standard descriptors), /dev/null, /dev/zero, /dev/full, /dev/urandom and /dev/random. Their paths are
 * kernel-made files (kfile.h), registered by devfs_init. */
#include "kernel.h"
#include "profile.h"
#include "file.h"
#include "kfile.h"
#include "vfs.h"
#include "vnode.h"
#include "console.h"
#include "bootargs.h"
#include "random.h"
#include "mm.h"
#include "uaccess.h"
#include "errno.h"
#include "signal.h"
#include "linux_abi.h"
#include "process.h"
#include "tty.h"
#include <string.h>

static int64_t null_read(struct file *f, void *kbuf, uint64_t len, uint64_t off, bool use_off) { return 0; }
static int64_t zero_read(struct file *f, void *kbuf, uint64_t len, uint64_t off, bool use_off)
{
    memset(kbuf, 0, len);
    return len;
}
static int64_t urandom_read(struct file *f, void *kbuf, uint64_t len, uint64_t off, bool use_off)
{
    random_bytes(kbuf, len);
    return len;
}
static int64_t sink_write(struct file *f, const void *kbuf, uint64_t len) { return len; }

/* /dev/full: reads as /dev/zero, every write finds the device full. */
static int64_t full_write(struct file *f, const void *kbuf, uint64_t len) { return -ENOSPC; }

/* priv names the console stream: the program's stderr descriptor is opened as CONSOLE_STDERR
 * (its low byte; the next byte is the standard descriptor + 1 it was opened as, run.c). */
static int64_t console_file_write(struct file *f, const void *kbuf, uint64_t len)
{
    profile_program_mark(PROGRAM_FIRST_OUTPUT);
    console_write_program(f->priv ? (char)(uintptr_t)f->priv : CONSOLE_STDOUT, kbuf, len);
    return len;
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

/* A serial line has no size until someone sets one, as on Linux's ttyAMA0. */
static uint16_t console_winsize[4];

static int64_t console_ioctl(struct file *f, uint32_t cmd, uint64_t arg)
{
    switch (cmd) {
    case TCGETS:
        return copy_to_user(arg, &console_termios, sizeof(console_termios)) ? -EFAULT : 0;
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
        return copy_from_user(&console_termios, arg, sizeof(console_termios)) ? -EFAULT : 0;
    case TIOCGWINSZ:
        return copy_to_user(arg, console_winsize, sizeof(console_winsize)) ? -EFAULT : 0;
    case TIOCSWINSZ:           /* kept, as every Linux tty keeps it (no foreground group to tell) */
        return copy_from_user(console_winsize, arg, sizeof(console_winsize)) ? -EFAULT : 0;
    default:
        return -ENOTTY;
    }
}

/* Console input is the program's stdin (console.c): a read takes what has arrived, waits when
 * nothing has, and returns 0 once the host said the input ended. The open console files are
 * kept so the input's arrival wakes whoever polls one. */
#define MAX_CONSOLE_FILES 32
static struct file *console_files[MAX_CONSOLE_FILES];

static void console_input_arrived(void)
{
    for (size_t i = 0; i < MAX_CONSOLE_FILES; i++)
        if (console_files[i])
            file_wake(console_files[i], POLLIN | POLLRDNORM);
}

static bool console_readable(void *arg) { return console_input_ready(); }

static int64_t console_file_read(struct file *f, void *kbuf, uint64_t len, uint64_t off, bool use_off)
{
    if (len == 0)
        return 0;
    for (;;) {
        int64_t n = console_read_input(kbuf, len);
        if (n != -EAGAIN)
            return n;
        if (file_nonblock(f))
            return -EAGAIN;
        if (wait_until(console_readable, NULL, WAIT_FOREVER))
            return -ERESTARTSYS;
    }
}

static uint32_t console_poll(struct file *f)
{
    return POLLOUT | POLLWRNORM | (console_input_ready() ? POLLIN | POLLRDNORM : 0);
}

static void console_release(struct file *f)
{
    if (f->vnode)
        vfs_put(f->vnode);
    for (size_t i = 0; i < MAX_CONSOLE_FILES; i++)
        if (console_files[i] == f)
            console_files[i] = NULL;
}

static struct file *console_track(struct file *f)
{
    for (size_t i = 0; f && i < MAX_CONSOLE_FILES; i++)
        if (!console_files[i]) {
            console_files[i] = f;
            break;
        }
    return f;
}

static uint32_t device_rdev(const struct file_ops *ops);

static int device_stat(struct file *f, struct linux_stat *st)
{
    if (f->vnode)
        return vnode_stat(f->vnode, st);   /* opened through a mknod node: the node's stat */
    st->st_dev = 5;
    st->st_mode = S_IFCHR | (f->kind == FILE_CONSOLE ? 0620 : 0666);   /* as devices[] below */
    st->st_nlink = 1;
    st->st_blksize = PAGE_SIZE;   /* character devices report the page size, as Linux does */
    st->st_rdev = device_rdev(f->ops);
    return 0;
}

/* A device opened through a mknod node lets the node go with the file. */
static void device_release(struct file *f)
{
    if (f->vnode)
        vfs_put(f->vnode);
}

static const struct file_ops null_ops = {
    .kind = FILE_NULL, .read = null_read, .write = sink_write, .stat = device_stat, .release = device_release,
    .seekable = true,
};
static const struct file_ops zero_ops = {
    .kind = FILE_ZERO, .read = zero_read, .write = sink_write, .stat = device_stat, .release = device_release,
    .seekable = true,
};
static const struct file_ops urandom_ops = {
    .kind = FILE_URANDOM, .read = urandom_read, .write = sink_write, .stat = device_stat,
    .release = device_release, .seekable = true,
};
static const struct file_ops random_ops = {   /* the same bytes; its own device number */
    .kind = FILE_URANDOM, .read = urandom_read, .write = sink_write, .stat = device_stat,
    .release = device_release, .seekable = true,
};
/* Its kind is /dev/null's: nothing to map (ENODEV), as Linux's full_fops have no mmap. */
static const struct file_ops full_ops = {
    .kind = FILE_NULL, .read = zero_read, .write = full_write, .stat = device_stat, .release = device_release,
    .seekable = true,
};
static const struct file_ops console_ops = {
    .kind = FILE_CONSOLE, .read = console_file_read, .write = console_file_write, .poll = console_poll,
    .ioctl = console_ioctl, .stat = device_stat, .release = console_release,
};

/* A standard descriptor the host gives no terminal (`notty=`, bootargs.h): the same console
 * stream, shown as Linux shows a pipe (docker without -t): fstat a FIFO of pipefs, no termios
 * (ENOTTY, so isatty is false), FIONREAD the input waiting, /proc/self/fd "pipe:[N]". */
static int64_t console_pipe_ioctl(struct file *f, uint32_t cmd, uint64_t arg)
{
    if (cmd != FIONREAD)
        return -ENOTTY;
    int32_t n = (int32_t)console_input_pending();
    return copy_to_user(arg, &n, sizeof(n)) ? -EFAULT : 0;
}

/* One inode number per standard stream (priv's second byte: descriptor + 1, run.c), made at its
 * first look: every file on a stream, reopened through /proc/self/fd too, is the same pipe. */
static uint64_t console_pipe_ino(const struct file *f)
{
    static uint64_t inos[3];
    unsigned fd = (unsigned)((uintptr_t)f->priv >> 8) - 1;
    if (fd > 2)
        return 0;
    if (!inos[fd])
        inos[fd] = file_anon_ino();
    return inos[fd];
}

static int console_pipe_stat(struct file *f, struct linux_stat *st)
{
    st->st_dev = 0xc;                  /* pipefs, as fs/pipe.c's */
    st->st_ino = console_pipe_ino(f);
    st->st_mode = S_IFIFO | 0600;
    st->st_nlink = 1;
    st->st_blksize = PAGE_SIZE;
    return 0;
}

static const struct file_ops console_pipe_ops = {
    .kind = FILE_CONSOLE, .read = console_file_read, .write = console_file_write, .poll = console_poll,
    .ioctl = console_pipe_ioctl, .stat = console_pipe_stat, .release = console_release,
};

bool devfs_console_pipe(const struct file *f, uint64_t *ino)
{
    if (f->ops != &console_pipe_ops)
        return false;
    *ino = console_pipe_ino(f);
    return true;
}

/* Linux's numbers: mem major 1 (null 3, zero 5, full 7, random 8, urandom 9), tty major 5. */
static uint32_t device_rdev(const struct file_ops *ops)
{
    return ops == &null_ops ? (1 << 8) | 3 : ops == &zero_ops ? (1 << 8) | 5 : ops == &full_ops ? (1 << 8) | 7 :
           ops == &random_ops ? (1 << 8) | 8 : ops == &urandom_ops ? (1 << 8) | 9 : (5 << 8) | 1;
}

static const struct { const char *path; const struct file_ops *ops; uint32_t mode; } devices[] = {
    { "/dev/null", &null_ops, 0666 },
    { "/dev/zero", &zero_ops, 0666 },
    { "/dev/urandom", &urandom_ops, 0666 },
    { "/dev/random", &random_ops, 0666 },
    { "/dev/full", &full_ops, 0666 },
    { "/dev/console", &console_ops, 0620 },
    { "/dev/tty", &console_ops, 0666 },
};

bool devfs_console_is_terminal(void) { return (bootargs.notty & 7) != 7; }

/* /dev/tty is the caller's controlling terminal: a pseudo-terminal (fs/pty.c), or the console
 * for session 1's processes (the console is pid 1's terminal, as a container's with a tty;
 * none when the host gave no descriptor a terminal); ENXIO for a session without one. */
static struct file *controlling_open(const char *path, int flags)
{
    int err = -ENXIO;
    struct file *f = pty_open_controlling(flags, &err);
    if (f || current_process()->tty)
        return f ? f : kfile_fail(err);
    if (current_process()->sid != PROCESS_PID || !devfs_console_is_terminal())
        return kfile_fail(-ENXIO);
    return console_track(file_alloc(&console_ops, NULL, flags));
}

static struct file *device_open(const char *path, int flags)
{
    if (!strcmp(path, "/dev/tty"))
        return controlling_open(path, flags);
    for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
        if (!strcmp(path, devices[i].path)) {
            struct file *f = file_alloc(devices[i].ops, NULL, flags);
            return devices[i].ops == &console_ops ? console_track(f) : f;
        }
    return NULL;
}

struct file *devfs_open_number(uint32_t rdev, struct vnode *node, int flags)
{
    for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
        if (device_rdev(devices[i].ops) == rdev) {
            struct file *f = file_alloc(devices[i].ops, NULL, flags);
            if (!f)
                return NULL;
            f->vnode = node;
            vfs_get(node);
            return devices[i].ops == &console_ops ? console_track(f) : f;
        }
    return NULL;
}

void devfs_init(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
        kfile_register(devices[i].path, device_open, S_IFCHR | devices[i].mode);
    /* The links every Linux /dev has (udev's, or a container runtime's): a program or a shell
     * reads "/dev/stdin" as its descriptor 0, whatever that is (a pipe: procfs_fd_reopen). */
    kfile_register_symlink("/dev/fd", "/proc/self/fd");
    kfile_register_symlink("/dev/stdin", "/proc/self/fd/0");
    kfile_register_symlink("/dev/stdout", "/proc/self/fd/1");
    kfile_register_symlink("/dev/stderr", "/proc/self/fd/2");
    kmsg_init();
    console_set_input_notify(console_input_arrived);
    pty_init();
}

/* /dev/shm, where glibc's shm_open and sem_open keep POSIX shared memory: on Linux a tmpfs,
 * here an ordinary directory of the in-memory tree (sticky, world-writable), made once /dev is
 * in the tree unless the image has one. Without it PostgreSQL's initdb falls back to SysV
 * segments and sem_open fails. */
void devfs_publish_shm(void)
{
    struct vnode *root = vnode_root();
    struct dentry *dev = root ? vnode_find(root, "dev", 3) : NULL;
    if (dev && dev->v->type == VNODE_DIR && !vnode_find(dev->v, "shm", 3) &&
        vfs_create(dev->v, "shm", 3, VNODE_DIR, 01777, NULL, NULL))
        kinfo("devfs: no room in the tree for /dev/shm\n");
}

struct file *devfs_open_console(int flags)
{
    return console_track(file_alloc(&console_ops, NULL, flags));
}

struct file *devfs_reopen_console(struct file *f, int flags)
{
    struct file *again = console_track(file_alloc(f->ops, NULL, flags));
    if (again)
        again->priv = f->priv;         /* the same stream (stdout or stderr) */
    return again;
}

struct file *devfs_open_stdio(int fd, int flags)
{
    bool pipe = fd >= 0 && fd <= 2 && (bootargs.notty & (1u << fd));
    return console_track(file_alloc(pipe ? &console_pipe_ops : &console_ops, NULL, flags));
}
