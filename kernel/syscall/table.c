/* Which handler serves which aarch64 syscall number (include/uapi/asm-generic/unistd.h).
 * Anything not here is -ENOSYS, logged once per number with its name. */
#include "kernel.h"
#include "syscall.h"
#include "errno.h"
#include "profile.h"
#include "thread.h"
#include "timer.h"

#define X(nr, name) SYSCALL(name);
#include "syscall_list.h"
#undef X

struct syscall_entry {
    const char *name;
    syscall_fn fn;
};

static const struct syscall_entry table[] = {
#define X(nr, name) [nr] = { #name, sys_##name },
#include "syscall_list.h"
#undef X
};

/* Names of calls we do not implement yet, for the one-time -ENOSYS log line. */
static const struct { uint16_t nr; const char *name; } known_missing[] = {
    { 293, "rseq" },
};

const char *syscall_name(uint64_t nr)
{
    if (nr < ARRAY_SIZE(table) && table[nr].name)
        return table[nr].name;
    for (size_t i = 0; i < ARRAY_SIZE(known_missing); i++)
        if (known_missing[i].nr == nr)
            return known_missing[i].name;
    return "unknown";
}

static uint8_t logged[512 / 8];

int64_t syscall_dispatch(uint64_t nr, uint64_t a[6])
{
    if (nr < ARRAY_SIZE(table) && table[nr].fn) {
        if (!profile_enabled && !trace_enabled && !missing_enabled)
            return table[nr].fn(a[0], a[1], a[2], a[3], a[4], a[5]);
        uint64_t args[6] = { a[0], a[1], a[2], a[3], a[4], a[5] };   /* the call may change a[] */
        int tid = current_thread() ? current_thread()->tid : 0;
        bool traced = trace_enabled && trace_before_call(tid, nr, args);
        uint64_t start = counter_now();
        int64_t r = table[nr].fn(a[0], a[1], a[2], a[3], a[4], a[5]);
        if (profile_enabled)
            profile_syscall(nr, counter_now() - start, r);
        if (trace_enabled && !traced)
            trace_syscall(tid, nr, args, r);
        if (missing_enabled)
            missing_note(nr, args, r);
        return r;
    }
    if (nr >= 512 || !(logged[nr / 8] & (1u << (nr % 8)))) {
        if (nr < 512)
            logged[nr / 8] |= (uint8_t)(1u << (nr % 8));
        kinfo("syscall: %s (%lu) not implemented, returning ENOSYS\n", syscall_name(nr), nr);
    }
    if (trace_enabled)
        trace_syscall(current_thread() ? current_thread()->tid : 0, nr, a, -ENOSYS);
    return -ENOSYS;
}
