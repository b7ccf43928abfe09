/* Parsed kernel arguments. */
#pragma once
#include <stdbool.h>

struct bootargs {
    bool verbose;
    bool quiet;        /* a program runs: boot diagnostics only on error or with verbose */
    bool selftest_fault;
    bool blktest;      /* blktest: checksum parts of the first disk at boot (host boot test) */
    bool nettest_echo; /* nettest=echo: TCP echo on port 7 for one connection (host network test) */
    bool msi_off;      /* msi=off: PCI devices use INTx even when an MSI controller exists */
    int exit_status;   /* exit=N: power off with N after boot (-1: not given) */
};

extern struct bootargs bootargs;
void bootargs_parse(void);
