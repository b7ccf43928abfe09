/* /proc/net/unix: every AF_UNIX socket in Linux 6.1's columns (net/unix/af_unix.c,
 * unix_seq_show): the flags' __SO_ACCEPTCON for a listener, the type, the socket state (a
 * connection still in its listener's queue has no socket yet: connecting, inode 0), the inode
 * ("socket:[N]") and the name, an abstract one with its NULs as '@'. The first column is the
 * sock's address where kptr_restrict=2 prints zeros; the reference count is 2, what Linux shows
 * for a socket held by its file only (none is kept here). */
#include "kernel.h"
#include "procnet.h"
#include "socket.h"
#include "kfile.h"
#include "linux_abi.h"

#define SO_ACCEPTCON    (1 << 16)
#define SS_UNCONNECTED  1
#define SS_CONNECTING   2
#define SS_CONNECTED    3

static void unix_line(void *arg, const struct unix_view *v)
{
    struct procnet_text *x = arg;
    const struct socket *s = v->s;
    bool embryo = !s->file;
    int st = embryo ? SS_CONNECTING : v->connected ? SS_CONNECTED : SS_UNCONNECTED;
    procnet_printf(x, "%016X: %08X %08X %08X %04X %02X %5lu", 0, 2, 0, v->listening ? SO_ACCEPTCON : 0, s->type,
                   st, embryo ? 0UL : s->ino);
    const struct unix_addr *a = v->name;
    if (a->len) {
        char path[sizeof(a->path) + 3];
        int n = 0;
        path[n++] = ' ';
        if (a->path[0]) {              /* a path name: up to its NUL */
            for (int i = 0; i < a->len && a->path[i]; i++)
                path[n++] = a->path[i];
        } else {                       /* abstract: every byte, NULs as '@' */
            for (int i = 0; i < a->len; i++)
                path[n++] = a->path[i] ? a->path[i] : '@';
        }
        path[n] = 0;
        procnet_printf(x, "%s", path);
    }
    procnet_printf(x, "\n");
}

static struct file *unix_open(const char *path, int flags)
{
    struct procnet_text x = { 0 };
    procnet_printf(&x, "Num       RefCount Protocol Flags    Type St Inode Path\n");
    unix_socket_each(unix_line, &x);
    return procnet_file(&x, flags);
}

void procnet_unix_init(void)
{
    procnet_register("unix", unix_open);
}
