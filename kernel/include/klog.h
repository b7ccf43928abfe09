/* The kernel's log buffer: every line the kernel prints (kprintf, kinfo), kept with its level
 * and time since boot as Linux's printk ring keeps records, for syslog(2) (`dmesg`). */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

/* Linux's levels (KERN_*) of the two kinds of kernel line: a kprintf line is always on the
 * console (the host reads its reports there), a kinfo line is a diagnostic. */
#define KLOG_LEVEL_NOTICE 5
#define KLOG_LEVEL_INFO   6

/* Debian arm64's CONFIG_LOG_BUF_SHIFT (17): the size SYSLOG_ACTION_SIZE_BUFFER reports. */
#define KLOG_SIZE (1u << 17)

/* Lines of a level below it reach the console (Linux's console_loglevel, 7 at boot; syslog's
 * CONSOLE_* actions change it). It applies to kinfo lines, which `verbose` shows; kprintf's
 * always reach the console, where the host takes its reports from (host-kernel-contract.md). */
extern int klog_console_loglevel;

/* Append kernel text (any number of lines; an unfinished one waits for its end). */
void klog_write(int level, const char *text, size_t len);

/* What syslog(2) reads, as "<level>[seconds.micros] text\n" records. Each copies into a kernel
 * buffer of `size` bytes and returns the byte count. */
/* SYSLOG_ACTION_READ_ALL/READ_CLEAR: the newest whole records after the clear mark that fit. */
size_t klog_read_all(char *buf, size_t size, bool clear);
/* SYSLOG_ACTION_READ: unread records from the reader's position (consumed); a first record
 * longer than size is returned in parts. */
size_t klog_read_unread(char *buf, size_t size);
bool klog_has_unread(void);
size_t klog_unread_bytes(void);
/* SYSLOG_ACTION_CLEAR: READ_ALL starts after what is there now. */
void klog_clear(void);

/* /dev/kmsg's view (fs/kmsg.c): records by sequence number, from 0 at boot. A record's text is
 * at most KLOG_RECORD_MAX bytes (Linux's LOG_LINE_MAX). */
#define KLOG_RECORD_MAX 992
uint64_t klog_seq_first(void);         /* the oldest record still kept */
uint64_t klog_seq_next(void);          /* the number the next record gets */
uint64_t klog_seq_clear(void);         /* the first after SYSLOG_ACTION_CLEAR (kmsg's SEEK_DATA) */
/* Record *seq (or the oldest kept, *seq moved up to it, when it was dropped): its priority
 * (facility << 3 | level), time since boot and text (without the newline, cut to size); false
 * when it does not exist yet. */
bool klog_record(uint64_t *seq, int *prio, uint64_t *usec, char *text, size_t size, size_t *len);
/* A record written by a program (/dev/kmsg): prio is facility << 3 | level. */
void klog_write_record(int prio, const char *text, size_t len);
/* fs/kmsg.c: a record was added (open /dev/kmsg files wake their pollers). */
void kmsg_record_added(void);
