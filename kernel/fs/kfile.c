/* The table of files the kernel makes itself (interface: include/kfile.h). A handful of
 * entries, looked up by exact path: a linear scan costs less than the path walk it saves. */
#include "kernel.h"
#include "kfile.h"
#include <string.h>

#define MAX_KFILES 32

static struct {
    const char *path;
    kfile_open_fn open;
} table[MAX_KFILES];
static int count;

void kfile_register(const char *path, kfile_open_fn open)
{
    for (int i = 0; i < count; i++)
        if (!strcmp(table[i].path, path))
            panic("kfile: %s registered twice", path);
    if (count == MAX_KFILES)
        panic("kfile: more than %d kernel-made files", MAX_KFILES);
    table[count].path = path;
    table[count].open = open;
    count++;
}

struct file *kfile_open(const char *path, int flags)
{
    for (int i = 0; i < count; i++)
        if (!strcmp(table[i].path, path))
            return table[i].open(path, flags);
    return NULL;
}
