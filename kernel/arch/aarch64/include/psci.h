/* PSCI (Arm Power State Coordination Interface): power off, CPU bring-up later. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

enum psci_conduit { PSCI_NONE, PSCI_HVC, PSCI_SMC };

void psci_init(enum psci_conduit conduit);
enum psci_conduit psci_conduit(void);
uint32_t psci_version(void);
#define PSCI_E_NOT_SUPPORTED (-1)
/* CPU_ON: the CPU with that MPIDR starts at entry_pa (MMU off) with x0 = context. 0 when it
 * was started; a PSCI error code (negative) otherwise (-4: already on, -2: bad parameters). */
int psci_cpu_on(uint64_t target_mpidr, uint64_t entry_pa, uint64_t context);
/* SYSTEM_OFF carrying the exit report of docs/host-kernel-contract.md in x4..x6
 * (and x1..x3, which KVM overwrites). */
__attribute__((noreturn)) void psci_system_off(int status, int kind);
