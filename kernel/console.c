/* The console. Kernel messages are formatted whole and written in one go, so a kernel line never
 * lands in the middle of another.
 *
 * Plain mode (a person at a serial terminal): newlines become CR LF, and when a program has left a
 * line unfinished a kernel message starts on a fresh line instead of splitting the program's.
 *
 * Multiplexed mode (`console=mux`, set by unibuild's launcher): one serial line carries three
 * streams, the program's stdout and stderr and the kernel's messages, so the host can give each
 * its own destination and the program's bytes arrive exactly as written. A stream switch is
 * DLE (0x10) followed by 'o', 'e' or 'k'; a DLE byte in the data is sent twice. */
#include "kernel.h"
#include "console.h"

#define DLE 0x10

static void (*console_putc)(char c);
static bool program_mid_line;
static bool mux;
static char current_stream;

void console_register(void (*putc)(char c)) { console_putc = putc; }
void console_set_mux(bool on) { mux = on; }

static void emit_plain(const char *s, unsigned long len)
{
    for (unsigned long i = 0; i < len; i++) {
        if (s[i] == '\n')
            console_putc('\r');
        console_putc(s[i]);
    }
}

static void emit_mux(char stream, const char *s, unsigned long len)
{
    if (stream != current_stream) {
        console_putc(DLE);
        console_putc(stream);
        current_stream = stream;
    }
    for (unsigned long i = 0; i < len; i++) {
        if (s[i] == DLE)
            console_putc(DLE);
        console_putc(s[i]);
    }
}

void console_write(const char *s, unsigned long len)
{
    if (!console_putc)
        return;
    if (mux) {
        emit_mux(CONSOLE_KERNEL, s, len);
        return;
    }
    if (program_mid_line) {
        emit_plain("\n", 1);
        program_mid_line = false;
    }
    emit_plain(s, len);
}

void console_write_program(char stream, const char *s, unsigned long len)
{
    if (!console_putc || len == 0)
        return;
    if (mux) {
        emit_mux(stream, s, len);
        return;
    }
    emit_plain(s, len);
    program_mid_line = s[len - 1] != '\n';
}
