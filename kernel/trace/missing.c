/* The missing_files kernel option: every path an open, stat, access, readlink or exec looked up
 * in vain (ENOENT), once each, in the order first asked for, listed at exit as
 *   missing-file: "PATH"      (or missing-exec: "PATH" for a program execve/execveat wanted)
 * on the kernel stream (quoted as strace quotes strings). unibuild run --missing-files reads
 * these lines and says which file of the target root, from which package, would have been found.
 * Relative paths are made absolute from the directory they were looked up in. */
#include "kernel.h"
#include "errno.h"
#include "linux_abi.h"
#include "console.h"
#include "file.h"
#include "mm.h"
#include "process.h"
#include "profile.h"
#include "strace.h"
#include "uaccess.h"
#include "vfs.h"
#include <string.h>

#define MAX_PATHS 1024         /* past this many, the rest are counted, not kept */
#define PATH_ROOM 512

struct missing {
    struct missing *next;
    bool exec;                 /* a program to run: unibuild suggests --with rather than -f */
    char path[];
};

bool missing_enabled;
static struct missing *first, **last = &first;
static unsigned kept, dropped;

/* Which argument of the calls that look a path up holds it, and which its directory fd. */
static bool path_argument(uint64_t nr, int *dirfd_arg, int *path_arg)
{
    switch (nr) {
    case 48: case 56: case 78: case 79: case 291: case 437: case 439:   /* faccessat, openat, readlinkat,
                                                  newfstatat, statx, openat2, faccessat2 */
        *dirfd_arg = 0, *path_arg = 1;
        return true;
    case 221:                                     /* execve */
        *dirfd_arg = -1, *path_arg = 0;
        return true;
    case 281:                                     /* execveat */
        *dirfd_arg = 0, *path_arg = 1;
        return true;
    default:
        return false;
    }
}

static bool already_kept(const char *path)
{
    for (struct missing *m = first; m; m = m->next)
        if (!strcmp(m->path, path))
            return true;
    return false;
}

void missing_note(uint64_t nr, const uint64_t a[6], int64_t result)
{
    int dirfd_arg, path_arg;
    if (result != -ENOENT || !path_argument(nr, &dirfd_arg, &path_arg))
        return;
    char path[PATH_ROOM], dir[PATH_ROOM];
    int64_t n = strncpy_from_user(path, a[path_arg], sizeof(path));
    if (n <= 0)
        return;                        /* unreadable, too long for us, or "" (AT_EMPTY_PATH) */
    char *full = path;
    if (path[0] != '/') {
        int dirfd = dirfd_arg < 0 ? AT_FDCWD : (int)a[dirfd_arg];
        struct process *p = current_process();
        struct vnode *base = p->cwd ? p->cwd : vfs_root();
        if (dirfd != AT_FDCWD) {
            struct file *f = fd_get(p, dirfd);
            if (!f || !f->vnode)
                return;
            base = f->vnode;
        }
        if (vfs_path(base, dir, sizeof(dir)) < 0)
            return;
        size_t dlen = strlen(dir);
        if (dlen + 1 + (size_t)n + 1 > sizeof(dir))
            return;
        if (dlen > 1)
            dir[dlen++] = '/';
        memcpy(dir + dlen, path, (size_t)n + 1);
        full = dir;
    }
    if (already_kept(full))
        return;
    size_t len = strlen(full);
    struct missing *m = kept < MAX_PATHS ? kmalloc(sizeof(*m) + len + 1) : NULL;
    if (!m) {
        dropped++;
        return;
    }
    memcpy(m->path, full, len + 1);
    m->exec = nr == 221 || nr == 281;
    m->next = NULL;
    *last = m;
    last = &m->next;
    kept++;
}

void missing_report(void)
{
    if (!missing_enabled)
        return;
    for (struct missing *m = first; m; m = m->next) {
        struct line l = { .len = 0 };
        line_put(&l, m->exec ? "missing-exec: " : "missing-file: ");
        put_quoted(&l, (const uint8_t *)m->path, strlen(m->path), false);
        line_put(&l, "\n");
        console_write(l.buf, l.len);
    }
    if (dropped)
        kprintf("missing-file: %u more not kept\n", dropped);
}
