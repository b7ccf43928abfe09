/* Fatal kernel errors: say what happened on the console, then power off with a failure status
 * the host can see. Never hang. */
#include "kernel.h"
#include "platform.h"

void kernel_exit(int status, enum exit_kind kind)
{
    platform_poweroff(status, kind);
}

void panic(const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    kinfo_replay();
    kprintf("panic: %s\n", msg);
    kernel_exit(1, EXIT_KERNEL_ERROR);
}
