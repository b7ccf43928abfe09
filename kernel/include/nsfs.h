/* Namespaces as files (fs/procfs_ns.c): /proc/<pid>/ns/{cgroup,ipc,mnt,net,pid,
 * pid_for_children,time,time_for_children,user,uts}, links named "TYPE:[INODE]" as Linux's
 * nsfs names them, whose open gives a file holding the namespace (for setns). Only the mount
 * and UTS namespaces come in more than one; the others are the first, everyone's. */
#pragma once
#include <stdint.h>
#include <stddef.h>

struct file;
struct vnode;
struct linux_stat;

/* A new namespace's inode number (proc_alloc_inum: unique among every kind's). */
uint32_t nsfs_alloc_inum(void);
/* The CLONE_NEW* type of an ns file, 0 for any other file. */
unsigned long nsfs_type(const struct file *f);
/* setns(2) into an ns file's namespace (the caller checked type and capability). */
int nsfs_enter(struct file *f);
/* An ns file's link text ("uts:[4026531838]", as /proc/<pid>/fd/N shows it). */
int nsfs_name(struct file *f, char *buf, size_t size);
/* Is link (the walk stopped on it) one of /proc/<pid>/ns/'s? Then its open and stat. */
int procfs_ns_reopen(struct vnode *link, int flags, struct file **out);
int procfs_ns_stat(struct vnode *link, struct linux_stat *st);
/* The templates, and each new /proc/<pid> directory's ns/ (procfs_pid.c). */
void procfs_ns_init(void);
void procfs_ns_instantiate(struct vnode *pid_dir);
