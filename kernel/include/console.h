/* The kernel console: whichever UART driver the platform found registers its output routine. */
#pragma once

void console_register(void (*putc)(char c));
void console_write(const char *s, unsigned long len);
bool console_ready(void);
