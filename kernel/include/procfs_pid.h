/* What the files of a /proc/<pid> directory share (fs/procfs_pid.c makes the directory; its
 * files live beside it: procfs_status.c, procfs_fdinfo.c, procfs_exec.c, procfs_limits.c). A
 * file finds its process from its own path, so each open sees that process as it is then. */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct process;
struct thread;
struct file;
struct linux_stat;

#define PID_FILE (S_IFREG | 0444)

/* The process (and thread) a /proc/<pid>[/task/<tid>]/... path is about; NULL once it is gone. */
struct process *process_of(const char *path, struct thread **thread);
/* The pid whose /proc/<pid> directory f is open on (not a task/<tid> one, nor a file inside):
 * Linux's tgid_pidfd_to_pid, which lets pidfd_send_signal take such a descriptor as a pidfd.
 * -EBADF for any other file. */
int procfs_pid_dir_pid(struct file *f);
/* open(2) of a /proc/<pid>/fd/N link the walk stopped on (VFS_STOP_AT_OBJECT): a pipe gets a
 * new open file on it (pipe_reopen); a socket or an anonymous inode cannot be opened (ENXIO:
 * Linux's sock_no_open and no_open); ENOENT once the descriptor is closed. */
struct vnode;
int procfs_fd_reopen(struct vnode *link, int flags, struct file **out);
/* stat(2) through such a link (followed): the object's own stat, a pipe's FIFO. */
int procfs_fd_stat(struct vnode *link, struct linux_stat *st);
/* A /proc/<pid>/task/<tid>/... path (a thread's file rather than the process's). */
bool in_task_dir(const char *path);
/* fs/proc/array.c's state: "R (running)", "S (sleeping)", "T (stopped)", "Z (zombie)". */
const char *state_of(const struct process *p, const struct thread *t);
/* The thread's name (the process's is its main thread's). */
void process_comm(const struct process *p, const struct thread *t, char comm[16]);
/* Threads: as Linux's signal->nr_threads, which keeps a zombie's leader until it is reaped. */
int nr_threads_of(const struct process *p);
/* SigIgn (ignored) or SigCgt (caught) as a signal mask. */
uint64_t sig_mask_of(struct process *p, bool ignored);
/* A read-only file of text (a kmalloc'ed buffer, which it frees). */
struct file *text_file(char *text, size_t len, int flags);
/* What task_mem() and task_statm() report of p's address space (procfs_status.c): sizes in
 * bytes, resident pages by kind (RssAnon, RssFile, RssShmem), the page tables' bytes (VmPTE). */
struct mem_counts {
    uint64_t size, peak, locked, data, stack, exe, lib, pte, commit;
    uint64_t anon, file, shmem, hwm;
};
void process_mem_counts(const struct process *p, struct mem_counts *m);
/* A directory of an entry (of template) per descriptor open now: fd/, fdinfo/ (their refresh). */
struct vnode;
void procfs_fd_entries(struct vnode *dir, const char *path, int template);
/* At boot: every /proc/<pid> and /proc/<pid>/task/<tid> gets an entry `name` of this kfile
 * template from now on. */
void procfs_pid_entry(const char *name, int template);
/* /proc/<pid>/cmdline from the process's memory (procfs_exec.c); false when exec recorded no
 * range to read (pid 1 before its exec: the caller answers from the boot manifest). */
bool cmdline_from_memory(struct process *p, int flags, struct file **out);
/* The registrations of procfs_pid.c's siblings (called by procfs_pid_init). */
void procfs_status_init(void);
void procfs_fdinfo_init(void);
void procfs_exec_init(void);
void procfs_limits_init(void);
/* /proc/<pid>/maps (its open, for procfs_pid.c's entry) and smaps (procfs_maps.c). */
struct file *procfs_maps_open(const char *path, int flags);
void procfs_maps_init(void);
