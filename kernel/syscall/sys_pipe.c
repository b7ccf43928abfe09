/* Descriptors for kernel objects with no path: pipe2 and eventfd2. */
#include "kernel.h"
#include "syscall.h"
#include "process.h"
#include "file.h"
#include "pipe.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"

SYSCALL(pipe2)
{
    struct process *p = current_process();
    int flags = (int)a1, fds[2];
    struct file *r, *w;
    if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
        return -EINVAL;
    int err = pipe_create(flags, &r, &w);
    if (err)
        return err;
    fds[0] = fd_alloc(p, r, 0, flags & O_CLOEXEC);
    fds[1] = fds[0] < 0 ? -EMFILE : fd_alloc(p, w, 0, flags & O_CLOEXEC);
    if (fds[1] < 0 || copy_to_user(a0, fds, sizeof(fds))) {
        err = fds[1] < 0 ? (fds[0] < 0 ? fds[0] : fds[1]) : -EFAULT;
        if (fds[0] >= 0)
            fd_forget(p, fds[0]);
        if (fds[1] >= 0)
            fd_forget(p, fds[1]);
        file_put(r);
        file_put(w);
        return err;
    }
    return 0;
}

SYSCALL(eventfd2)
{
    int flags = (int)a1;
    if (flags & ~(EFD_SEMAPHORE | O_CLOEXEC | O_NONBLOCK))
        return -EINVAL;
    struct file *f = eventfd_create((uint32_t)a0, flags);
    if (!f)
        return -ENOMEM;
    int fd = fd_alloc(current_process(), f, 0, flags & O_CLOEXEC);
    if (fd < 0)
        file_put(f);
    return fd;
}
