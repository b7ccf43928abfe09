/* The Linux user ABI every architecture shares (include/uapi/linux/ and asm-generic/): flag
 * values, constants and the structures whose layout is the same on every 64-bit architecture.
 * What differs per architecture (arm64's open flags, struct stat, the signal frame) is in the
 * arch's linux_abi.h, which includes this file. errno values are in errno.h. */
#pragma once
#include <stdint.h>

/* ---- files: *at() flags, mode bits, names, positions, fcntl, ioctl ---- */
#define AT_FDCWD            (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EACCESS          0x200
#define AT_REMOVEDIR        0x200
#define AT_SYMLINK_FOLLOW   0x400
#define AT_NO_AUTOMOUNT     0x800
#define AT_EMPTY_PATH       0x1000
#define AT_STATX_SYNC_TYPE  0x6000
/* file types in st_mode */
#define S_IFMT   0170000
#define S_IFSOCK 0140000
#define S_IFLNK  0120000
#define S_IFREG  0100000
#define S_IFBLK  0060000
#define S_IFDIR  0040000
#define S_IFCHR  0020000
#define S_IFIFO  0010000
#define S_ISUID  0004000
#define S_ISGID  0002000   /* on a directory: new entries take its group */
#define S_ISVTX  0001000   /* on a directory: only a name's owner (or the directory's) removes it */
/* access modes; the longest name */
#define R_OK 4
#define W_OK 2
#define X_OK 1
#define NAME_MAX 255
/* renameat2, utimensat */
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE  2
#define RENAME_WHITEOUT  4
#define UTIME_NOW  ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)
#define UIO_MAXIOV 1024
/* lseek whence */
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4
/* memfd_create, fadvise64, close_range */
#define MFD_CLOEXEC       1u
#define MFD_ALLOW_SEALING 2u
#define MFD_NAME_MAX      249
#define POSIX_FADV_NOREUSE 5
#define CLOSE_RANGE_UNSHARE 2
#define CLOSE_RANGE_CLOEXEC 4
/* fcntl */
#define F_DUPFD         0
#define F_GETFD         1
#define F_SETFD         2
#define F_GETFL         3
#define F_SETFL         4
#define F_GETLK         5
#define F_SETLK         6
#define F_SETLKW        7
#define F_OFD_GETLK     36
#define F_OFD_SETLK     37
#define F_OFD_SETLKW    38
#define F_DUPFD_CLOEXEC 1030
#define F_SETOWN_EX     15
#define F_GETOWN_EX     16
#define F_SETSIG        10
#define F_GETSIG        11
#define F_GETLEASE      1025
#define F_NOTIFY        1026
#define F_SETPIPE_SZ    1031
#define F_GETPIPE_SZ    1032
#define F_OWNER_TID     0
#define F_OWNER_PID     1
#define F_OWNER_PGRP    2
struct linux_f_owner_ex { int type; int pid; };
#define FD_CLOEXEC      1
/* record locks (fcntl) and flock */
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8
/* preadv2/pwritev2 flags; fallocate modes */
#define RWF_HIPRI     0x01
#define RWF_DSYNC     0x02
#define RWF_SYNC      0x04
#define RWF_NOWAIT    0x08
#define RWF_APPEND    0x10
#define FALLOC_FL_KEEP_SIZE      0x01
#define FALLOC_FL_PUNCH_HOLE     0x02
#define FALLOC_FL_NO_HIDE_STALE  0x04
#define FALLOC_FL_COLLAPSE_RANGE 0x08
#define FALLOC_FL_ZERO_RANGE     0x10
#define FALLOC_FL_INSERT_RANGE   0x20
#define FALLOC_FL_UNSHARE_RANGE  0x40

