/* Process descriptors (proc/pidfd.c). */
#pragma once
struct process;
/* A new close-on-exec pidfd for pid in the caller's table (clone's CLONE_PIDFD, pidfd_open). */
int pidfd_new_fd(int pid, int flags);
/* p exited (is a zombie now): its pidfds become readable. */
void pidfd_process_exited(struct process *p);
/* The pid a pidfd at fd names, or -EBADF (not open, or not a pidfd): waitid's P_PIDFD. */
int pidfd_pid(int fd);
