/* /proc/<pid>/fdinfo/N (fs/proc/fd.c's seq_show): the open file's position, its flags in octal
 * (fcntl's F_GETFL, with O_CLOEXEC from the descriptor), the id of its mount (mountinfo's
 * first field; 0 for pipes, sockets and anonymous inodes, whose internal mounts Linux lists
 * nowhere either), its inode, then its kind's own lines (file_ops.show_fdinfo: eventfd, epoll,
 * timerfd, signalfd, inotify), after the locks held through it (show_fd_locks: filelock.c). */
#include "kernel.h"
#include "kfile.h"
#include "procfs_pid.h"
#include "process.h"
#include "file.h"
#include "filelock.h"
#include "vfs.h"
#include "mm.h"
#include "linux_abi.h"
#include <string.h>

#define FDINFO_MAX 4096

static int fdinfo_entry;

static int fd_of(const char *path)
{
    const char *name = strrchr(path, '/');
    int fd = 0;
    for (name = name ? name + 1 : path; *name >= '0' && *name <= '9'; name++)
        fd = fd * 10 + (*name - '0');
    return *name ? -1 : fd;
}

static struct file *fdinfo_open(const char *path, int flags)
{
    struct process *p = process_of(path, NULL);
    int fd = fd_of(path);
    struct file *f = p && fd >= 0 ? fd_get(p, fd) : NULL;
    if (!f)
        return NULL;
    struct linux_stat st;
    file_stat(f, &st);
    int f_flags = (f->flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)) | (fd_cloexec(p, fd) ? O_CLOEXEC : 0);
    char *s = kmalloc(FDINFO_MAX);
    if (!s)
        return NULL;
    size_t n = (size_t)snprintf(s, FDINFO_MAX, "pos:\t%ld\nflags:\t0%o\nmnt_id:\t%d\nino:\t%lu\n", (int64_t)f->offset,
                                f_flags, f->vnode ? vfs_mount_id(f->vnode) : 0, st.st_ino);
    if (n < FDINFO_MAX)
        n += filelock_fdinfo(p, f, s + n, FDINFO_MAX - n);
    if (f->ops->show_fdinfo && n < FDINFO_MAX)
        n += f->ops->show_fdinfo(f, s + n, FDINFO_MAX - n);
    return text_file(s, n < FDINFO_MAX ? n : FDINFO_MAX - 1, flags);
}

static void fdinfo_refresh(struct vnode *dir, const char *path) { procfs_fd_entries(dir, path, fdinfo_entry); }

void procfs_fdinfo_init(void)
{
    fdinfo_entry = kfile_template("fdinfo/N", fdinfo_open, NULL, NULL, S_IFREG | 0444);
    procfs_pid_entry("fdinfo", kfile_template("fdinfo", NULL, NULL, fdinfo_refresh, S_IFDIR | 0500));
}
