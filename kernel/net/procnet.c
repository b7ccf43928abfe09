/* The text builder /proc/net's files share, and their registration (procnet.h). */
#include "kernel.h"
#include "procnet.h"
#include "memfile.h"
#include "mm.h"
#include "kfile.h"
#include "procfs_pid.h"
#include "linux_abi.h"
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

/* /proc/<pid>/net: Linux's per-network-namespace directory, here one namespace for every process;
 * its files are made when the directory is first looked into, so a process costs one entry. */
#define PROCNET_FILES 16
static struct { const char *name; int template; } files[PROCNET_FILES];
static int nfiles;

void procnet_register(const char *name, struct file *(*open)(const char *path, int flags))
{
    if (nfiles == PROCNET_FILES)
        panic("procnet: more than %d /proc/net files", PROCNET_FILES);
    files[nfiles].name = name;
    files[nfiles++].template = kfile_template(name, open, NULL, NULL, S_IFREG | 0444);
}

static void net_dir_refresh(struct vnode *dir, const char *path)
{
    for (int i = 0; i < nfiles; i++)   /* EEXIST for those made at an earlier look */
        kfile_instantiate(dir, files[i].name, files[i].template, NULL);
}

void procnet_init(void)
{
    procfs_pid_entry("net", kfile_template("net", NULL, NULL, net_dir_refresh, S_IFDIR | 0555));
    kfile_register_symlink("/proc/net", "self/net");
    procnet_dev_init();
    procnet_inet_init();
    procnet_unix_init();
    procnet_route_init();
    sysfs_net_init();
}
