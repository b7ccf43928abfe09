/* Names for the constants and flags strace shows, and errno names with glibc's messages (the
 * text after `= -1 ENOENT`). Values are Linux's (linux_abi.h; a few only strace needs are here). */
#include "kernel.h"
#include "linux_abi.h"
#include "strace.h"

#define N(x) { (uint64_t)(x), #x }
#define END { 0, NULL }

/* O_ACCMODE's values are not bits: strace.c names them first, then these. */
const struct name open_flag_names[] = {
    N(O_CREAT), N(O_EXCL), N(O_NOCTTY), N(O_TRUNC), N(O_APPEND), N(O_NONBLOCK), N(O_DSYNC),
    N(O_DIRECTORY), N(O_NOFOLLOW), N(O_DIRECT), N(O_LARGEFILE), N(O_NOATIME), N(O_CLOEXEC),
    N(O_PATH), { 020000000, "O_TMPFILE" }, { 04000000, "O_SYNC" }, END,
};
const struct name at_flag_names[] = {
    N(AT_SYMLINK_NOFOLLOW), N(AT_REMOVEDIR), N(AT_SYMLINK_FOLLOW), N(AT_NO_AUTOMOUNT),
    N(AT_EMPTY_PATH), { 0x2000, "AT_STATX_FORCE_SYNC" }, { 0x4000, "AT_STATX_DONT_SYNC" }, END,
};
const struct name access_names[] = { N(R_OK), N(W_OK), N(X_OK), END };
const struct name prot_names[] = { N(PROT_READ), N(PROT_WRITE), N(PROT_EXEC), { 0x10, "PROT_BTI" }, END };
const struct name map_flag_names[] = {
    N(MAP_SHARED), N(MAP_PRIVATE), N(MAP_FIXED), N(MAP_ANONYMOUS), { 0x100, "MAP_GROWSDOWN" },
    { 0x800, "MAP_DENYWRITE" }, { 0x2000, "MAP_LOCKED" }, N(MAP_NORESERVE), { 0x8000, "MAP_POPULATE" },
    { 0x20000, "MAP_STACK" }, N(MAP_FIXED_NOREPLACE), END,
};
const struct name madv_names[] = {
    N(MADV_NORMAL), N(MADV_RANDOM), N(MADV_SEQUENTIAL), N(MADV_WILLNEED), N(MADV_DONTNEED),
    N(MADV_FREE), N(MADV_HUGEPAGE), N(MADV_NOHUGEPAGE), N(MADV_DONTDUMP), N(MADV_DODUMP), END,
};
const struct name sock_flag_names[] = { N(SOCK_NONBLOCK), N(SOCK_CLOEXEC), END };
const struct name efd_flag_names[] = { { 1, "EFD_SEMAPHORE" }, { O_NONBLOCK, "EFD_NONBLOCK" }, { O_CLOEXEC, "EFD_CLOEXEC" }, END };
const struct name mfd_flag_names[] = { N(MFD_CLOEXEC), N(MFD_ALLOW_SEALING), END };
const struct name timer_flag_names[] = { N(TIMER_ABSTIME), END };
const struct name msg_flag_names[] = {
    N(MSG_OOB), N(MSG_PEEK), N(MSG_TRUNC), N(MSG_DONTWAIT), N(MSG_EOR), N(MSG_WAITALL),
    N(MSG_NOSIGNAL), N(MSG_MORE), END,
};
const struct name epoll_event_names[] = {
    { POLLIN, "EPOLLIN" }, { POLLPRI, "EPOLLPRI" }, { POLLOUT, "EPOLLOUT" }, { POLLERR, "EPOLLERR" },
    { POLLHUP, "EPOLLHUP" }, { POLLRDNORM, "EPOLLRDNORM" }, { POLLRDBAND, "EPOLLRDBAND" },
    { POLLWRNORM, "EPOLLWRNORM" }, { POLLWRBAND, "EPOLLWRBAND" }, { POLLRDHUP, "EPOLLRDHUP" },
    N(EPOLLEXCLUSIVE), N(EPOLLWAKEUP), N(EPOLLONESHOT), N(EPOLLET), END,
};
const struct name epoll_op_names[] = { N(EPOLL_CTL_ADD), N(EPOLL_CTL_DEL), N(EPOLL_CTL_MOD), END };
const struct name clone_flag_names[] = {
    N(CLONE_VM), N(CLONE_FS), N(CLONE_FILES), N(CLONE_SIGHAND), N(CLONE_PIDFD), N(CLONE_VFORK),
    N(CLONE_THREAD), N(CLONE_NEWNS), N(CLONE_SYSVSEM), N(CLONE_SETTLS), N(CLONE_PARENT_SETTID),
    N(CLONE_CHILD_CLEARTID), N(CLONE_DETACHED), N(CLONE_CHILD_SETTID), END,
};
const struct name whence_names[] = { N(SEEK_SET), N(SEEK_CUR), N(SEEK_END), N(SEEK_DATA), N(SEEK_HOLE), END };
const struct name fcntl_cmd_names[] = {
    N(F_DUPFD), N(F_GETFD), N(F_SETFD), N(F_GETFL), N(F_SETFL), N(F_GETLK), N(F_SETLK), N(F_SETLKW),
    N(F_OFD_GETLK), N(F_OFD_SETLK), N(F_OFD_SETLKW), N(F_DUPFD_CLOEXEC), END,
};
const struct name flock_names[] = { N(LOCK_SH), N(LOCK_EX), N(LOCK_NB), N(LOCK_UN), END };
const struct name clock_names[] = {
    N(CLOCK_REALTIME), N(CLOCK_MONOTONIC), N(CLOCK_PROCESS_CPUTIME_ID), N(CLOCK_THREAD_CPUTIME_ID),
    N(CLOCK_MONOTONIC_RAW), N(CLOCK_REALTIME_COARSE), N(CLOCK_MONOTONIC_COARSE), N(CLOCK_BOOTTIME), END,
};
const struct name family_names[] = { N(AF_UNSPEC), N(AF_UNIX), N(AF_INET), N(AF_INET6), { 16, "AF_NETLINK" }, { 17, "AF_PACKET" }, END };
const struct name sock_type_names[] = { N(SOCK_STREAM), N(SOCK_DGRAM), { 3, "SOCK_RAW" }, N(SOCK_SEQPACKET), END };
const struct name protocol_names[] = { N(IPPROTO_IP), N(IPPROTO_TCP), N(IPPROTO_UDP), N(IPPROTO_IPV6), END };
const struct name shutdown_names[] = { N(SHUT_RD), N(SHUT_WR), N(SHUT_RDWR), END };
const struct name futex_op_names[] = {
    N(FUTEX_WAIT), N(FUTEX_WAKE), N(FUTEX_REQUEUE), N(FUTEX_CMP_REQUEUE), N(FUTEX_WAKE_OP),
    { 6, "FUTEX_LOCK_PI" }, { 7, "FUTEX_UNLOCK_PI" }, N(FUTEX_WAIT_BITSET), N(FUTEX_WAKE_BITSET), END,
};
const struct name sigprocmask_how_names[] = { N(SIG_BLOCK), N(SIG_UNBLOCK), N(SIG_SETMASK), END };
const struct name sockopt_level_names[] = { N(SOL_SOCKET), N(IPPROTO_TCP), N(IPPROTO_IPV6), { 0, "SOL_IP" }, END };
const struct name so_names[] = {
    N(SO_REUSEADDR), N(SO_TYPE), N(SO_ERROR), N(SO_BROADCAST), N(SO_SNDBUF), N(SO_RCVBUF),
    N(SO_KEEPALIVE), N(SO_OOBINLINE), N(SO_LINGER), N(SO_REUSEPORT), N(SO_PASSCRED), N(SO_PEERCRED), N(SO_RCVTIMEO),
    N(SO_SNDTIMEO), N(SO_ACCEPTCONN), N(SO_PROTOCOL), N(SO_DOMAIN), END,
};
const struct name tcp_names[] = { N(TCP_NODELAY), N(TCP_KEEPIDLE), N(TCP_KEEPINTVL), N(TCP_KEEPCNT), END };
const struct name ioctl_names[] = {
    N(TCGETS), N(TCSETS), N(TCSETSW), N(TCSETSF), N(TIOCGWINSZ), N(FIONREAD), N(FIONBIO),
    N(FIONCLEX), N(FIOCLEX), N(SIOCATMARK), N(TCXONC), N(TCFLSH), N(TIOCEXCL), N(TIOCNXCL), N(TIOCSCTTY),
    N(TIOCGPGRP), N(TIOCSPGRP), N(TIOCSWINSZ), N(TIOCPKT), N(TIOCNOTTY), N(TIOCGETD), N(TIOCGSID),
    N(TCGETS2), N(TCSETS2), N(TCSETSW2), N(TCSETSF2), N(TIOCGPTN), N(TIOCSPTLCK), N(TIOCGPKT),
    N(TIOCGPTLCK), N(TIOCGEXCL), N(TIOCGPTPEER), N(TCSBRK), N(TCSBRKP), N(TIOCSBRK), N(TIOCCBRK),
    N(TIOCSTI), N(TIOCCONS), N(TIOCSETD), N(TIOCVHANGUP), END,
};
const struct name rlimit_names[] = {
    { 0, "RLIMIT_CPU" }, { 1, "RLIMIT_FSIZE" }, { 2, "RLIMIT_DATA" }, N(RLIMIT_STACK), { 4, "RLIMIT_CORE" },
    { 5, "RLIMIT_RSS" }, { 6, "RLIMIT_NPROC" }, N(RLIMIT_NOFILE), { 8, "RLIMIT_MEMLOCK" }, N(RLIMIT_AS), END,
};

