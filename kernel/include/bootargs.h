/* The kernel's options: the command line (struct bootargs) and the image's boot manifest. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define BOOT_MAX_MOUNTS 16

struct bootargs {
    bool verbose;
    bool quiet;        /* a program runs: boot diagnostics only on error or with verbose */
    bool selftest_fault;
    bool blktest;      /* blktest: checksum parts of the first disk at boot (host boot test) */
    bool nettest_echo; /* nettest=echo: TCP echo on port 7 for one connection (host network test) */
    bool nettest_http; /* nettest=http: websrv's page on port 8080 from lwIP itself (bench/net_floor.py) */
    bool msi_off;      /* msi=off: PCI devices use INTx even when an MSI controller exists */
    bool pci_off;      /* pci=off: the PCI host bridge is neither set up nor scanned (Linux's pci=off) */
    bool program;      /* program: a program must run (an image is attached); finding none is an error */
    int exit_status;   /* exit=N: power off with N after boot (-1: not given) */
    /* notty=0,1,2: the standard descriptors the host does not give a terminal (a pipe or a file):
     * the program's are pipes there, not the console (bit n: descriptor n) */
    unsigned notty;
    /* mount=DISK:PATH[:ro] (repeatable): a volume on that disk (vdb, ...) mounted at PATH */
    struct boot_mount {
        char disk[8];
        char path[256];
        bool read_only;
    } mounts[BOOT_MAX_MOUNTS];
    int mount_count;
    const char *cmdline;   /* the whole command line, as /proc/cmdline shows it ("" without one) */
};

extern struct bootargs bootargs;
void bootargs_parse(void);

/* The boot manifest stored in the image's root tuple. */
struct boot_manifest {
    const char *program;       /* absolute path inside the image */
    int argc;
    const char *const *argv;
    int envc;
    const char *const *envp;   /* "KEY=VALUE" */
    bool debug;                /* kernel option: boot diagnostics on the console */
    bool memstats;             /* kernel option: memory use on the console when the program exits */
    bool profile;              /* kernel option: where kernel time went, when the program exits */
    bool trace;                /* kernel option strace: every system call on the console */
    bool missing_files;        /* kernel option missing_files: paths that were ENOENT, at exit */
    bool noaslr;               /* kernel option: the same address-space layout on every boot */
    bool novdso;               /* kernel option: no vDSO, every clock read is a system call */
    const char *ip, *netmask, *gateway;   /* kernel options: static IPv4 address (NULL: DHCP) */
    const char *cwd;           /* kernel option: the program's working directory (NULL: /) */
    const char *tfstest;       /* kernel option: paths the tfstest self-test prints (NULL: none) */
};
/* NULL until the root is mounted (or when there is no image). */
const struct boot_manifest *boot_manifest(void);
struct tfs_boot;
void bootargs_read_manifest(const struct tfs_boot *boot);
