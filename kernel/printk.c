/* Formatting (a small vsnprintf: %d %i %u %o %x %X %p %s %c %%, with l/ll/z, width, '0' and '-')
 * and the kernel's message functions. */
#include "kernel.h"
#include "console.h"
#include "klog.h"
#include <string.h>

bool kinfo_enabled = true;

struct out {
    char *buf;
    size_t size, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_number(struct out *o, uint64_t v, int base, bool upper, bool negative, int width, char pad, bool left)
{
    char tmp[24];
    int n = 0;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    if (negative)
        tmp[n++] = '-';
    if (negative && pad == '0') {   /* sign goes before zero padding */
        put(o, '-');
        n--;
        width--;
    }
    if (!left)
        for (int i = n; i < width; i++)
            put(o, pad);
    int printed = n;
    while (n)
        put(o, tmp[--n]);
    if (left)
        for (int i = printed; i < width; i++)
            put(o, ' ');
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        bool left = false, alt = false;
        char pad = ' ';
        int width = 0, longs = 0, precision = -1;
        if (*fmt == '#') { alt = true; fmt++; }
        if (*fmt == '-') { left = true; fmt++; }
        if (*fmt == '0') { pad = '0'; fmt++; }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        if (*fmt == '.') {
            fmt++;
            precision = 0;
            if (*fmt == '*') { precision = va_arg(ap, int); fmt++; }
            else while (*fmt >= '0' && *fmt <= '9') precision = precision * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l') { longs++; fmt++; }
        if (*fmt == 'z') { longs = 1; fmt++; }
        switch (*fmt) {
        case 'd': case 'i': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            put_number(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, false, v < 0, width, pad, left);
            break;
        }
        case 'u': case 'o': case 'x': case 'X': {
            uint64_t v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
            if (alt && (*fmt == 'x' || *fmt == 'X')) { put(&o, '0'); put(&o, 'x'); }
            if (alt && *fmt == 'o' && v) put(&o, '0');
            put_number(&o, v, *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16, *fmt == 'X', false, width, pad, left);
            break;
        }
        case 'p':
            put(&o, '0'); put(&o, 'x');
            put_number(&o, (uint64_t)va_arg(ap, void *), 16, false, false, width, pad, left);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int n = precision >= 0 ? (int)strnlen(s, precision) : (int)strlen(s);
            if (!left) for (int i = n; i < width; i++) put(&o, ' ');
            for (int i = 0; i < n; i++) put(&o, s[i]);
            if (left) for (int i = n; i < width; i++) put(&o, ' ');
            break;
        }
        case 'c':
            put(&o, (char)va_arg(ap, int));
            break;
        case '%':
            put(&o, '%');
            break;
        default:   /* unknown conversion: show it rather than guess */
            put(&o, '%');
            if (*fmt) put(&o, *fmt); else fmt--;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

static void vkprintf(const char *fmt, va_list ap)
{
    char line[512];
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    if (n >= (int)sizeof(line))
        n = sizeof(line) - 1;
    klog_write(KLOG_LEVEL_NOTICE, line, n);
    console_write(line, n);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vkprintf(fmt, ap);
    va_end(ap);
}

/* Boot diagnostics are kept even when not shown, so an error can print them after the fact. */
static char kinfo_log[8192];
static size_t kinfo_len;
static bool kinfo_replayed;

void kinfo(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(line))
        n = sizeof(line) - 1;
    if (kinfo_len + n <= sizeof(kinfo_log)) {
        memcpy(kinfo_log + kinfo_len, line, n);
        kinfo_len += n;
    }
    klog_write(KLOG_LEVEL_INFO, line, n);
    if (kinfo_enabled && KLOG_LEVEL_INFO < klog_console_loglevel)
        console_write(line, n);
}

void kinfo_replay(void)
{
    if (kinfo_enabled || kinfo_replayed)
        return;
    kinfo_replayed = true;
    console_write(kinfo_log, kinfo_len);
}
