/* The kernel log (klog.h): one ring of formatted records, each a whole line ending in '\n'.
 * Records are formatted as they are stored (the level and time never change afterwards), so a
 * read is a copy. The oldest whole records make room for new ones. Positions are free-running
 * byte offsets into the ring: the text is [tail, head); the reader of SYSLOG_ACTION_READ is at
 * read_pos and READ_ALL starts at clear_pos, both moved up to tail when records are dropped.
 * Kernel code runs under the kernel lock (kinfo from early boot runs on one CPU), so the ring
 * needs no lock of its own. */
#include "kernel.h"
#include "klog.h"
#include "timer.h"
#include <string.h>

int klog_console_loglevel = 7;   /* CONFIG_CONSOLE_LOGLEVEL_DEFAULT */

static char ring[KLOG_SIZE];
static uint64_t head, tail, read_pos, clear_pos;
/* Records are numbered from 0 at boot (Linux's printk sequence numbers, /dev/kmsg's seq):
 * first_seq is the record at tail, next_seq the one the next record gets. */
static uint64_t first_seq, next_seq;

/* The line being written, until its '\n' (a message printed in pieces is one record). */
static char pending[512];
static size_t pending_len;
static int pending_level;
static uint64_t pending_ns;

static char ring_at(uint64_t pos) { return ring[pos % KLOG_SIZE]; }

/* Drop the oldest record (tail is always at a record's start). */
static void drop_oldest(void)
{
    while (tail < head && ring_at(tail) != '\n')
        tail++;
    if (tail < head)
        tail++;
    first_seq++;
    if (read_pos < tail)
        read_pos = tail;
    if (clear_pos < tail)
        clear_pos = tail;
}

static void store(const char *rec, size_t len)
{
    if (len > KLOG_SIZE)
        return;
    while (head - tail + len > KLOG_SIZE)
        drop_oldest();
    for (size_t i = 0; i < len; i++)
        ring[(head + i) % KLOG_SIZE] = rec[i];
    head += len;
    next_seq++;
    kmsg_record_added();
}

/* record_print_text's prefix: "<%u>" (facility << 3 | level; the kernel's facility is 0) and
 * "[%5lu.%06lu] " (printk_time). */
static void store_record(int prio, uint64_t ns, const char *text, size_t len)
{
    char rec[KLOG_RECORD_MAX + 32];
    uint64_t us = ns / 1000;
    if (len > KLOG_RECORD_MAX)
        len = KLOG_RECORD_MAX;
    int n = snprintf(rec, sizeof(rec), "<%d>[%5lu.%06lu] ", prio, us / 1000000, us % 1000000);
    memcpy(rec + n, text, len);
    rec[n + len] = '\n';
    store(rec, n + len + 1);
}

static void commit_pending(void)
{
    store_record(pending_level, pending_ns, pending, pending_len);
    pending_len = 0;
}

void klog_write_record(int prio, const char *text, size_t len)
{
    store_record(prio, counter_freq() ? counter_to_ns(counter_now()) : 0, text, len);
}

void klog_write(int level, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (pending_len == 0) {
            pending_level = level;
            pending_ns = counter_freq() ? counter_to_ns(counter_now()) : 0;   /* CNTFRQ unset: no time */
        }
        if (text[i] == '\n') {
            commit_pending();
            continue;
        }
        if (pending_len < sizeof(pending))
            pending[pending_len++] = text[i];
    }
}

static void copy_out(char *buf, uint64_t from, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = ring_at(from + i);
}

/* The end of the record starting at pos (one past its '\n'). */
static uint64_t record_end(uint64_t pos)
{
    while (pos < head && ring_at(pos) != '\n')
        pos++;
    return pos < head ? pos + 1 : head;
}

/* syslog_print_all: find the first record such that it and every later one fit, copy them. */
size_t klog_read_all(char *buf, size_t size, bool clear)
{
    uint64_t start = clear_pos > tail ? clear_pos : tail;
    while (start < head && head - start > size)
        start = record_end(start);
    size_t n = (size_t)(head - start);
    copy_out(buf, start, n);
    if (clear)
        clear_pos = head;
    return n;
}

/* syslog_print: whole records while they fit; a first one that does not is read in parts. */
size_t klog_read_unread(char *buf, size_t size)
{
    size_t n = 0;
    while (read_pos < head) {
        uint64_t end = record_end(read_pos);
        size_t len = (size_t)(end - read_pos);
        if (len > size - n) {
            if (n)
                break;
            len = size;
        }
        copy_out(buf + n, read_pos, len);
        read_pos += len;
        n += len;
        if (n == size)
            break;
    }
    return n;
}

bool klog_has_unread(void) { return read_pos < head; }
size_t klog_unread_bytes(void) { return (size_t)(head - read_pos); }
void klog_clear(void) { clear_pos = head; }

uint64_t klog_seq_first(void) { return first_seq; }
uint64_t klog_seq_next(void) { return next_seq; }

/* The record numbered seq starts here (seq at least first_seq, below next_seq). */
static uint64_t record_pos(uint64_t seq)
{
    uint64_t pos = tail;
    for (uint64_t s = first_seq; s < seq; s++)
        pos = record_end(pos);
    return pos;
}

uint64_t klog_seq_clear(void)
{
    uint64_t seq = first_seq;
    for (uint64_t pos = tail; pos < clear_pos && pos < head; pos = record_end(pos))
        seq++;
    return seq;
}

/* Undo store_record's prefix: "<prio>[sec.micro] text\n". */
bool klog_record(uint64_t *seq, int *prio, uint64_t *usec, char *text, size_t size, size_t *len)
{
    if (*seq < first_seq)
        *seq = first_seq;
    if (*seq >= next_seq)
        return false;
    uint64_t pos = record_pos(*seq), end = record_end(pos) - 1;   /* without its '\n' */
    char head_text[48];
    size_t hn = 0;
    while (pos + hn < end && hn < sizeof(head_text) - 1 && ring_at(pos + hn) != ']')
        head_text[hn] = ring_at(pos + hn), hn++;
    head_text[hn++] = 0;               /* past the ']', then its space below */
    unsigned long p = 0, sec = 0, micro = 0;
    const char *c = head_text + 1;
    while (*c >= '0' && *c <= '9')
        p = p * 10 + (unsigned long)(*c++ - '0');
    c += 2;                            /* ">[" */
    while (*c == ' ')
        c++;
    while (*c >= '0' && *c <= '9')
        sec = sec * 10 + (unsigned long)(*c++ - '0');
    c++;                               /* "." */
    while (*c >= '0' && *c <= '9')
        micro = micro * 10 + (unsigned long)(*c++ - '0');
    *prio = (int)p;
    *usec = sec * 1000000 + micro;
    pos += hn + 1;                     /* the prefix and its space */
    size_t n = pos < end ? (size_t)(end - pos) : 0;
    if (n > size)
        n = size;
    copy_out(text, pos, n);
    *len = n;
    return true;
}