/* ioctl requests */
#define FIONBIO    0x5421
#define FIOASYNC   0x5452
#define F_SETOWN   8
#define F_GETOWN   9
#define FIONCLEX   0x5450
#define FIOCLEX    0x5451
#define FIONREAD 0x541B
#define SIOCATMARK 0x8905
#define SIOCOUTQ   0x5411   /* TIOCOUTQ */
#define SIOCOUTQNSD 0x894B  /* TCP: bytes written but not yet sent */
#define TCGETS     0x5401
#define TCSETS     0x5402
#define TCSETSW    0x5403
#define TCSETSF    0x5404
#define TIOCGWINSZ 0x5413
/* The terminal requests (asm-generic/ioctls.h; TIOCOUTQ is SIOCOUTQ's number). */
#define TCSBRK      0x5409
#define TCXONC      0x540a
#define TCFLSH      0x540b
#define TIOCEXCL    0x540c
#define TIOCNXCL    0x540d
#define TIOCSCTTY   0x540e
#define TIOCGPGRP   0x540f
#define TIOCSPGRP   0x5410
#define TIOCSTI     0x5412
#define TIOCSWINSZ  0x5414
#define TIOCCONS    0x541d
#define TIOCPKT     0x5420
#define TIOCNOTTY   0x5422
#define TIOCSETD    0x5423
#define TIOCGETD    0x5424
#define TCSBRKP     0x5425
#define TIOCSBRK    0x5427
#define TIOCCBRK    0x5428
#define TIOCGSID    0x5429
#define TIOCVHANGUP 0x5437
#define TCGETS2     0x802c542a
#define TCSETS2     0x402c542b
#define TCSETSW2    0x402c542c
#define TCSETSF2    0x402c542d
#define TIOCGPTN    0x80045430
#define TIOCSPTLCK  0x40045431
#define TIOCGPKT    0x80045438
#define TIOCGPTLCK  0x80045439
#define TIOCGEXCL   0x80045440
#define TIOCGPTPEER 0x5441
#define TIOCINQ     FIONREAD

struct linux_iovec {
    uint64_t iov_base;
    uint64_t iov_len;
};

struct statx_timestamp {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t __reserved;
};

struct linux_statx {
    uint32_t stx_mask;
    uint32_t stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink;
    uint32_t stx_uid;
    uint32_t stx_gid;
    uint16_t stx_mode;
    uint16_t __spare0;
    uint64_t stx_ino;
    uint64_t stx_size;
    uint64_t stx_blocks;
    uint64_t stx_attributes_mask;
    struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor;
    uint32_t stx_dev_major, stx_dev_minor;
    uint64_t __spare2[14];
};
_Static_assert(sizeof(struct linux_statx) == 256, "struct statx is 256 bytes");

#define STATX_TYPE        0x0001U
#define STATX_MODE        0x0002U
#define STATX_NLINK       0x0004U
#define STATX_UID         0x0008U
#define STATX_GID         0x0010U
#define STATX_ATIME       0x0020U
#define STATX_MTIME       0x0040U
#define STATX_CTIME       0x0080U
#define STATX_INO         0x0100U
#define STATX_SIZE        0x0200U
#define STATX_BLOCKS      0x0400U
#define STATX_BASIC_STATS 0x07ffU
#define STATX_BTIME       0x0800U
#define STATX__RESERVED   0x80000000U
#define STATX_ATTR_IMMUTABLE  0x00000010ULL
#define STATX_ATTR_APPEND     0x00000020ULL
#define STATX_ATTR_NODUMP     0x00000040ULL
#define STATX_ATTR_AUTOMOUNT  0x00001000ULL
#define STATX_ATTR_MOUNT_ROOT 0x00002000ULL
#define STATX_ATTR_DAX        0x00200000ULL
/* statfs f_flags (ST_*) */
#define ST_RDONLY   0x0001
#define ST_VALID    0x0020   /* f_flags is filled in (Linux 2.6.36 on: always) */
#define ST_RELATIME 0x1000

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    uint16_t d_reclen;
    uint8_t d_type;
    char d_name[];
};
#define DT_FIFO 1
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12
#define DT_CHR 2

struct linux_statfs {
    int64_t f_type, f_bsize;
    uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    int32_t f_fsid[2];
    int64_t f_namelen, f_frsize, f_flags, f_spare[4];
};

