/* Kernel-time profile (kernel option profile=1). Counter ticks are summed per syscall number and
 * per event kind; the report sorts syscalls by total time, as strace -c does, so the first line
 * is where to look. Time inside a blocking call includes its sleep: epoll_pwait's share says how
 * long the program waited, the busy/idle line of memstats says how much of that the CPU idled. */
#include "kernel.h"
#include "bootargs.h"
#include "boot_phase.h"
#include "irq.h"
#include "net.h"
#include "profile.h"
#include "syscall.h"
#include "timer.h"
#include "vfs.h"

#define NR_SLOTS 512

struct tally {
    uint64_t calls, errors, counts;
};

bool profile_enabled;
static struct tally syscalls[NR_SLOTS], events[PROFILE_EVENTS];
static const char *const event_names[PROFILE_EVENTS] = {
    [PROFILE_IRQ] = "interrupts",
    [PROFILE_NET_POLL] = "network polls after an interrupt in user mode",
    [PROFILE_PAGE_FAULT] = "page faults",
    [PROFILE_VIRTIO_NOTIFY] = "virtio doorbell writes",
    [PROFILE_VIRTIO_ISR_READ] = "virtio ISR reads (INTx)",
    [PROFILE_NET_RECEIVE] = "network receive passes (frames into lwIP, with its answers)",
    [PROFILE_NET_OUTPUT] = "deferred TCP output passes (segments built from send()s)",
};

bool trace_enabled;

static uint64_t us(uint64_t counts) { return counter_to_ns(counts) / 1000; }
static uint64_t program_marks[PROGRAM_MARKS];   /* counter values; 0: not reached */

void profile_program_mark(enum program_mark m)
{
    if (profile_enabled && !program_marks[m])
        program_marks[m] = counter_now();
}

static void report_program_marks(void)
{
    uint64_t *t = program_marks;
    if (!t[PROGRAM_EXEC_START] || !t[PROGRAM_EXEC_DONE])
        return;
    uint64_t exec = us(t[PROGRAM_EXEC_DONE] - t[PROGRAM_EXEC_START]);
    uint64_t out = t[PROGRAM_FIRST_OUTPUT] ? us(t[PROGRAM_FIRST_OUTPUT] - t[PROGRAM_EXEC_DONE]) : 0;
    uint64_t end = us(counter_now() - t[PROGRAM_EXEC_DONE]);
    kprintf("profile: program (ms): exec %lu.%02lu, then to its first output %lu.%02lu, to its exit %lu.%02lu\n",
            exec / 1000, exec % 1000 / 10, out / 1000, out % 1000 / 10, end / 1000, end % 1000 / 10);
}

void profile_init(void)
{
    const struct boot_manifest *m = boot_manifest();
    profile_enabled = m && m->profile;
    trace_enabled = m && m->trace;
    missing_enabled = m && m->missing_files;
}

void profile_syscall(uint64_t nr, uint64_t counts, int64_t result)
{
    struct tally *t = &syscalls[nr < NR_SLOTS ? nr : NR_SLOTS - 1];
    t->calls++;
    t->counts += counts;
    if (result < 0 && result >= -4095)
        t->errors++;
}

void profile_event(enum profile_event e, uint64_t counts)
{
    events[e].calls++;
    events[e].counts += counts;
}


void profile_report(void)
{
    if (!profile_enabled)
        return;
    uint64_t total = 0;
    for (int i = 0; i < NR_SLOTS; i++)
        total += syscalls[i].counts;
    char phases[384];
    boot_phases_format(phases, sizeof(phases));
    kprintf("profile: boot phases (ms):%s\n", phases);
    report_program_marks();
    kprintf("profile: %% time     total us    us/call      calls    errors syscall\n");
    /* Selection by repeated maximum: at most a few dozen numbers are ever used. */
    bool shown[NR_SLOTS] = { false };
    for (;;) {
        int best = -1;
        for (int i = 0; i < NR_SLOTS; i++)
            if (syscalls[i].calls && !shown[i] && (best < 0 || syscalls[i].counts > syscalls[best].counts))
                best = i;
        if (best < 0)
            break;
        shown[best] = true;
        const struct tally *t = &syscalls[best];
        uint64_t permille = total ? t->counts * 1000 / total : 0;
        kprintf("profile: %3lu.%lu %12lu %10lu %10lu %9lu %s\n", permille / 10, permille % 10, us(t->counts),
                us(t->counts) / t->calls, t->calls, t->errors, best == NR_SLOTS - 1 ? "(other)" : syscall_name(best));
    }
    for (int e = 0; e < PROFILE_EVENTS; e++)
        if (events[e].calls)
            kprintf("profile: %lu %s, %lu us (%lu us each)\n", events[e].calls, event_names[e],
                    us(events[e].counts), us(events[e].counts) / events[e].calls);
    irq_print_counts("profile:");
    net_profile_report("profile:");
}
