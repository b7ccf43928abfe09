/* Fatal kernel errors: say what happened on the console, then power off with a failure status
 * the host can see. Never hang. */
#include "kernel.h"
#include "platform.h"
#include "smp.h"

/* The other CPUs stop first: only this one then reports to the host (its registers carry the
 * exit report) and nothing else reaches the console. */
void kernel_exit(int status, enum exit_kind kind)
{
    smp_stop_others();
    platform_poweroff(status, kind);
}

void panic(const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    smp_stop_others();
    kinfo_replay();
    kprintf("panic: %s\n", msg);
    kernel_exit(1, EXIT_KERNEL_ERROR);
}