/* ---- memory: mmap, mremap, msync, madvise ---- */
/* mmap */
#define PROT_NONE  0
#define PROT_READ  1
#define PROT_WRITE 2
#define PROT_EXEC  4
#define PROT_SEM   8
#define PROT_GROWSDOWN 0x01000000
#define PROT_GROWSUP   0x02000000
#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE      0x0f
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20
#define MAP_GROWSDOWN 0x0100
#define MAP_DENYWRITE 0x0800
#define MAP_EXECUTABLE 0x1000
#define MAP_LOCKED    0x2000
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE  0x8000
#define MAP_NONBLOCK  0x10000
#define MAP_STACK     0x20000
#define MAP_HUGETLB   0x40000
#define MAP_SYNC      0x80000
#define MAP_FIXED_NOREPLACE 0x100000
#define MAP_UNINITIALIZED 0x4000000
/* The flags MAP_SHARED_VALIDATE knows (Linux's LEGACY_MAP_MASK): any other is EOPNOTSUPP. */
#define MAP_LEGACY_MASK (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | \
                         MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | \
                         MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB)
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED   2
#define MREMAP_DONTUNMAP 4
/* msync, madvise */
#define MS_ASYNC      1
#define MS_INVALIDATE 2
#define MS_SYNC       4
#define MADV_NORMAL     0
#define MADV_RANDOM     1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED   3
#define MADV_DONTNEED   4
#define MADV_FREE       8
#define MADV_REMOVE     9
#define MADV_DONTFORK   10
#define MADV_DOFORK     11
#define MADV_MERGEABLE  12
#define MADV_UNMERGEABLE 13
#define MADV_HUGEPAGE   14
#define MADV_NOHUGEPAGE 15
#define MADV_DONTDUMP   16
#define MADV_DODUMP     17
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#define MADV_COLD       20
#define MADV_PAGEOUT    21
#define MADV_POPULATE_READ  22
#define MADV_POPULATE_WRITE 23

/* ---- time ---- */
struct linux_timespec {
    int64_t tv_sec;
    int64_t tv_nsec;
};

struct linux_timeval {
    int64_t tv_sec;
    int64_t tv_usec;
};

#define CLOCK_REALTIME           0
#define CLOCK_MONOTONIC          1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define CLOCK_MONOTONIC_RAW      4
#define CLOCK_REALTIME_COARSE    5
#define CLOCK_MONOTONIC_COARSE   6
#define CLOCK_BOOTTIME           7
#define CLOCK_REALTIME_ALARM     8
#define CLOCK_BOOTTIME_ALARM     9
#define CLOCK_TAI                11
#define TIMER_ABSTIME            1

struct linux_itimerspec {
    struct linux_timespec it_interval, it_value;
};
/* timerfd_create and timerfd_settime flags */
#define TFD_CLOEXEC              O_CLOEXEC
#define TFD_NONBLOCK             O_NONBLOCK
#define TFD_TIMER_ABSTIME        1
#define TFD_TIMER_CANCEL_ON_SET  2
#define ITIMER_REAL    0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF    2

/* ---- processes and threads: clone, wait, futex, prctl, resources, system information ---- */
#define CLONE_VM             0x00000100UL
#define CLONE_FS             0x00000200UL
#define CLONE_FILES          0x00000400UL
#define CLONE_SIGHAND        0x00000800UL
#define CLONE_PIDFD          0x00001000UL
#define CLONE_VFORK          0x00004000UL
#define CLONE_THREAD         0x00010000UL
#define CLONE_NEWNS          0x00020000UL
#define CLONE_NEWUSER        0x10000000UL
#define CLONE_NEWCGROUP      0x02000000UL
#define CLONE_NEWUTS         0x04000000UL
#define CLONE_NEWIPC         0x08000000UL
#define CLONE_NEWPID         0x20000000UL
#define CLONE_NEWNET         0x40000000UL
#define CLONE_NEWTIME        0x00000080UL
#define CLONE_CLEAR_SIGHAND  0x100000000ULL
#define CLONE_INTO_CGROUP    0x200000000ULL
#define CLONE_SYSVSEM        0x00040000UL
#define CLONE_SETTLS         0x00080000UL
#define CLONE_PARENT_SETTID  0x00100000UL
#define CLONE_CHILD_CLEARTID 0x00200000UL
#define CLONE_DETACHED       0x00400000UL
#define CLONE_CHILD_SETTID   0x01000000UL
#define CSIGNAL              0xffUL

/* wait4 options */
#define WNOHANG    1
#define WSTOPPED   2
#define WEXITED    4
#define WNOWAIT    0x01000000
#define P_ALL      0
#define P_PID      1
#define P_PGID     2
#define P_PIDFD    3
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_STOPPED   5
#define CLD_CONTINUED 6
#define SA_NOCLDSTOP 0x00000001u
#define SA_NOCLDWAIT 0x00000002u
#define WUNTRACED  2
#define WCONTINUED 8
#define WNOTHREAD  0x20000000
#define WALL       0x40000000
#define WCLONE     0x80000000

