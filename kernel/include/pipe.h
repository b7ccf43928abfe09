/* Pipes, eventfd counters and epoll instances: the kernel objects behind pipe2, eventfd2 and
 * epoll_*. The syscalls (kernel/syscall/sys_pipe.c, sys_poll.c) only check the ABI. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct file;

#define PIPE_BUF 4096          /* writes up to this size are atomic */

/* Both ends of a new pipe; `flags` may hold O_NONBLOCK and O_DIRECT (packet mode). */
int pipe_create(int flags, struct file **read_end, struct file **write_end);
/* F_GETPIPE_SZ (set false) or F_SETPIPE_SZ to arg bytes on either end: the size, or an errno. */
int64_t pipe_fcntl_size(struct file *f, bool set, uint64_t arg);
/* A new eventfd with the given count; flags: EFD_SEMAPHORE, O_NONBLOCK. */
struct file *eventfd_create(uint64_t count, int flags);
#define EFD_SEMAPHORE 1

struct epoll_event_k { uint32_t events; uint64_t data; };
struct file *epoll_create(int flags);
bool file_is_epoll(struct file *f);
int epoll_ctl(struct file *ep, int op, int fd, struct file *target, const struct epoll_event_k *ev);
/* Hands the i-th ready event to the caller; nonzero (an errno) refuses it. */
typedef int (*epoll_deliver_fn)(void *ctx, int i, const struct epoll_event_k *ev);
/* Up to max ready events through deliver, waiting until deadline_ns: their count, 0 at the
 * deadline, or deliver's error when it refused the first. */
int epoll_wait(struct file *ep, epoll_deliver_fn deliver, void *ctx, int max, uint64_t deadline_ns);
