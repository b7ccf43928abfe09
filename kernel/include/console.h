/* The kernel console: whichever UART driver the platform found registers its output routine. */
#pragma once
#include <stdbool.h>

void console_register(void (*putc)(char c));
void console_write(const char *s, unsigned long len);
/* The streams of the multiplexed console (see console.c). */
#define CONSOLE_STDOUT 'o'
#define CONSOLE_STDERR 'e'
#define CONSOLE_KERNEL 'k'
/* Output of the user program on its stdout or stderr stream. */
void console_write_program(char stream, const char *s, unsigned long len);
/* Multiplex program stdout, stderr and kernel messages (kernel argument console=mux). */
void console_set_mux(bool on);
