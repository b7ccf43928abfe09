/* The kernel console: whichever UART driver the platform found registers its output routine. */
#pragma once
#include <stdbool.h>

void console_register(void (*putc)(char c));
void console_write(const char *s, unsigned long len);
/* Output of the user program (its stdout and stderr). */
void console_write_program(const char *s, unsigned long len);
bool console_ready(void);
