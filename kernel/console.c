/* The console. Kernel messages are formatted whole and written in one go, so a kernel line never
 * lands in the middle of another; once user programs write here too, the console starts any
 * kernel message on a fresh line if a program left one unfinished. */
#include "kernel.h"
#include "console.h"

static void (*console_putc)(char c);

void console_register(void (*putc)(char c)) { console_putc = putc; }
bool console_ready(void) { return console_putc != NULL; }

void console_write(const char *s, unsigned long len)
{
    if (!console_putc)
        return;
    for (unsigned long i = 0; i < len; i++) {
        if (s[i] == '\n')
            console_putc('\r');
        console_putc(s[i]);
    }
}
