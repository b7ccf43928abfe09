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
    int readers, writers;      /* open ends (0 or 1 each: an end is one struct file) */
    bool packet;
    struct file *ends[2];      /* read end, write end; NULL once released */
};

static inline bool pipe_empty(struct pipe *p) { return p->head == p->tail; }
static inline bool pipe_full(struct pipe *p) { return p->head - p->tail >= p->slots; }
static inline char *buf_data(struct pipe_buf *b) { return (char *)phys_to_virt(b->page); }

/* Wake the read end (0) or the write end (1) with `events`. */
void pipe_wake(struct pipe *p, int end, uint32_t events);
/* wait_until conditions: data or no writer; room or no reader. */
bool pipe_readable(void *arg);
bool pipe_writable(void *arg);
