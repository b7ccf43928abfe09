/* Parsed kernel arguments. */
#pragma once
#include <stdbool.h>

struct bootargs {
    bool verbose;
    bool selftest_fault;
    int exit_status;   /* exit=N: power off with N after boot (-1: not given) */
};

extern struct bootargs bootargs;
void bootargs_parse(void);
