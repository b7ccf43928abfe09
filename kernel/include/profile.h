/* The `profile` kernel option: where a program's kernel time goes, printed when it exits, in the
 * spirit of `strace -c` (per-syscall calls, errors, time) plus interrupts and page faults. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* VIRTIO_NOTIFY and VIRTIO_ISR_READ are the transport's register accesses on the I/O path: under
 * KVM each is an MMIO exit, so their count and time say what a delivery mode costs. */
enum profile_event { PROFILE_IRQ, PROFILE_NET_POLL, PROFILE_PAGE_FAULT, PROFILE_VIRTIO_NOTIFY,
                     PROFILE_VIRTIO_ISR_READ, PROFILE_NET_RECEIVE, PROFILE_NET_OUTPUT, PROFILE_EVENTS };

extern bool profile_enabled;
/* The strace kernel option: each system call decoded as strace shows it (kernel/trace/). */
extern bool trace_enabled;
void trace_syscall(int tid, uint64_t nr, const uint64_t a[6], int64_t result);
/* For a call that does not return (exit_group): its line, now, with `= ?`; false for others. */
bool trace_before_call(int tid, uint64_t nr, const uint64_t a[6]);

/* The missing_files option: paths the program looked for in vain, listed at exit
 * (kernel/trace/missing.c) as `missing-file: "PATH"` lines for unibuild run --missing-files. */
extern bool missing_enabled;
void missing_note(uint64_t nr, const uint64_t a[6], int64_t result);
void missing_report(void);

void profile_init(void);   /* after the root file system: the option lives in its manifest */
void profile_syscall(uint64_t nr, uint64_t counts, int64_t result);
void profile_event(enum profile_event e, uint64_t counts);
void profile_report(void);
/* The program's own start, in time: its exec begins and ends (the first program of the boot),
 * its first byte reaches the console. The report says how long each took, which is what the
 * page cache's read-ahead and fault-around are for. */
enum program_mark { PROGRAM_EXEC_START, PROGRAM_EXEC_DONE, PROGRAM_FIRST_OUTPUT, PROGRAM_MARKS };
void profile_program_mark(enum program_mark m);
