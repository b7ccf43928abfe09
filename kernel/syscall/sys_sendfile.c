/* sendfile: file to socket or file in the kernel (nginx serves static files with it), with
 * Linux's checks in Linux's order. */
#include "kernel.h"
#include "syscall.h"
#include "syscall_path.h"
#include "process.h"
#include "file.h"
#include "vfs.h"
#include "uaccess.h"
#include "mm.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

#define SENDFILE_CHUNK 65536
#define MAX_RW_COUNT   0x7ffff000UL     /* Linux clamps one transfer to this */

static struct process *proc(void) { return current_process(); }

/* in_fd must be a regular file (the page cache's side of Linux's splice); out_fd anything
 * writable but O_APPEND. Bytes move through a kernel buffer. */
SYSCALL(sendfile)
{
    struct file *out = fd_get(proc(), (int)a0), *in = fd_get(proc(), (int)a1);
    uint64_t uoff = a2, count = a3 > MAX_RW_COUNT ? MAX_RW_COUNT : a3;
    int64_t pos;
    if (!in || (in->flags & O_ACCMODE) == O_WRONLY || (in->flags & O_PATH))
        return -EBADF;
    if (!out || (out->flags & O_ACCMODE) == O_RDONLY || (out->flags & O_PATH))
        return -EBADF;
    if (in->kind != FILE_VNODE || vfs_type(in->vnode) != VNODE_FILE)
        return -EINVAL;
    if (out->flags & O_APPEND)
        return -EINVAL;
    if (uoff) {
        if (copy_from_user(&pos, uoff, sizeof(pos)))
            return -EFAULT;
        if (pos < 0)
            return -EINVAL;
    } else {
        pos = (int64_t)in->offset;
    }
    char *buf = kmalloc(count < SENDFILE_CHUNK ? (count ? count : 1) : SENDFILE_CHUNK);
    if (!buf)
        return -ENOMEM;
    uint64_t done = 0;
    int64_t err = 0;
    while (done < count) {
        uint64_t want = count - done < SENDFILE_CHUNK ? count - done : SENDFILE_CHUNK;
        int64_t got = vfs_read(in->vnode, (uint64_t)pos + done, buf, want);
        if (got <= 0) {
            err = got;
            break;
        }
        int64_t put = file_write(out, buf, (uint64_t)got);
        if (put < 0) {
            err = put;
            break;
        }
        done += (uint64_t)put;
        if (put < got)
            break;                     /* the socket took part: a short transfer, as Linux */
    }
    kfree(buf);
    if (!done && err < 0)
        return err;
    if (uoff) {
        int64_t next = pos + (int64_t)done;
        if (copy_to_user(uoff, &next, sizeof(next)))
            return -EFAULT;
    } else {
        in->offset += done;
    }
    return (int64_t)done;
}
