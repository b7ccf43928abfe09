/* The saved register state of an exception, as laid out by vectors.S. */
#pragma once
#include <stdint.h>

struct trap_frame {
    uint64_t x[31];
    uint64_t sp_el0;
    uint64_t elr;
    uint64_t spsr;
};

enum trap_kind { TRAP_SYNC = 0, TRAP_IRQ = 1, TRAP_FIQ = 2, TRAP_SERROR = 3 };
enum trap_from { FROM_EL1_SP0 = 0, FROM_EL1 = 1, FROM_EL0_64 = 2, FROM_EL0_32 = 3 };

void trap_handle(struct trap_frame *f, uint64_t kind, uint64_t from);
