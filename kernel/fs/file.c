/* Open-file objects and the devices the kernel provides itself (console, /dev/null, /dev/zero,
 * /dev/urandom). */
#include "kernel.h"
#include "file.h"
#include "vfs.h"
#include "console.h"
#include "random.h"
#include "mm.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

struct file *file_new(enum file_kind kind, struct vnode *vnode, int flags)
{
    struct file *f = kzalloc(sizeof(*f));
    if (!f)
        return NULL;
    f->kind = kind;
    f->vnode = vnode;
    f->flags = flags;
    f->refs = 1;
    return f;
}

void file_put(struct file *f)
{
    if (--f->refs == 0)
        kfree(f);
}

static const struct { const char *path; enum file_kind kind; } devices[] = {
    { "/dev/null", FILE_NULL },
    { "/dev/zero", FILE_ZERO },
    { "/dev/urandom", FILE_URANDOM },
    { "/dev/random", FILE_URANDOM },
    { "/dev/console", FILE_CONSOLE },
    { "/dev/tty", FILE_CONSOLE },
};

struct file *devfs_open(const char *path, int flags)
{
    for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
        if (!strcmp(path, devices[i].path))
            return file_new(devices[i].kind, NULL, flags);
    return NULL;
}

int64_t file_read(struct file *f, void *kbuf, uint64_t len, uint64_t offset, bool use_offset)
{
    switch (f->kind) {
    case FILE_VNODE: {
        if (vfs_type(f->vnode) == VNODE_DIR)
            return -EISDIR;
        int64_t n = vfs_read(f->vnode, use_offset ? offset : f->offset, kbuf, len);
        if (n > 0 && !use_offset)
            f->offset += n;
        return n;
    }
    case FILE_NULL:
        return 0;
    case FILE_ZERO:
        memset(kbuf, 0, len);
        return len;
    case FILE_URANDOM:
        random_bytes(kbuf, len);
        return len;
    case FILE_CONSOLE:
        return 0;   /* no console input yet: end of file, like a closed terminal */
    }
    return -EINVAL;
}

int64_t file_write(struct file *f, const void *kbuf, uint64_t len)
{
    switch (f->kind) {
    case FILE_CONSOLE:
        console_write_program(kbuf, len);
        return len;
    case FILE_NULL:
    case FILE_ZERO:
    case FILE_URANDOM:
        return len;
    case FILE_VNODE:
        return vfs_type(f->vnode) == VNODE_DIR ? -EISDIR : -EROFS; /* the image is read-only today */
    }
    return -EINVAL;
}

static const struct { enum file_kind kind; uint32_t rdev; } device_numbers[] = {
    { FILE_NULL, (1 << 8) | 3 }, { FILE_ZERO, (1 << 8) | 5 }, { FILE_URANDOM, (1 << 8) | 9 },
    { FILE_CONSOLE, (5 << 8) | 1 },
};

int file_stat(struct file *f, struct linux_stat *st)
{
    memset(st, 0, sizeof(*st));
    if (f->kind == FILE_VNODE) {
        struct vstat vs;
        int err = vfs_stat(f->vnode, &vs);
        if (err)
            return err;
        st->st_dev = 1;
        st->st_ino = vs.ino;
        st->st_mode = vs.mode;
        st->st_nlink = vs.nlink;
        st->st_uid = vs.uid;
        st->st_gid = vs.gid;
        st->st_size = vs.size;
        st->st_blksize = vs.blksize;
        st->st_blocks = vs.blocks;
        st->st_mtime_sec = st->st_atime_sec = st->st_ctime_sec = vs.mtime_ns / 1000000000UL;
        st->st_mtime_nsec = st->st_atime_nsec = st->st_ctime_nsec = vs.mtime_ns % 1000000000UL;
        return 0;
    }
    st->st_dev = 5;
    st->st_mode = S_IFCHR | 0666;
    st->st_nlink = 1;
    st->st_blksize = PAGE_SIZE;   /* character devices report the page size, as Linux does */
    for (size_t i = 0; i < ARRAY_SIZE(device_numbers); i++)
        if (device_numbers[i].kind == f->kind)
            st->st_rdev = device_numbers[i].rdev;
    if (f->kind == FILE_CONSOLE)
        st->st_mode = S_IFCHR | 0620;
    return 0;
}
