/* What generic code asks of the machine it runs on. Each platforms/<name>/ implements this. */
#pragma once
#include <stdint.h>

/* Find the console in the device tree and start it (first: everything else may print). */
void platform_init_console(void);
/* Discover devices from the device tree and bring up console, interrupt controller and timer. */
void platform_init(void);
__attribute__((noreturn)) void platform_poweroff(int status, int kind);
