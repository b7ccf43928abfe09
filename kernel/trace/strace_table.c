/* How strace shows each system call: one letter per argument, in order (a call not listed shows
 * none). The letters:
 *   d int      u unsigned    x address or hex (NULL when 0)    f file descriptor
 *   a dirfd (AT_FDCWD)       p path          s string (NUL-terminated, as -s 32 shows it)
 *   b buffer the call reads, its length the next argument    B buffer the call fills (length = result)
 *   O string the call fills (getcwd)         v iovec array read, count next    V iovec array filled
 *   o open flags             M mode when the flags before it create (O_CREAT/O_TMPFILE)   m mode
 *   n AT_* flags             r access mode   S struct stat filled      t timespec read
 *   T timespec filled        k clock id      A sockaddr read, length next      R sockaddr filled,
 *   l the int its length pointer points to   e epoll_event read        E epoll_events filled (result)
 *   P PROT_*   F MAP_*       g signal        q sigset read            Q sigset filled
 *   w SEEK_*   c fcntl cmd and its argument (ends the list)            X futex op and its arguments
 *   y AF_*     Y SOCK_* type and flags       K SOCK_* flags           z protocol
 *   j socket option level and name (two arguments)                   G MSG_* flags
 *   h SIG_BLOCK..             i ioctl request    I int[2] filled (pipe2, socketpair)
 *   L LOCK_*   H SHUT_*    N epoll_ctl op    Z MADV_*   W RLIMIT_*
 *   J an int option value (when its length, the next argument, is 4)
 *   1 EFD_* flags  2 MFD_* flags  3 TIMER_ABSTIME    4 EPOLL_CLOEXEC   5 rlimit read   6 rlimit filled
 *   7 O_* flags without an access mode (pipe2, dup3)      8 a hex number (0 as 0)
 *   C clone's arguments, named as strace names them */
#include "kernel.h"
#include "strace.h"

enum {
#define X(nr, name) NR_##name = nr,
#include "../syscall/syscall_list.h"
#undef X
};

