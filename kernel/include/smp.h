/* More than one CPU: bring-up from the device tree, inter-processor interrupts (IPIs, GIC
 * SGIs), and stopping the others before a panic or power-off. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct cpu;

/* SGI numbers the kernel uses. */
#define IPI_RESCHEDULE 0   /* look at the run list again (a wake-up, a signal, an affinity change) */
#define IPI_STOP       1   /* park for good: another CPU panics or powers off */

/* Very first thing in kmain: the boot CPU becomes cpus[0]. */
void smp_init_boot_cpu(void);
/* Start every other CPU the device tree's /cpus lists, through PSCI CPU_ON; each gets a bounded
 * time to come up, and one that does not is reported and left out. */
void smp_boot_secondaries(void);
/* Send IPI_RESCHEDULE to the CPUs in mask (bit n: cpus[n]). */
void smp_send_reschedule(uint64_t mask);
/* Every other CPU stops (IPI_STOP; one spinning on the kernel lock parks there). Returns at
 * once: nothing they do afterwards can reach the console or the program. */
void smp_stop_others(void);
/* Called while spinning on a lock: parks the CPU when smp_stop_others was called. */
void smp_park_if_stopping(void);
/* head.S's secondary CPU path ends here, MMU on, on its own stack. */
__attribute__((noreturn)) void smp_secondary_start(int id);
