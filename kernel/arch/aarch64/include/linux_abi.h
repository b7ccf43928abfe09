/* The aarch64 part of the Linux user ABI: what arm64 Linux defines for itself (its open flags keep
 * ARM's values; struct stat; its auxv keys). arm64 uses the generic syscall table; the constants
 * and structures every architecture shares are in linux_uapi.h, included here so that a file
 * needing the ABI includes this one header. The signal frame is in signal_frame.c. */
#pragma once
#include <stdint.h>
#include "linux_uapi.h"

/* open(2) flags: arch/arm64/include/uapi/asm/fcntl.h */
#define O_ACCMODE    00000003
#define O_RDONLY     00000000
#define O_WRONLY     00000001
#define O_RDWR       00000002
#define O_CREAT      00000100
#define O_EXCL       00000200
#define O_NOCTTY     00000400
#define O_TRUNC      00001000
#define O_APPEND     00002000
#define O_NONBLOCK   00004000
#define O_ASYNC      00020000     /* FASYNC: SIGIO to the owner when the file becomes ready */
#define O_DSYNC      00010000
#define O_DIRECTORY  00040000
#define O_NOFOLLOW   00100000
#define O_DIRECT     00200000
#define O_LARGEFILE  00400000
#define O_NOATIME    01000000
#define O_CLOEXEC    02000000
#define O_PATH       010000000
#define O_TMPFILE    (020000000 | O_DIRECTORY)

/* struct stat: include/uapi/asm-generic/stat.h (arm64 uses the generic layout), 128 bytes. */
struct linux_stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint32_t st_mode;
    uint32_t st_nlink;
    uint32_t st_uid;
    uint32_t st_gid;
    uint64_t st_rdev;
    uint64_t __pad1;
    int64_t st_size;
    int32_t st_blksize;
    int32_t __pad2;
    int64_t st_blocks;
    int64_t st_atime_sec;
    uint64_t st_atime_nsec;
    int64_t st_mtime_sec;
    uint64_t st_mtime_nsec;
    int64_t st_ctime_sec;
    uint64_t st_ctime_nsec;
    uint32_t __unused4;
    uint32_t __unused5;
};
_Static_assert(sizeof(struct linux_stat) == 128, "arm64 struct stat is 128 bytes");

/* auxiliary vector keys: arch/arm64/include/uapi/asm/auxvec.h */
#define AT_MINSIGSTKSZ 51

/* seccomp_data.arch and SIGSYS's si_arch: AUDIT_ARCH_AARCH64 (EM_AARCH64, 64-bit, little-endian). */
#define AUDIT_ARCH_CURRENT 0xc00000b7u
