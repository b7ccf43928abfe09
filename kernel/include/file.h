/* Open files: what a descriptor points at. Regular files and directories from the VFS, and the
 * character devices the console and /dev provide. */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

struct vnode;
struct linux_stat;

enum file_kind { FILE_VNODE, FILE_CONSOLE, FILE_NULL, FILE_ZERO, FILE_URANDOM };

struct file {
    enum file_kind kind;
    struct vnode *vnode;
    uint64_t offset;
    int flags;                 /* open flags (O_ACCMODE, O_APPEND, O_NONBLOCK, ...) */
    int refs;
    uint64_t dir_cookie;       /* getdents position */
};

struct file *file_new(enum file_kind kind, struct vnode *vnode, int flags);
void file_put(struct file *f);
/* Open a path the kernel provides itself (/dev/null, ...); NULL when it is not one. */
struct file *devfs_open(const char *path, int flags);
int64_t file_read(struct file *f, void *kbuf, uint64_t len, uint64_t offset, bool use_offset);
int64_t file_write(struct file *f, const void *kbuf, uint64_t len);
int file_stat(struct file *f, struct linux_stat *st);