static const struct syscall_format formats[] = {
    [NR_getcwd] = { "Ou", 'd' },
    [NR_eventfd2] = { "u1", 'd' },
    [NR_epoll_create1] = { "4", 'd' },
    [NR_epoll_ctl] = { "fNfe", 'd' },
    [NR_epoll_pwait] = { "fEddqu", 'd' },
    [NR_dup] = { "f", 'd' },
    [NR_dup3] = { "ff7", 'd' },
    [NR_fcntl] = { "fc", 'd' },
    [NR_ioctl] = { "fix", 'd' },
    [NR_flock] = { "fL", 'd' },
    [NR_mknodat] = { "apmu", 'd' },
    [NR_mkdirat] = { "apm", 'd' },
    [NR_unlinkat] = { "apn", 'd' },
    [NR_symlinkat] = { "pap", 'd' },
    [NR_linkat] = { "apapn", 'd' },
    [NR_renameat] = { "apap", 'd' },
    [NR_statfs] = { "px", 'd' },
    [NR_fstatfs] = { "fx", 'd' },
    [NR_truncate] = { "pd", 'd' },
    [NR_ftruncate] = { "fd", 'd' },
    [NR_fallocate] = { "fddd", 'd' },
    [NR_faccessat] = { "apr", 'd' },
    [NR_chdir] = { "p", 'd' },
    [NR_fchdir] = { "f", 'd' },
    [NR_fchmod] = { "fm", 'd' },
    [NR_fchmodat] = { "apm", 'd' },
    [NR_fchownat] = { "apddn", 'd' },
    [NR_fchown] = { "fdd", 'd' },
    [NR_openat] = { "apoM", 'd' },
    [NR_close] = { "f", 'd' },
    [NR_pipe2] = { "I7", 'd' },
    [NR_getdents64] = { "fxu", 'd' },
    [NR_lseek] = { "fdw", 'd' },
    [NR_read] = { "fBu", 'd' },
    [NR_write] = { "fbu", 'd' },
    [NR_readv] = { "fVu", 'd' },
    [NR_writev] = { "fvu", 'd' },
    [NR_pread64] = { "fBud", 'd' },
    [NR_pwrite64] = { "fbud", 'd' },
    [NR_preadv] = { "fVud", 'd' },
    [NR_pwritev] = { "fvud", 'd' },
    [NR_sendfile] = { "ffxu", 'd' },
    [NR_vmsplice] = { "fxu8", 'd' },
    [NR_splice] = { "fxfxu8", 'd' },
    [NR_tee] = { "ffu8", 'd' },
    [NR_pselect6] = { "dxxxtx", 'd' },
    [NR_ppoll] = { "xutqu", 'd' },
    [NR_readlinkat] = { "apBu", 'd' },
    [NR_newfstatat] = { "apSn", 'd' },
    [NR_fstat] = { "fS", 'd' },
    [NR_sync] = { "", 'd' },
    [NR_fsync] = { "f", 'd' },
    [NR_fdatasync] = { "f", 'd' },
    [NR_utimensat] = { "apxn", 'd' },
    [NR_exit] = { "d", '?' },
    [NR_exit_group] = { "d", '?' },
    [NR_set_tid_address] = { "x", 'd' },
    [NR_futex] = { "xX", 'd' },
    [NR_set_robust_list] = { "xu", 'd' },
    [NR_get_robust_list] = { "dxx", 'd' },
    [NR_nanosleep] = { "tx", 'd' },
    [NR_getitimer] = { "dx", 'd' },
    [NR_setitimer] = { "dxx", 'd' },
    [NR_clock_gettime] = { "kT", 'd' },
    [NR_clock_getres] = { "kT", 'd' },
    [NR_clock_nanosleep] = { "k3tx", 'd' },
    [NR_sched_setaffinity] = { "dux", 'd' },
    [NR_sched_getaffinity] = { "dux", 'd' },
    [NR_sched_yield] = { "", 'd' },
    [NR_kill] = { "dg", 'd' },
    [NR_tkill] = { "dg", 'd' },
    [NR_tgkill] = { "ddg", 'd' },
    [NR_sigaltstack] = { "xx", 'd' },
    [NR_rt_sigsuspend] = { "qu", 'd' },
    [NR_rt_sigaction] = { "gxxu", 'd' },
    [NR_rt_sigprocmask] = { "hqQu", 'd' },
    [NR_rt_sigpending] = { "Qu", 'd' },
    [NR_rt_sigtimedwait] = { "qxtu", 'd' },
    [NR_rt_sigqueueinfo] = { "dgx", 'd' },
    [NR_rt_sigreturn] = { "", 'd' },
    [NR_getresuid] = { "xxx", 'd' },
    [NR_getresgid] = { "xxx", 'd' },
    [NR_times] = { "x", 'd' },
    [NR_getgroups] = { "dx", 'd' },
    [NR_setgroups] = { "dx", 'd' },
    [NR_uname] = { "x", 'd' },
    [NR_getrlimit] = { "W6", 'd' },
    [NR_getrusage] = { "dx", 'd' },
    [NR_umask] = { "m", 'o' },
    [NR_prctl] = { "dxxxx", 'd' },
    [NR_getcpu] = { "xxx", 'd' },
    [NR_gettimeofday] = { "xx", 'd' },
    [NR_getpid] = { "", 'd' },
    [NR_getppid] = { "", 'd' },
    [NR_getuid] = { "", 'd' },
    [NR_geteuid] = { "", 'd' },
    [NR_getgid] = { "", 'd' },
    [NR_getegid] = { "", 'd' },
    [NR_gettid] = { "", 'd' },
    [NR_sysinfo] = { "x", 'd' },
    [NR_socket] = { "yYz", 'd' },
    [NR_socketpair] = { "yYzI", 'd' },
    [NR_bind] = { "fAu", 'd' },
    [NR_listen] = { "fd", 'd' },
    [NR_accept] = { "fRl", 'd' },
    [NR_connect] = { "fAu", 'd' },
    [NR_getsockname] = { "fRl", 'd' },
    [NR_getpeername] = { "fRl", 'd' },
    [NR_sendto] = { "fbuGAu", 'd' },
    [NR_recvfrom] = { "fBuGRl", 'd' },
    [NR_setsockopt] = { "fjJu", 'd' },
    [NR_getsockopt] = { "fjxx", 'd' },
    [NR_shutdown] = { "fH", 'd' },
    [NR_sendmsg] = { "fxG", 'd' },
    [NR_msgget] = { "88", 'd' },
    [NR_msgctl] = { "ddx", 'd' },
    [NR_msgrcv] = { "dxud8", 'd' },
    [NR_msgsnd] = { "dxu8", 'd' },
    [NR_semget] = { "8d8", 'd' },
    [NR_semctl] = { "ddd8", 'd' },
    [NR_semtimedop] = { "dxux", 'd' },
    [NR_semop] = { "dxu", 'd' },
    [NR_sendmmsg] = { "fxuG", 'd' },
    [NR_recvmmsg] = { "fxuGx", 'd' },
    [NR_recvmsg] = { "fxG", 'd' },
    [NR_brk] = { "x", 'x' },
    [NR_munmap] = { "xu", 'd' },
    [NR_mremap] = { "xuuxx", 'x' },
    [NR_clone] = { "C", 'd' },
    [NR_mmap] = { "xuPFf8", 'x' },
    [NR_fadvise64] = { "fddd", 'd' },
    [NR_mprotect] = { "xuP", 'd' },
    [NR_msync] = { "xux", 'd' },
    [NR_madvise] = { "xuZ", 'd' },
    [NR_rt_tgsigqueueinfo] = { "ddgx", 'd' },
    [NR_accept4] = { "fRlK", 'd' },
    [NR_wait4] = { "dxxx", 'd' },
    [NR_waitid] = { "ddxxx", 'd' },
    [NR_execve] = { "pxx", 'd' },
    [NR_execveat] = { "apxxn", 'd' },
    [NR_setpgid] = { "dd", 'd' },
    [NR_getpgid] = { "d", 'd' },
    [NR_getsid] = { "d", 'd' },
    [NR_setsid] = { "", 'd' },
    [NR_setuid] = { "u", 'd' },
    [NR_setgid] = { "u", 'd' },
    [NR_setreuid] = { "dd", 'd' },
    [NR_setregid] = { "dd", 'd' },
    [NR_setresuid] = { "ddd", 'd' },
    [NR_setresgid] = { "ddd", 'd' },
    [NR_prlimit64] = { "dW56", 'd' },
    [NR_syncfs] = { "f", 'd' },
    [NR_renameat2] = { "apapx", 'd' },
    [NR_getrandom] = { "Bux", 'd' },
    [NR_memfd_create] = { "s2", 'd' },
    [NR_copy_file_range] = { "fxfxux", 'd' },
    [NR_preadv2] = { "fVudx", 'd' },
    [NR_pwritev2] = { "fvudx", 'd' },
    [NR_inotify_init1] = { "7", 'd' },
    [NR_inotify_add_watch] = { "fpx", 'd' },
    [NR_inotify_rm_watch] = { "fd", 'd' },
    [NR_signalfd4] = { "fqu7", 'd' },
    [NR_timerfd_create] = { "k7", 'd' },
    [NR_timerfd_settime] = { "f3xx", 'd' },
    [NR_timerfd_gettime] = { "fx", 'd' },
    [NR_statx] = { "apnxx", 'd' },
    [NR_clone3] = { "xu", 'd' },
    [NR_close_range] = { "ffx", 'd' },
    [NR_faccessat2] = { "aprn", 'd' },
    [NR_epoll_pwait2] = { "fEdtqu", 'd' },
    /* not implemented (-ENOSYS), but programs call them */
    [232] = { "xux", 'd' },     /* mincore */
    [293] = { "xudx", 'd' },    /* rseq */
    [437] = { "apxu", 'd' },    /* openat2 */
};

static const struct syscall_format unknown = { "xxxxxx", 'd' };

const struct syscall_format *syscall_format(uint64_t nr)
{
    if (nr < ARRAY_SIZE(formats) && formats[nr].args)
        return &formats[nr];
    return &unknown;
}
