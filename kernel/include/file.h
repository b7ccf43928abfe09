/* Open files: what a descriptor points at. Each kind of file (VFS file or directory, character
 * device, pipe end, eventfd, epoll instance, socket) supplies an ops table; generic code calls
 * through it and never switches on the kind. `kind` remains as the file's identity for the few
 * syscalls that only make sense on one kind (getdents, fchdir, mmap). */
#pragma once
#include "linux_uapi.h"
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "wait.h"

struct vnode;
struct linux_stat;
struct file;

enum file_kind { FILE_VNODE, FILE_CONSOLE, FILE_NULL, FILE_ZERO, FILE_URANDOM,
                 FILE_PIPE, FILE_EVENTFD, FILE_EPOLL, FILE_SOCKET, FILE_MEMORY, FILE_TIMERFD,
                 FILE_SIGNALFD, FILE_INOTIFY, FILE_PIDFD, FILE_MQUEUE, FILE_TTY, FILE_NSFS };

/* What files that cannot wait report: always ready (Linux's DEFAULT_POLLMASK). */
#define POLL_ALWAYS (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

struct file_ops {
    enum file_kind kind;
    /* Bytes read into kbuf; at `offset` when use_offset, else at (and advancing) f->offset. */
    int64_t (*read)(struct file *f, void *kbuf, uint64_t len, uint64_t offset, bool use_offset);
    int64_t (*write)(struct file *f, const void *kbuf, uint64_t len);
    /* pwrite: at `offset`, f->offset unchanged. NULL: the position means nothing (devices). */
    int64_t (*write_at)(struct file *f, const void *kbuf, uint64_t len, uint64_t offset);
    /* The poll events ready now. NULL: the file cannot be waited on (epoll refuses it with
     * EPERM; poll and select see POLL_ALWAYS). */
    uint32_t (*poll)(struct file *f);
    /* Requests the file itself understands; -ENOTTY otherwise. NULL: none. */
    int64_t (*ioctl)(struct file *f, uint32_t cmd, uint64_t arg);
    int (*stat)(struct file *f, struct linux_stat *st);
    /* lseek of a file with a position of its own (/dev/kmsg's record number): the result, or
     * an errno. NULL: the generic seek over f->offset. */
    int64_t (*llseek)(struct file *f, int64_t offset, int whence);
    /* The last reference went away: free what the file owns (not the struct file). */
    void (*release)(struct file *f);
    /* /proc/<pid>/fdinfo/N's lines of the kind's own (Linux's show_fdinfo), written as snprintf
     * writes (the length they take); NULL: none. */
    size_t (*show_fdinfo)(struct file *f, char *buf, size_t size);
    bool seekable;             /* lseek works (or, for devices, is accepted and stays at 0) */
};

struct file {
    enum file_kind kind;
    const struct file_ops *ops;
    struct vnode *vnode;
    void *priv;                /* the kind's own state (pipe, eventfd counter, epoll, socket) */
    uint64_t offset;
    int flags;                 /* open flags (O_ACCMODE, O_APPEND, O_NONBLOCK, ...) */
    int refs;
    uint64_t dir_cookie;       /* getdents position */
    struct wait_queue waiters; /* woken with the events that happened */
    int owner;                 /* F_SETOWN: a pid (> 0) or process group (< 0) for O_ASYNC's SIGIO */
    int owner_sig;             /* F_SETSIG: the signal sent instead of SIGIO (0: SIGIO, no siginfo) */
    int async_fd;              /* the descriptor O_ASYNC was set through (si_fd), as Linux's fa_fd */
};

/* The inode number of an object outside the tree (a pipe, a socket, a piped console stream),
 * as Linux's get_next_ino: small, increasing, not reused within a boot ("pipe:[N]"). */
