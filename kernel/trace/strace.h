/* The strace decoder's parts (kernel/trace/): the per-syscall table of argument kinds, the names
 * of constants and flags, and the line being built. Only strace.c's callers see profile.h. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a syscall's arguments and result are shown. args has one letter per argument (the legend is
 * in strace_table.c); result is 'd' (signed decimal), 'x' (an address), 'o' (octal) or '?' (the
 * call does not return: its line is printed before it runs, as strace prints exit_group). */
struct syscall_format {
    const char *args;
    char result;
};
const struct syscall_format *syscall_format(uint64_t nr);

/* The line under construction: bounded, so a long string only truncates it. */
struct line {
    char buf[768];
    size_t len;
};
void line_put(struct line *l, const char *s);
void line_printf(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* s (n bytes) as strace quotes a string: "a\tb\303", then ... when truncated. */
void put_quoted(struct line *l, const uint8_t *s, size_t n, bool truncated);

/* Named values and flag sets, as strace spells them; each table ends with a NULL name. */
struct name {
    uint64_t value;
    const char *name;
};
/* value's name from the table, or fallback_fmt (a printf format taking the value) when none. */
void put_value(struct line *l, const struct name *t, uint64_t value, const char *fallback_fmt);
/* FLAG_A|FLAG_B|0x40 for the bits of value; zero_name (or "0") when none is set. */
void put_flags(struct line *l, const struct name *t, uint64_t value, const char *zero_name);

extern const struct name open_flag_names[], at_flag_names[], prot_names[], map_flag_names[],
    sock_flag_names[], msg_flag_names[], epoll_event_names[], clone_flag_names[], whence_names[],
    fcntl_cmd_names[], clock_names[], family_names[], sock_type_names[], epoll_op_names[],
    futex_op_names[], sigprocmask_how_names[], sockopt_level_names[], so_names[], tcp_names[],
    ioctl_names[], madv_names[], rlimit_names[], access_names[], shutdown_names[], flock_names[],
    efd_flag_names[], mfd_flag_names[], protocol_names[], timer_flag_names[];

/* "ENOENT" and "No such file or directory"; NULL for a number without a name. */
const char *errno_name(int err);
const char *errno_message(int err);
