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

/* The generic numbers we do not implement, for the one-time ENOSYS line's name (the 32-bit
 * time64 calls, 403-423, do not exist on a 64-bit kernel). */
static const struct { uint16_t nr; const char *name; } unimplemented[] = {
    { 18, "lookup_dcookie" }, { 39, "umount2" }, { 40, "mount" },
    { 41, "pivot_root" }, { 42, "nfsservctl" }, { 58, "vhangup" }, { 60, "quotactl" },
    { 89, "acct" }, { 97, "unshare" }, { 104, "kexec_load" }, { 105, "init_module" },
    { 106, "delete_module" }, { 117, "ptrace" }, { 217, "add_key" }, { 218, "request_key" },
    { 219, "keyctl" }, { 224, "swapon" }, { 225, "swapoff" }, { 234, "remap_file_pages" },
    { 241, "perf_event_open" }, { 262, "fanotify_init" }, { 263, "fanotify_mark" },
    { 264, "name_to_handle_at" }, { 265, "open_by_handle_at" }, { 268, "setns" },
    { 273, "finit_module" }, { 280, "bpf" }, { 282, "userfaultfd" },
    { 294, "kexec_file_load" }, { 425, "io_uring_setup" }, { 426, "io_uring_enter" },
    { 427, "io_uring_register" }, { 428, "open_tree" }, { 429, "move_mount" }, { 430, "fsopen" },
    { 431, "fsconfig" }, { 432, "fsmount" }, { 433, "fspick" }, { 440, "process_madvise" },
    { 442, "mount_setattr" }, { 443, "quotactl_fd" }, { 444, "landlock_create_ruleset" },
    { 445, "landlock_add_rule" }, { 446, "landlock_restrict_self" }, { 447, "memfd_secret" },
    { 448, "process_mrelease" },
};

const char *syscall_name(uint64_t nr)
{
    if (nr < ARRAY_SIZE(table) && table[nr].name)
        return table[nr].name;
    for (size_t i = 0; i < ARRAY_SIZE(unimplemented); i++)
        if (unimplemented[i].nr == nr)
            return unimplemented[i].name;
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
