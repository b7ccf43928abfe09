/* System-wide limits that Linux exposes as sysctls: the value the code enforces and the one
 * /proc/sys shows (fs/procfs_sysctl.c) come from here, so the two cannot drift apart. All are
 * fixed at build time (/proc/sys is read-only here). */
#pragma once

#define SOMAXCONN            4096    /* net.core.somaxconn: listen()'s backlog is capped to it */
/* net.ipv4.ip_local_port_range: lwIP's ephemeral ports (TCP_/UDP_LOCAL_PORT_RANGE_*, whose
 * wrap-around needs a range starting at a power of two and ending at 65535). */
#define EPHEMERAL_PORT_FIRST 0xc000
#define EPHEMERAL_PORT_LAST  0xffff
#define MQ_MSG_MAX           10      /* fs.mqueue.msg_max: mq_open's largest mq_maxmsg */
#define MQ_MSGSIZE_MAX       8192    /* fs.mqueue.msgsize_max */
#define MQ_QUEUES_MAX        256     /* fs.mqueue.queues_max */
#define INOTIFY_MAX_QUEUED   16384   /* fs.inotify.max_queued_events: then IN_Q_OVERFLOW */
#define PIPE_MAX_SIZE        1048576 /* fs.pipe-max-size: F_SETPIPE_SZ above it needs CAP_SYS_RESOURCE */