/* futex operations */
#define FUTEX_WAIT           0
#define FUTEX_WAKE           1
#define FUTEX_REQUEUE        3
#define FUTEX_CMP_REQUEUE    4
#define FUTEX_WAKE_OP        5
#define FUTEX_WAIT_BITSET    9
#define FUTEX_WAKE_BITSET    10
#define FUTEX_LOCK_PI        6
#define FUTEX_UNLOCK_PI      7
#define FUTEX_TRYLOCK_PI     8
#define FUTEX_LOCK_PI2       13
#define FUTEX_PRIVATE_FLAG   128
#define FUTEX_CLOCK_REALTIME 256
/* the futex word of a robust mutex */
#define FUTEX_WAITERS      0x80000000u
#define FUTEX_OWNER_DIED   0x40000000u
#define FUTEX_TID_MASK     0x3fffffffu
#define FUTEX_CMD_MASK       (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))

#define NGROUPS_MAX 65536
/* prctl; setgroups' limit */
#define PR_SET_PDEATHSIG    1
#define PR_GET_PDEATHSIG    2
#define PR_GET_DUMPABLE     3
#define PR_SET_DUMPABLE     4
#define PR_SET_NAME         15
#define PR_GET_SECCOMP      21
#define PR_SET_SECCOMP      22
#define PR_GET_KEEPCAPS     7
#define PR_SET_KEEPCAPS     8
#define PR_CAPBSET_READ     23
#define PR_GET_SECUREBITS   27
#define SECBIT_KEEP_CAPS    (1U << 4)   /* issecure_mask(SECURE_KEEP_CAPS) */
#define PR_SET_TIMERSLACK   29
#define PR_GET_TIMERSLACK   30
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37
#define PR_SET_THP_DISABLE  41
#define PR_GET_THP_DISABLE  42
#define TIMER_SLACK_DEFAULT_NS 50000
#define PR_GET_NAME         16
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39
#define PR_SET_TAGGED_ADDR_CTRL 55
#define PR_GET_TAGGED_ADDR_CTRL 56
#define PR_TAGGED_ADDR_ENABLE   1UL

/* Capabilities 0..CAP_LAST_CAP (40: CAP_CHECKPOINT_RESTORE): root's full set. */
#define CAP_LAST_CAP 40
#define CAP_FOWNER 3
#define CAP_SETGID 6
#define CAP_SETUID 7
#define CAP_SYS_CHROOT 18
#define CAP_SYS_PTRACE 19
#define CAP_SYS_ADMIN 21
#define CAP_MKNOD 27
#define CAP_SYS_BOOT 22
#define CAP_SYS_NICE 23
#define CAP_SYS_RESOURCE 24
#define CAP_FULL_SET ((1ULL << (CAP_LAST_CAP + 1)) - 1)

/* personality(2) flags (include/uapi/linux/personality.h) */
#define ADDR_NO_RANDOMIZE 0x0040000
#define PER_LINUX32       0x0008

struct linux_rlimit {
    uint64_t rlim_cur;
    uint64_t rlim_max;
};
#define RLIM_INFINITY (~0UL)
#define RLIMIT_FSIZE  1
#define RLIMIT_DATA   2
#define RLIMIT_STACK  3
#define RLIMIT_RSS    5
#define RLIMIT_NPROC  6
#define RLIMIT_NOFILE 7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS     9
#define RLIMIT_SIGPENDING 11
#define RLIM_NLIMITS  16

struct linux_rusage {
    int64_t utime_sec, utime_usec, stime_sec, stime_usec;
    int64_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd, msgrcv,
            nsignals, nvcsw, nivcsw;
};
#define RUSAGE_SELF     0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD   1

/* getrandom */
#define GRND_NONBLOCK 1
#define GRND_RANDOM   2
#define GRND_INSECURE 4

