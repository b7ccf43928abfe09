/* dnotify (kernel/fs/dnotify.c): fcntl(F_NOTIFY) marks on directories. */
#pragma once
#include <stdint.h>

struct file;
struct process;
struct vnode;

/* F_NOTIFY with arg (DN_*): 0, -ENOTDIR, -ENOMEM. */
int dnotify_fcntl(struct process *p, int fd, struct file *f, uint32_t arg);
/* An inotify event (IN_*) about an entry of dir, or dir itself: the marks that ask for it. */
void dnotify_event(struct vnode *dir, uint32_t in_mask);
/* A rename from old_dir to new_dir: DN_RENAME, for a rename inside one directory only (what
 * Linux 6.x reports; a move out is DN_DELETE, a move in DN_CREATE). */
void dnotify_renamed(struct vnode *old_dir, struct vnode *new_dir);
/* p closed a descriptor of f: p's marks made through f end. */
void dnotify_close(struct process *p, struct file *f);
