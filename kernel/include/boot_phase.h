/* Where the boot's time goes: kmain marks the end of each phase; the marks become one line,
 * `boot: phases (ms): ...` among the boot diagnostics (`--verbose`) and `profile: boot phases
 * (ms): ...` in the profile report (`--kopt profile`, which times a quiet boot: printing the
 * diagnostics on the way costs a verbose boot milliseconds of its own under TCG). */
#pragma once
#include <stddef.h>

/* The phase `name` (a string literal) ended now; it began where the previous one ended. */
void boot_phase(const char *name);
/* " NAME T, NAME T" (ms), in the order the phases ran, into buf (always terminated). */
void boot_phases_format(char *buf, size_t size);
