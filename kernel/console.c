/* The console. Kernel messages are formatted whole and written in one go, so a kernel line never
 * lands in the middle of another; when a program has left a line unfinished, a kernel message
 * starts on a fresh line instead of splitting the program's. */
#include "kernel.h"
#include "console.h"

static void (*console_putc)(char c);
static bool program_mid_line;

void console_register(void (*putc)(char c)) { console_putc = putc; }
bool console_ready(void) { return console_putc != NULL; }

static void emit(const char *s, unsigned long len)
{
    for (unsigned long i = 0; i < len; i++) {
        if (s[i] == '\n')
            console_putc('\r');
        console_putc(s[i]);
    }
}

void console_write(const char *s, unsigned long len)
{
    if (!console_putc)
        return;
    if (program_mid_line) {
        emit("\n", 1);
        program_mid_line = false;
    }
    emit(s, len);
}

void console_write_program(const char *s, unsigned long len)
{
    if (!console_putc || len == 0)
        return;
    emit(s, len);
    program_mid_line = s[len - 1] != '\n';
}
