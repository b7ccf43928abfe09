/* Files the kernel makes itself, found by path before the file tree is walked: the devices
 * (/dev/null, /dev/console, ..., fs/devfs.c) and files whose contents come from kernel state
 * (/etc/resolv.conf from DHCP, net/resolv.c). Each owner registers its paths at boot; openat,
 * stat and access consult the table, so the file layer knows no owner and no owner knows
 * another. */
#pragma once

struct file;

/* Open the kernel's file at path; NULL lets the path fall through to the tree (resolv.conf
 * before DHCP named a server) or means out of memory. */
typedef struct file *(*kfile_open_fn)(const char *path, int flags);

/* At boot, before any program runs. A path is registered once. */
void kfile_register(const char *path, kfile_open_fn open);
/* The kernel's file at path (an exact, absolute path), or NULL when it makes none there. */
struct file *kfile_open(const char *path, int flags);