uint64_t file_anon_ino(void);
/* A file of the given ops; refs = 1. */
struct file *file_alloc(const struct file_ops *ops, void *priv, int flags);
/* An open file of a VFS file or directory; it holds the vnode. */
struct file *file_open_vnode(struct vnode *vnode, int flags);
void file_put(struct file *f);
/* The kernel's devices (devfs.c): register their paths as kernel-made files (kfile.h). */
void devfs_init(void);
/* /dev/kmsg (fs/kmsg.c), registered by devfs_init. */
void kmsg_init(void);
/* /dev/shm as a writable directory (after kfile_publish has put /dev in the tree). */
void devfs_publish_shm(void);
/* /proc's system files (fs/procfs.c) and the process's /proc/PID files (fs/procfs_pid.c),
 * likewise (/sys/devices/system/cpu: proc/cpuinfo.c). */
void procfs_init(void);
void procfs_pid_init(void);
/* The console as a file. */
struct file *devfs_open_console(int flags);
/* The program's standard descriptor fd: the console, or the console shown as a pipe where the
 * host gives no terminal (notty=). */
struct file *devfs_open_stdio(int fd, int flags);
/* Another open file of the console f is (the same stream, the same ops: /proc/self/fd/N). */
struct file *devfs_reopen_console(struct file *f, int flags);
/* Whether the console is session 1's controlling terminal: unless the host gives none of the
 * three standard descriptors a terminal (docker without -t: pid 1 has no terminal, /dev/tty is
 * ENXIO and a session-1 leader may take a pseudo-terminal as its own). */
bool devfs_console_is_terminal(void);
/* Whether f is such a pipe-like console (and its inode number, for /proc/self/fd). */
bool devfs_console_pipe(const struct file *f, uint64_t *ino);
/* The kernel's character device numbered rdev (mknod's dev), opened through node (held by the
 * file: fstat shows the node); NULL for a number no device has. */
struct file *devfs_open_number(uint32_t rdev, struct vnode *node, int flags);
int64_t file_read(struct file *f, void *kbuf, uint64_t len, uint64_t offset, bool use_offset);
/* At `offset` when use_offset (pwrite), else at the file position (or the end, O_APPEND). */
int64_t file_write_at(struct file *f, const void *kbuf, uint64_t len, uint64_t offset, bool use_offset);
int64_t file_write(struct file *f, const void *kbuf, uint64_t len);
uint32_t file_poll(struct file *f);
int64_t file_ioctl(struct file *f, uint32_t cmd, uint64_t arg);
int file_stat(struct file *f, struct linux_stat *st);
/* stat for a vnode that has no open file (fstatat, the cwd). */
int vnode_stat(struct vnode *v, struct linux_stat *st);
/* Open of a FIFO node (fs/fifo.c): waits for its partner as Linux's fifo_open; 0 or an errno. */
int fifo_open(struct vnode *v, int flags, struct file **out);
/* Tell whoever waits on f that `events` happened (and its owner, with O_ASYNC: SIGIO). */
void file_wake(struct file *f, uint32_t events);
/* The same with no events for the waiters (a wake-up without a key: each polls the file), and
 * `events` only for O_ASYNC's signal. */
void file_wake_keyless(struct file *f, uint32_t events);
/* O_ASYNC's signal (fs/fasync.c): SIGIO (or F_SETSIG's signal) to f's owner, a process or a
 * process group, for `events` (POLLIN, ...), or for reason POLL_MSG (dnotify: file_send_sigio). */
void file_signal_owner(struct file *f, uint32_t events);
void file_send_sigio(struct file *f, int fd, int reason);
static inline bool file_nonblock(struct file *f) { return f->flags & 04000; /* O_NONBLOCK */ }

/* read/write's copy between user memory and f through a bounce buffer (sys_file.c), at offset
 * when it is >= 0: the byte count (short at the first page the user cannot access), or an errno
 * when nothing moved. Native AIO's reads and writes are these (sys_aio.c). */
int64_t read_to_user(struct file *f, uint64_t ubuf, uint64_t len, int64_t offset);
int64_t write_from_user(struct file *f, uint64_t ubuf, uint64_t len, int64_t offset);

/* readv/writev on a socket (kernel/syscall/sys_socket_io.c): one operation over all vectors. */
int64_t socket_vector_io(struct file *f, uint64_t uiov, uint64_t count, bool write);

/* A write to a pipe or socket nobody reads: SIGPIPE, which by default ends the program
 * (status 128 + 13); ignored, blocked (left pending) or handled, the call fails with EPIPE. */
void raise_sigpipe(void);
