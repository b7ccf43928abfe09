/* Anonymous-inode files: timerfd, signalfd and inotify instances (kernel/fs/timerfd.c, signalfd.c, inotify.c): files that
 * report timers, signals and file-tree changes. The syscalls (kernel/syscall/sys_notify.c) check
 * the ABI and hand over kernel structures. */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "linux_uapi.h"

struct file;
struct thread;
struct vnode;

struct file *timerfd_create(int clock, int flags);
int timerfd_settime(struct file *f, int flags, const struct linux_itimerspec *value, struct linux_itimerspec *old);
int timerfd_gettime(struct file *f, struct linux_itimerspec *out);
/* CLOCK_REALTIME was set, its offset from the monotonic clock moved by shift_ns: absolute
 * realtime settings keep their wall-clock time, CANCEL_ON_SET ones are cancelled. */
void timerfd_clock_was_set(int64_t shift_ns);

/* A signalfd for the signals in mask; signalfd_set_mask changes an existing one (-EINVAL when f
 * is not a signalfd). */
struct file *signalfd_create(uint64_t mask, int flags);
int signalfd_set_mask(struct file *f, uint64_t mask);
/* sig was queued (for the process or one of its threads): wake the signalfds that take it. */
void signalfd_notify(int sig);

/* An inotify instance; watches on v (a new watch descriptor, or the existing one whose mask is
 * replaced, or extended with IN_MASK_ADD); -EINVAL when f is not an inotify instance. */
struct file *inotify_create(int flags);
bool file_is_inotify(struct file *f);
int inotify_watch(struct file *f, struct vnode *v, uint32_t mask);
int inotify_unwatch(struct file *f, int wd);
