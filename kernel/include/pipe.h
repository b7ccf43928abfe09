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
/* kcmp's KCMP_EPOLL_TFD: the file of the toff-th item watching descriptor tfd (items in the order
 * they were added); -EINVAL when ep is no epoll instance, -ENOENT when there is no such item. */
int epoll_target_file(struct file *ep, int tfd, unsigned toff, struct file **out);
int epoll_ctl(struct file *ep, int op, int fd, struct file *target, const struct epoll_event_k *ev);
/* Hands the i-th ready event to the caller; nonzero (an errno) refuses it. */
typedef int (*epoll_deliver_fn)(void *ctx, int i, const struct epoll_event_k *ev);
/* Up to max ready events through deliver, waiting until deadline_ns: their count, 0 at the
 * deadline, or deliver's error when it refused the first. */
int epoll_wait(struct file *ep, epoll_deliver_fn deliver, void *ctx, int max, uint64_t deadline_ns);

/* splice, tee and vmsplice's side of a pipe (fs/pipe_splice.c, after Linux's fs/splice.c). The
 * waits return 0, -EAGAIN (nonblock), -ERESTARTSYS (a signal) or -EPIPE (no reader: SIGPIPE). */
struct pipe;
struct linux_iovec;
/* The pipe behind a pipe end; NULL for any other file. */
struct pipe *file_pipe(struct file *f);
/* Another open file on p, as an open of /proc/<pid>/fd/N gets one (Linux's fifo_open on a
 * pipefs inode: unlike a FIFO's open, it never waits for a partner and is never ENXIO). */
int pipe_reopen(struct pipe *p, int flags, struct file **out);
/* Until the pipe holds data or has no writer (Linux's ipipe_prep). */
int pipe_wait_data(struct pipe *p, bool nonblock);
/* Until the pipe has a free buffer (opipe_prep, wait_for_space). */
int pipe_wait_room(struct pipe *p, bool nonblock);
/* Buffers moved (a part copied) from one pipe to another: bytes, or an error when none moved. */
int64_t pipe_splice_to_pipe(struct pipe *in, struct pipe *out, uint64_t len, bool nonblock);
/* tee: the first len bytes of `in` copied to `out`, `in` unchanged. */
int64_t pipe_tee(struct pipe *in, struct pipe *out, uint64_t len);
/* Reads from `in` into new buffers, as many as are free: a regular file one buffer per page
 * of the file from *pos (stopping at its end); anything else with one read. *pos advances
 * (use_pos: the read is at *pos, else at the file's own position). dontwait: `in` is a socket
 * read with MSG_DONTWAIT whatever its O_NONBLOCK. */
int64_t pipe_fill_from_file(struct pipe *p, struct file *in, uint64_t *pos, bool use_pos, bool regular,
                            uint64_t len, bool dontwait);
/* vmsplice into a pipe: the user's bytes, one buffer per user page they lie in. */
int64_t pipe_fill_from_user(struct pipe *p, const struct linux_iovec *iov, uint64_t count);
/* Hands up to len bytes of the pipe to sink (a gathered run of buffers at a time); what it
 * took leaves the pipe. Waits for data only while nothing was handed over. */
typedef int64_t (*pipe_sink_fn)(void *ctx, const void *kbuf, uint64_t len);
int64_t pipe_drain(struct pipe *p, uint64_t len, bool nonblock, pipe_sink_fn sink, void *ctx);
