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
#include "errno.h"

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

/* Console input: the program's stdin. With console=mux the host sends it down the serial line's
 * receive direction: data bytes as they are, a DLE byte as DLE DLE, and the end of input as
 * DLE 'z' (so a read can return 0 while the line stays open). The UART's interrupt handler
 * feeds bytes in; a full buffer stops it taking more (the UART's FIFO and the host's pipe then
 * hold the rest) until a read makes room. The host sends nothing until the kernel says DLE 'i'
 * (input open: the receive interrupt is on, and the UART's FIFO will not be reset again). Without console=mux (a person at a serial terminal)
 * the console has no input and reads see end of file. */
#define INPUT_SIZE 4096
#define INPUT_EOF 'z'

static uint8_t input[INPUT_SIZE];
static uint32_t input_head, input_tail;   /* free-running: head written by the interrupt, tail by readers */
static bool input_eof, input_escape;
static void (*input_resume)(void);
static void (*input_notify)(void);

void console_register_input(void (*resume)(void)) { input_resume = resume; }

void console_input_open(void)
{
    if (mux && console_putc) {   /* a control sequence: the current output stream stays */
        console_putc(DLE);
        console_putc('i');
    }
}
void console_set_input_notify(void (*notify)(void)) { input_notify = notify; }

bool console_input_room(void)
{
    return __atomic_load_n(&input_head, __ATOMIC_RELAXED) -
           __atomic_load_n(&input_tail, __ATOMIC_ACQUIRE) < INPUT_SIZE;
}

void console_input(uint8_t c)
{
    if (input_escape) {
        input_escape = false;
        if (c == INPUT_EOF) {
            __atomic_store_n(&input_eof, true, __ATOMIC_RELEASE);
            if (input_notify)
                input_notify();
            return;
        }
        if (c != DLE)
            return;   /* not a sequence the host sends: dropped */
    } else if (c == DLE) {
        input_escape = true;
        return;
    }
    uint32_t head = input_head;
    input[head % INPUT_SIZE] = c;
    __atomic_store_n(&input_head, head + 1, __ATOMIC_RELEASE);
    if (input_notify)
        input_notify();
}

uint64_t console_input_pending(void)
{
    return __atomic_load_n(&input_head, __ATOMIC_ACQUIRE) - input_tail;
}

bool console_input_ready(void)
{
    return !mux || __atomic_load_n(&input_head, __ATOMIC_ACQUIRE) != input_tail ||
           __atomic_load_n(&input_eof, __ATOMIC_ACQUIRE);
}

int64_t console_read_input(void *buf, uint64_t len)
{
    if (!mux)
        return 0;
    uint32_t head = __atomic_load_n(&input_head, __ATOMIC_ACQUIRE);
    uint32_t tail = input_tail;
    if (head == tail)
        return __atomic_load_n(&input_eof, __ATOMIC_ACQUIRE) ? 0 : -EAGAIN;
    uint64_t n = 0;
    while (tail != head && n < len)
        ((uint8_t *)buf)[n++] = input[tail++ % INPUT_SIZE];
    __atomic_store_n(&input_tail, tail, __ATOMIC_RELEASE);
    if (input_resume)
        input_resume();
    return (int64_t)n;
}
