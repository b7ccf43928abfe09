/* The kernel console: whichever UART driver the platform found registers its output routine. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

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
/* Console input (the program's stdin, see console.c): the UART driver registers a routine
 * that lets it take input again after the buffer was full, feeds each received byte in while
 * there is room, and devfs is told when input (or its end) arrived. */
void console_register_input(void (*resume)(void));
/* The UART takes input now: tell the host it may send (console=mux only). */
void console_input_open(void);
void console_set_input_notify(void (*notify)(void));
bool console_input_room(void);
void console_input(uint8_t c);
/* Bytes of input that arrived and are not read yet (FIONREAD). */
uint64_t console_input_pending(void);
/* Input or its end is there (a read will not wait). */
bool console_input_ready(void);
/* Bytes read, 0 at the end of input, -EAGAIN when nothing has arrived yet. */
int64_t console_read_input(void *buf, uint64_t len);
