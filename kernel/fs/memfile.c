/* Read-only regular files whose contents the kernel makes (today: /etc/resolv.conf from DHCP).
 * They stat as regular files with their real size, so programs that fstat before reading (glibc's
 * resolver does) see what they read. */
#include "kernel.h"
#include "file.h"
#include "memfile.h"
#include "mm.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

struct memfile {
    size_t len;
    uint32_t mode;
    char data[];
};

static int64_t memfile_read(struct file *f, void *kbuf, uint64_t len, uint64_t offset, bool use_offset)
{
    struct memfile *m = f->priv;
    uint64_t at = use_offset ? offset : f->offset;
    if (at >= m->len)
        return 0;
    uint64_t n = m->len - at < len ? m->len - at : len;
    memcpy(kbuf, m->data + at, n);
    if (!use_offset)
        f->offset += n;
    return n;
}

static int64_t memfile_write(struct file *f, const void *kbuf, uint64_t len) { return -EBADF; }

static int memfile_stat(struct file *f, struct linux_stat *st)
{
    struct memfile *m = f->priv;
    memset(st, 0, sizeof(*st));
    st->st_dev = 6;                       /* not the image's device: these files are the kernel's */
    st->st_ino = (uint64_t)(uintptr_t)m >> 4;
    st->st_mode = S_IFREG | m->mode;
    st->st_nlink = 1;
    st->st_size = m->len;
    st->st_blksize = PAGE_SIZE;
    st->st_blocks = (m->len + 511) / 512;
    return 0;
}

static void memfile_release(struct file *f) { kfree(f->priv); }

static const struct file_ops memfile_ops = {
    .kind = FILE_MEMORY, .read = memfile_read, .write = memfile_write, .stat = memfile_stat,
    .release = memfile_release, .seekable = true,
};

struct file *memfile_open(const char *data, size_t len, uint32_t mode, int flags)
{
    if ((flags & O_ACCMODE) != O_RDONLY)
        return NULL;   /* the caller opens the file tree's own file instead */
    struct memfile *m = kmalloc(sizeof(*m) + len);
    if (!m)
        return NULL;
    m->len = len;
    m->mode = mode;
    memcpy(m->data, data, len);
    struct file *f = file_alloc(&memfile_ops, m, flags);
    if (!f)
        kfree(m);
    return f;
}
