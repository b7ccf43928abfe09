/* /proc/<pid>/comm opened for writing (fs/procfs_comm.c): pid's thread tid (0: its main thread). */
#pragma once
struct file;
struct file *procfs_comm_open_writable(int pid, int tid, int flags);
