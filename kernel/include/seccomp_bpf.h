/* Classic BPF programs as seccomp filters (kernel/proc/seccomp_bpf.c). */
#pragma once
#include <stdint.h>

#define BPF_MAXINSNS 4096

/* include/uapi/linux/filter.h */
struct sock_filter {
    uint16_t code;
    uint8_t jt, jf;
    uint32_t k;
};

/* include/uapi/linux/seccomp.h: what a filter sees of a system call. */
struct seccomp_data {
    int32_t nr;
    uint32_t arch;
    uint64_t instruction_pointer;
    uint64_t args[6];
};

/* 0, or -EINVAL for a program seccomp would refuse (see the file's invariant). */
int seccomp_bpf_check(const struct sock_filter *prog, unsigned int len);
/* The program's verdict (SECCOMP_RET_*) for data; prog passed seccomp_bpf_check. */
uint32_t seccomp_bpf_run(const struct sock_filter *prog, const struct seccomp_data *data);
