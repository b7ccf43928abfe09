/* Things nearly every kernel file needs: fixed-width types, printing, panics. */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

#define ARRAY_SIZE(a)     (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)    (((x) + ((a) - 1)) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a)  ((x) & ~((uint64_t)(a) - 1))
#define KERNEL_VERSION    "0.1.0"

/* Exit kinds reported to the host with the power-off (docs/host-kernel-contract.md): the
 * program's exit, a kernel error, or a boot that ended without running a program (`exit=N`, or
 * no image and none asked for: the kernel smoke test). */
enum exit_kind { EXIT_NORMAL = 0, EXIT_KERNEL_ERROR = 1, EXIT_NO_PROGRAM = 2 };

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Console output; a kernel message is emitted as whole lines. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Boot diagnostics: shown with the `verbose` kernel argument (or when no program runs). */
void kinfo(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern bool kinfo_enabled;
/* Print the boot diagnostics that were suppressed (called on errors). */
void kinfo_replay(void);

__attribute__((noreturn)) void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void kernel_exit(int status, enum exit_kind kind);
