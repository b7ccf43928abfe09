/* /proc/net's files (procnet_*.c): each made from lwIP's and the socket tables when opened, in
 * Linux 6.1's formats. A text grows as its lines are added (seq_file's role). */
#pragma once
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

struct procnet_text {
    char *t;
    size_t len, size;
    bool failed;                   /* out of memory: the open fails */
};

void procnet_printf(struct procnet_text *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* seq_pad: the line since `start` padded with spaces to width, then its newline. */
void procnet_pad(struct procnet_text *x, size_t start, size_t width);
/* The text as an open file (NULL when out of memory); frees the text. */
struct file *procnet_file(struct procnet_text *x, int flags);

/* A file of every /proc/<pid>/net (what /proc/net, a link to self/net, shows), opened by `open`. */
void procnet_register(const char *name, struct file *(*open)(const char *path, int flags));

void procnet_inet_init(void);     /* tcp, tcp6, udp, udp6, udplite, udplite6 */
void procnet_unix_init(void);     /* unix */
void procnet_dev_init(void);      /* dev */
void procnet_route_init(void);    /* route, if_inet6 */
void sysfs_net_init(void);        /* /sys/class/net (sysfs_net.c) */