struct linux_utsname {
    char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

struct linux_sysinfo {
    int64_t uptime;
    uint64_t loads[3];
    uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    uint16_t procs, pad;
    uint64_t totalhigh, freehigh;
    uint32_t mem_unit;
    char _f[0];
};

/* auxiliary vector keys (linux/auxvec.h) */
#define AT_NULL     0
#define AT_IGNORE   1
#define AT_PHDR     3
#define AT_PHENT    4
#define AT_PHNUM    5
#define AT_PAGESZ   6
#define AT_BASE     7
#define AT_FLAGS    8
#define AT_ENTRY    9
#define AT_UID      11
#define AT_EUID     12
#define AT_GID      13
#define AT_EGID     14
#define AT_PLATFORM 15
#define AT_HWCAP    16
#define AT_CLKTCK   17
#define AT_SECURE   23
#define AT_RANDOM   25
#define AT_HWCAP2   26
#define AT_EXECFN   31
#define AT_SYSINFO_EHDR 33

/* ---- signals ---- */
#define NSIG        64
#define SIGHUP      1
#define SIGINT      2
#define SIGQUIT     3
#define SIGILL      4
#define SIGTRAP     5
#define SIGABRT     6
#define SIGBUS      7
#define SIGFPE      8
#define SIGKILL     9
#define SIGSEGV     11
#define SIGPIPE     13
#define SIGALRM     14
#define SIGCHLD     17
#define SIGCONT     18
#define SIGSTOP     19
#define SIGTSTP     20
#define SIGTTIN     21
#define SIGTTOU     22
#define SIGXFSZ     25
#define SIGWINCH    28
#define SIGSYS      31
#define SIGRTMIN    32          /* the kernel's: glibc keeps 32 and 33 for itself */
#define SIG_DFL     0
#define SIG_IGN     1
#define SA_SIGINFO   0x00000004u
#define SA_RESTORER  0x04000000u
#define SA_ONSTACK   0x08000000u
#define SA_RESTART   0x10000000u
#define SA_NODEFER   0x40000000u
#define SA_RESETHAND 0x80000000u
/* si_code values */
#define SI_USER     0
#define SI_KERNEL   0x80
#define SI_QUEUE    (-1)
#define SI_TIMER    (-2)
/* struct sigevent's sigev_notify (timer_create). */
#define SIGEV_SIGNAL    0
#define SIGEV_NONE      1
#define SIGEV_THREAD    2
#define SIGEV_THREAD_ID 4
#define SI_TKILL    (-6)
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN  1
#define BUS_ADRERR  2
#define ILL_ILLOPC  1
#define TRAP_BRKPT  1
/* sigaltstack flags */
#define SS_ONSTACK     1
#define SS_DISABLE     2
#define SS_AUTODISARM  (1u << 31)
/* signalfd4 flags, and what a read of a signalfd gives per signal (128 bytes) */
#define SFD_CLOEXEC  O_CLOEXEC
#define SFD_NONBLOCK O_NONBLOCK
struct linux_signalfd_siginfo {
    uint32_t ssi_signo;
    int32_t ssi_errno, ssi_code;
    uint32_t ssi_pid, ssi_uid;
    int32_t ssi_fd;
    uint32_t ssi_tid, ssi_band, ssi_overrun, ssi_trapno;
    int32_t ssi_status, ssi_int;
    uint64_t ssi_ptr, ssi_utime, ssi_stime, ssi_addr;
    uint16_t ssi_addr_lsb, __pad2;
    int32_t ssi_syscall;
    uint64_t ssi_call_addr;
    uint32_t ssi_arch;
    uint8_t __pad[28];
};
_Static_assert(sizeof(struct linux_signalfd_siginfo) == 128, "struct signalfd_siginfo is 128 bytes");
/* rt_sigprocmask how */
#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

/* ---- poll and epoll (the EPOLL and POLL event values are the same bits) ---- */
#define POLLIN     0x0001
#define POLLPRI    0x0002
#define POLLOUT    0x0004
#define POLLERR    0x0008
#define POLLHUP    0x0010
#define POLLNVAL   0x0020
#define POLLRDNORM 0x0040
#define POLLRDBAND 0x0080
#define POLLWRNORM 0x0100
#define POLLWRBAND 0x0200
#define POLLRDHUP  0x2000
/* epoll_ctl operations and epoll-only event flags */
#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP    (1u << 29)
#define EPOLLONESHOT   (1u << 30)
#define EPOLLET        (1u << 31)
#define EPOLL_CLOEXEC O_CLOEXEC

/* ---- inotify ---- */
#define IN_ACCESS        0x00000001u
#define IN_MODIFY        0x00000002u
#define IN_ATTRIB        0x00000004u
#define IN_CLOSE_WRITE   0x00000008u
#define IN_CLOSE_NOWRITE 0x00000010u
#define IN_OPEN          0x00000020u
#define IN_MOVED_FROM    0x00000040u
#define IN_MOVED_TO      0x00000080u
#define IN_CREATE        0x00000100u
#define IN_DELETE        0x00000200u
#define IN_DELETE_SELF   0x00000400u
#define IN_MOVE_SELF     0x00000800u
#define IN_ALL_EVENTS    0x00000fffu
#define IN_UNMOUNT       0x00002000u
#define IN_Q_OVERFLOW    0x00004000u
#define IN_IGNORED       0x00008000u
#define IN_ONLYDIR       0x01000000u
#define IN_DONT_FOLLOW   0x02000000u
#define IN_EXCL_UNLINK   0x04000000u
#define IN_MASK_CREATE   0x10000000u
#define IN_MASK_ADD      0x20000000u
#define IN_ISDIR         0x40000000u
#define IN_ONESHOT       0x80000000u
#define IN_NONBLOCK      O_NONBLOCK
#define IN_CLOEXEC       O_CLOEXEC
struct linux_inotify_event {
    int32_t wd;
    uint32_t mask, cookie, len;
    char name[];               /* NUL-padded to a multiple of 16 bytes */
};

/* ---- sockets ---- */
#define AF_UNSPEC 0
#define AF_UNIX   1
#define AF_INET   2
#define AF_INET6  10
#define AF_NETLINK 16
#define SOCK_STREAM 1
#define SOCK_DGRAM  2
#define SOCK_RAW       3
#define SOCK_SEQPACKET 5
/* send/recv flags */
#define MSG_OOB      0x1
#define MSG_PEEK     0x2
#define MSG_TRUNC    0x20
#define MSG_DONTWAIT 0x40
#define MSG_EOR      0x80
#define MSG_WAITALL  0x100
#define MSG_ERRQUEUE 0x2000
#define MSG_NOSIGNAL 0x4000
#define MSG_MORE     0x8000
#define SHUT_RD   0
#define SHUT_WR   1
#define SHUT_RDWR 2
#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK  O_NONBLOCK
#define SOCK_CLOEXEC   O_CLOEXEC
#define SOCK_MAX       11
#define NPROTO         46
/* protocols */
#define IPPROTO_IP     0
#define IPPROTO_MAX    256
#define IP_TOS         1
#define IPPROTO_ICMP   1
#define IPPROTO_TCP    6
#define IPPROTO_UDP    17
#define IPPROTO_IPV6   41
#define IPPROTO_ICMPV6 58
#define IPPROTO_UDPLITE 136  /* also its option level, SOL_UDPLITE */
#define UDPLITE_SEND_CSCOV 10
#define UDPLITE_RECV_CSCOV 11
/* socket option levels and names */
#define SOL_SOCKET     1
#define SCM_RIGHTS     1
#define SCM_CREDENTIALS 2
#define SCM_MAX_FD     253
#define MSG_CTRUNC     0x08
#define MSG_WAITFORONE 0x10000      /* recvmmsg: MSG_DONTWAIT after the first message */
#define MSG_CMSG_CLOEXEC 0x40000000
#define SO_REUSEADDR   2
#define SO_TYPE        3
#define SO_ERROR       4
#define SO_BROADCAST   6
#define SO_SNDBUF      7
#define SO_RCVBUF      8
#define SO_KEEPALIVE   9
#define SO_OOBINLINE   10
#define SO_REUSEPORT   15
#define SO_RCVTIMEO    20
#define SO_SNDTIMEO    21
#define SO_ACCEPTCONN  30
#define SO_PROTOCOL    38
#define SO_DOMAIN      39
#define SO_LINGER      13
#define SO_PASSCRED    16
#define SO_PEERCRED    17
#define SO_RCVLOWAT    18
#define SO_SNDLOWAT    19
#define TCP_NODELAY    1
#define TCP_CORK       3
#define TCP_INFO       11
#define TCP_KEEPIDLE   4
#define TCP_KEEPINTVL  5
#define TCP_KEEPCNT    6
#define IPV6_V6ONLY    26
#define IP_RECVERR     11
#define IPV6_RECVERR   25
#define IPV6_RECVHOPLIMIT 51
#define IPV6_HOPLIMIT  52
#define IPV6_RECVTCLASS 66
#define IPV6_TCLASS    67

struct linux_msghdr {
    uint64_t name;
    int32_t namelen;
    uint64_t iov;
    uint64_t iovlen;
    uint64_t control;
    uint64_t controllen;
    int32_t flags;
};
