/* /proc's system-wide files, each part registering its own (called by procfs_init, fs/procfs.c):
 * /proc/loadavg (fs/procfs_loadavg.c), /proc/sys/kernel (fs/procfs_sys.c). */
#pragma once
void procfs_loadavg_init(void);
void procfs_stat_init(void);
void procfs_sys_init(void);
void procfs_sysctl_init(void);
