/* Calls that act on a byte range of an open file: fallocate and copy_file_range. Each checks its
 * arguments in the order Linux's VFS does (fs/open.c vfs_fallocate, fs/read_write.c
 * generic_copy_file_checks), since programs and tests tell errors apart. */
#include "kernel.h"
#include "syscall.h"
#include "process.h"
#include "file.h"
#include "vfs.h"
#include "mm.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"

#define FALLOC_FL_KNOWN (FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE | \
                         FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE)
#define MAX_FILE_SIZE INT64_MAX   /* tmpfs's s_maxbytes */
#define COPY_CHUNK    65536

static bool readable(struct file *f) { return (f->flags & O_ACCMODE) != O_WRONLY && !(f->flags & O_PATH); }
static bool writable(struct file *f) { return (f->flags & O_ACCMODE) != O_RDONLY && !(f->flags & O_PATH); }

static uint32_t file_type(struct file *f)
{
    struct linux_stat st;
    return file_stat(f, &st) ? 0 : st.st_mode & S_IFMT;
}

SYSCALL(fallocate)
{
    struct file *f = fd_get(current_process(), (int)a0);
    int mode = (int)a1;
    int64_t offset = (int64_t)a2, len = (int64_t)a3;
    if (!f || (f->flags & O_PATH))
        return -EBADF;
    if (offset < 0 || len <= 0)
        return -EINVAL;
    if (mode & ~FALLOC_FL_KNOWN)
        return -EOPNOTSUPP;
    if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
        return -EOPNOTSUPP;   /* also what Linux says to PUNCH_HOLE|ZERO_RANGE and friends */
    if (!writable(f))
        return -EBADF;
    uint32_t type = file_type(f);
    if (type == S_IFIFO)
        return -ESPIPE;
    if (type == S_IFDIR)
        return -EISDIR;
    if (type != S_IFREG || f->kind != FILE_VNODE)
        return -ENODEV;
    if (offset > MAX_FILE_SIZE - len)
        return -EFBIG;
    if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
        return -EOPNOTSUPP;   /* collapse, insert, zero and unshare ranges: not on tmpfs either */
    return vfs_fallocate(f->vnode, mode, (uint64_t)offset, (uint64_t)len);
}

/* Copy through a kernel buffer: both ends are files of the in-memory tree, so there is nothing to
 * reflink or splice; short reads (end of file) end the copy. */
static int64_t copy_bytes(struct file *in, int64_t pos_in, struct file *out, int64_t pos_out, uint64_t len)
{
    uint64_t done = 0;
    char *buf = kmalloc(len < COPY_CHUNK ? len : COPY_CHUNK);
    if (!buf)
        return -ENOMEM;
    while (done < len) {
        uint64_t want = len - done < COPY_CHUNK ? len - done : COPY_CHUNK;
        int64_t n = file_read(in, buf, want, (uint64_t)pos_in + done, true);
        if (n <= 0) {
            if (n < 0 && !done)
                done = (uint64_t)n;
            break;
        }
        int64_t w = file_write_at(out, buf, (uint64_t)n, (uint64_t)pos_out + done, true);
        if (w < 0) {
            if (!done)
                done = (uint64_t)w;
            break;
        }
        done += (uint64_t)w;
        if (w < n)
            break;
    }
    kfree(buf);
    return (int64_t)done;
}

SYSCALL(copy_file_range)
{
    struct process *p = current_process();
    struct file *in = fd_get(p, (int)a0), *out = fd_get(p, (int)a2);
    uint64_t uoff_in = a1, uoff_out = a3, len = a4;
    int64_t pos_in, pos_out;
    if (!in || !out || (in->flags & O_PATH) || (out->flags & O_PATH))
        return -EBADF;
    if (uoff_in ? copy_from_user(&pos_in, uoff_in, sizeof(pos_in)) : (pos_in = (int64_t)in->offset, 0))
        return -EFAULT;
    if (uoff_out ? copy_from_user(&pos_out, uoff_out, sizeof(pos_out)) : (pos_out = (int64_t)out->offset, 0))
        return -EFAULT;
    if (a5 != 0)
        return -EINVAL;
    uint32_t tin = file_type(in), tout = file_type(out);
    if (tin == S_IFDIR || tout == S_IFDIR)
        return -EISDIR;
    if (tin != S_IFREG || tout != S_IFREG || in->kind != FILE_VNODE || out->kind != FILE_VNODE)
        return -EINVAL;
    if (!readable(in) || !writable(out) || (out->flags & O_APPEND))
        return -EBADF;
    /* Offsets must not wrap (compared as unsigned, like Linux, so a negative offset is EOVERFLOW). */
    if ((uint64_t)pos_in + len < (uint64_t)pos_in || (uint64_t)pos_out + len < (uint64_t)pos_out)
        return -EOVERFLOW;
    struct vstat st;
    if (vfs_stat(in->vnode, &st))
        return -EIO;
    uint64_t count = (uint64_t)pos_in >= st.size ? 0 : st.size - (uint64_t)pos_in;
    if (count > len)
        count = len;
    if (pos_out >= MAX_FILE_SIZE)
        return -EFBIG;
    if (count > (uint64_t)(MAX_FILE_SIZE - pos_out))
        count = (uint64_t)(MAX_FILE_SIZE - pos_out);
    if (in->vnode == out->vnode && (uint64_t)pos_out + count > (uint64_t)pos_in &&
        (uint64_t)pos_out < (uint64_t)pos_in + count)
        return -EINVAL;   /* overlapping ranges of one file */
    if (pos_in < 0 || pos_out < 0)
        return -EINVAL;   /* rw_verify_area */
    if (len == 0 || count == 0)
        return 0;
    int64_t n = copy_bytes(in, pos_in, out, pos_out, count);
    if (n <= 0)
        return n;
    pos_in += n;
    pos_out += n;
    if (uoff_in ? copy_to_user(uoff_in, &pos_in, sizeof(pos_in)) : (in->offset = (uint64_t)pos_in, 0))
        return -EFAULT;
    if (uoff_out ? copy_to_user(uoff_out, &pos_out, sizeof(pos_out)) : (out->offset = (uint64_t)pos_out, 0))
        return -EFAULT;
    return n;
}
