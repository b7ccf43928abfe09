/* Boot phase timing from the virtual counter, which starts with the machine: the first phase
 * begins at the kernel's first instruction (boot_info.entry_counter). A fixed array, since kmain
 * has a dozen phases; marks past its end are dropped, never a failed boot. */
#include "kernel.h"
#include "boot.h"
#include "boot_phase.h"
#include "timer.h"

#define MAX_PHASES 24

static struct { const char *name; uint64_t end; } phases[MAX_PHASES];
static unsigned phase_count;

void boot_phase(const char *name)
{
    if (phase_count < MAX_PHASES)
        phases[phase_count++] = (typeof(phases[0])){ name, counter_now() };
}

void boot_phases_format(char *buf, size_t size)
{
    size_t n = 0;
    uint64_t start = boot_info.entry_counter;
    buf[0] = 0;
    for (unsigned i = 0; i < phase_count && n < size; i++) {
        uint64_t us = counter_to_ns(phases[i].end - start) / 1000;
        n += (size_t)snprintf(buf + n, size - n, "%s %s %lu.%02lu", i ? "," : "", phases[i].name,
                              us / 1000, us % 1000 / 10);
        start = phases[i].end;
    }
}
