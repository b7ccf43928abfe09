/* Cache maintenance for instruction fetch from memory the kernel or the program wrote
 * (docs/kernel.md's "Cache maintenance" says what each operation protects against). The MMU-off cases
 * live in head.S, where they have to run. */
#pragma once
#include <stdint.h>

/* Make [va, va + len), just written through the data side, safe to execute: D-cache clean to
 * the point of unification, then I-cache invalidate, each skipped when CTR_EL0 says the CPU
 * does not need it (IDC, DIC). */
void cache_sync_for_exec(const void *va, uint64_t len);
