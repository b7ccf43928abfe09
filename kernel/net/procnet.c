/* The text builder /proc/net's files share, and their registration (procnet.h). */
#include "kernel.h"
#include "procnet.h"
#include "memfile.h"
#include "mm.h"
#include <string.h>

static bool grow(struct procnet_text *x, size_t need)
{
    if (x->failed)
        return false;
    if (x->len + need < x->size)
        return true;
    size_t size = x->size ? x->size : 4096;
    while (x->len + need >= size)
        size *= 2;
    char *t = kmalloc(size);
    if (!t) {
        x->failed = true;
        return false;
    }
    if (x->t) {
        memcpy(t, x->t, x->len);
        kfree(x->t);
    }
    x->t = t;
    x->size = size;
    return true;
}

void procnet_printf(struct procnet_text *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char line[512];                /* any one line of these files is shorter */
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(line))
        n = sizeof(line) - 1;
    if (grow(x, (size_t)n)) {
        memcpy(x->t + x->len, line, (size_t)n);
        x->len += (size_t)n;
    }
}

void procnet_pad(struct procnet_text *x, size_t start, size_t width)
{
    size_t used = x->len - start;
    size_t pad = used < width ? width - used : 0;
    if (!grow(x, pad + 1))
        return;
    memset(x->t + x->len, ' ', pad);
    x->len += pad;
    x->t[x->len++] = '\n';
}

struct file *procnet_file(struct procnet_text *x, int flags)
{
    if (x->failed || !grow(x, 1)) {
        kfree(x->t);
        return NULL;
    }
    struct file *f = memfile_open(x->t, x->len, 0444, flags);
    kfree(x->t);
    return f;
}

void procnet_init(void)
{
    procnet_dev_init();
    procnet_inet_init();
    procnet_unix_init();
    procnet_route_init();
    sysfs_net_init();
}