/* asm-generic/errno-base.h and errno.h, with glibc's strerror text. */
static const struct { const char *name, *message; } errnos[] = {
    [1] = { "EPERM", "Operation not permitted" }, { "ENOENT", "No such file or directory" },
    { "ESRCH", "No such process" }, { "EINTR", "Interrupted system call" }, { "EIO", "Input/output error" },
    { "ENXIO", "No such device or address" }, { "E2BIG", "Argument list too long" },
    { "ENOEXEC", "Exec format error" }, { "EBADF", "Bad file descriptor" }, { "ECHILD", "No child processes" },
    { "EAGAIN", "Resource temporarily unavailable" }, { "ENOMEM", "Cannot allocate memory" },
    { "EACCES", "Permission denied" }, { "EFAULT", "Bad address" }, { "ENOTBLK", "Block device required" },
    { "EBUSY", "Device or resource busy" }, { "EEXIST", "File exists" }, { "EXDEV", "Invalid cross-device link" },
    { "ENODEV", "No such device" }, { "ENOTDIR", "Not a directory" }, { "EISDIR", "Is a directory" },
    { "EINVAL", "Invalid argument" }, { "ENFILE", "Too many open files in system" },
    { "EMFILE", "Too many open files" }, { "ENOTTY", "Inappropriate ioctl for device" },
    { "ETXTBSY", "Text file busy" }, { "EFBIG", "File too large" }, { "ENOSPC", "No space left on device" },
    { "ESPIPE", "Illegal seek" }, { "EROFS", "Read-only file system" }, { "EMLINK", "Too many links" },
    { "EPIPE", "Broken pipe" }, { "EDOM", "Numerical argument out of domain" },
    { "ERANGE", "Numerical result out of range" }, { "EDEADLK", "Resource deadlock avoided" },
    { "ENAMETOOLONG", "File name too long" }, { "ENOLCK", "No locks available" },
    { "ENOSYS", "Function not implemented" }, { "ENOTEMPTY", "Directory not empty" },
    { "ELOOP", "Too many levels of symbolic links" },
    [42] = { "ENOMSG", "No message of desired type" }, { "EIDRM", "Identifier removed" },
    [61] = { "ENODATA", "No data available" }, { "ETIME", "Timer expired" },
    [71] = { "EPROTO", "Protocol error" },
    [74] = { "EBADMSG", "Bad message" }, { "EOVERFLOW", "Value too large for defined data type" },
    [84] = { "EILSEQ", "Invalid or incomplete multibyte or wide character" },
    [88] = { "ENOTSOCK", "Socket operation on non-socket" }, { "EDESTADDRREQ", "Destination address required" },
    { "EMSGSIZE", "Message too long" }, { "EPROTOTYPE", "Protocol wrong type for socket" },
    { "ENOPROTOOPT", "Protocol not available" }, { "EPROTONOSUPPORT", "Protocol not supported" },
    { "ESOCKTNOSUPPORT", "Socket type not supported" }, { "EOPNOTSUPP", "Operation not supported" },
    { "EPFNOSUPPORT", "Protocol family not supported" },
    { "EAFNOSUPPORT", "Address family not supported by protocol" }, { "EADDRINUSE", "Address already in use" },
    { "EADDRNOTAVAIL", "Cannot assign requested address" }, { "ENETDOWN", "Network is down" },
    { "ENETUNREACH", "Network is unreachable" }, { "ENETRESET", "Network dropped connection on reset" },
    { "ECONNABORTED", "Software caused connection abort" }, { "ECONNRESET", "Connection reset by peer" },
    { "ENOBUFS", "No buffer space available" }, { "EISCONN", "Transport endpoint is already connected" },
    { "ENOTCONN", "Transport endpoint is not connected" },
    { "ESHUTDOWN", "Cannot send after transport endpoint shutdown" },
    { "ETOOMANYREFS", "Too many references: cannot splice" }, { "ETIMEDOUT", "Connection timed out" },
    { "ECONNREFUSED", "Connection refused" }, { "EHOSTDOWN", "Host is down" },
    { "EHOSTUNREACH", "No route to host" }, { "EALREADY", "Operation already in progress" },
    { "EINPROGRESS", "Operation now in progress" }, { "ESTALE", "Stale file handle" },
    [122] = { "EDQUOT", "Disk quota exceeded" },
    [125] = { "ECANCELED", "Operation canceled" },
    /* the kernel-internal restart codes strace shows as `= ? ERESTARTSYS (...)` */
    [512] = { "ERESTARTSYS", "To be restarted if SA_RESTART is set" },
    { "ERESTARTNOINTR", "To be restarted" }, { "ERESTARTNOHAND", "To be restarted if no handler" },
    { "ENOIOCTLCMD", "No ioctl command" }, { "ERESTART_RESTARTBLOCK", "Interrupted by signal" },
};

const char *errno_name(int err)
{
    return err > 0 && err < (int)ARRAY_SIZE(errnos) ? errnos[err].name : NULL;
}

const char *errno_message(int err)
{
    return err > 0 && err < (int)ARRAY_SIZE(errnos) ? errnos[err].message : NULL;
}
