/* A pipe's ring of page buffers (fs/pipe.c), shared with splice, tee and vmsplice
 * (fs/pipe_splice.c), which move buffers between pipes as Linux's splice.c does. */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "memlayout.h"

struct file;

#define PIPE_SLOTS  16          /* a new pipe's ring: 64 KiB, until F_SETPIPE_SZ */

struct pipe_buf {
    uint64_t page;             /* physical address; 0 when the slot is free */
    uint32_t offset, len;
    bool merge;
};

struct pipe {
    struct pipe_buf *bufs;     /* `slots` of them, a power of two (F_SETPIPE_SZ) */
    unsigned slots;
    unsigned head, tail;       /* head - tail buffers in use */
    int readers, writers;      /* open files that read / write it (O_RDWR counts in both) */
    unsigned r_counter, w_counter;   /* readers / writers ever opened: a FIFO's open waits for a change */
    bool packet;
    struct pipe_opener *files; /* every open file on it: a pipe2 pair, or a FIFO's opens */
    unsigned nfiles, files_cap;
    struct vnode *fifo;        /* the FIFO it belongs to (held), or NULL for pipe2's */
    uint64_t ino;              /* pipefs's inode number (pipe2's; a FIFO has its node's) */
};

struct pipe_opener {
    struct file *f;
    unsigned w_seen;           /* w_counter when it was opened: POLLHUP only once a writer has come
                                * and gone since (Linux's f_version, for O_RDONLY|O_NONBLOCK) */
};

static inline bool pipe_empty(struct pipe *p) { return p->head == p->tail; }
static inline bool pipe_full(struct pipe *p) { return p->head - p->tail >= p->slots; }
static inline char *buf_data(struct pipe_buf *b) { return (char *)phys_to_virt(b->page); }

struct vnode;
/* A new pipe with no file open on it; packet: O_DIRECT's mode. */
struct pipe *pipe_alloc(bool packet);
/* Frees a pipe no file was ever opened on. */
void pipe_free_unopened(struct pipe *p);
/* A new file on p reading, writing or both as flags' access mode says (it counts as a reader
 * and/or writer from now on); fifo: the FIFO node it was opened through (held by the file), or
 * NULL. NULL when out of memory. The pipe is freed with its last file. */
struct file *pipe_open_file(struct pipe *p, int flags, struct vnode *fifo);
/* f (a reader) sees POLLHUP only after a writer opens and closes (fifo_open with O_NONBLOCK and
 * no writer yet). */
void pipe_hup_after_next_writer(struct file *f);
/* The last file on a FIFO's pipe closed (fs/fifo.c): the next open makes a new one. */
void fifo_pipe_gone(struct vnode *fifo);

/* Wake every reading file (end 0) or writing file (end 1) with `events`. */
void pipe_wake(struct pipe *p, int end, uint32_t events);
/* wait_until conditions: data or no writer; room or no reader. */
bool pipe_readable(void *arg);
bool pipe_writable(void *arg);
