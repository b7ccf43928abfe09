/* Process descriptors (proc/pidfd.c). */
#pragma once
struct process;
/* A new close-on-exec pidfd for p in the caller's table (clone's CLONE_PIDFD, pidfd_open). */
int pidfd_new_fd(struct process *p, int flags);
/* p exited (is a zombie now): its pidfds become readable. */
void pidfd_process_exited(struct process *p);
/* p is freed (reaped): its pidfds name nothing from now on (its pid may be reused). */
void pidfd_process_freed(struct process *p);
/* The pid a pidfd at fd names, or -EBADF (not open, or not a pidfd), -ECHILD (reaped): waitid's
 * P_PIDFD. */
int pidfd_pid(int fd);
