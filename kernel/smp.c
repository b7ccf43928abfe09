/* SMP bring-up and IPIs. The boot CPU walks /cpus and starts each CPU with PSCI CPU_ON, one at
 * a time, waiting a bounded time for it to say it is online; each secondary sets up what is per
 * CPU (MMU registers, vectors — head.S —, its GIC CPU interface or redistributor, its timer),
 * then joins the scheduler in its idle loop. */
#include "kernel.h"
#include "smp.h"
#include "cpu.h"
#include "arch.h"
#include "dt.h"
#include "irq.h"
#include "mm.h"
#include "timer.h"
#include "sched.h"
#include "kernel_lock.h"
#include "spinlock.h"
#include <string.h>

#define SECONDARY_STACK_PAGES 4
/* QEMU TCG starts a vCPU in well under 10 ms; nested under KVM on a loaded host the vCPU's
 * thread may wait for a CPU far longer. 5 s, as Linux's arm64 __cpu_up waits. */
#define BRINGUP_TIMEOUT_MS    5000

struct cpu cpus[MAX_CPUS];
uint64_t cpus_online_mask = 1;
int cpus_online = 1;
static volatile bool stopping;

extern char boot_stack_top[];

void smp_init_boot_cpu(void)
{
    struct cpu *c = &cpus[0];
    c->id = 0;
    c->hwid = arch_cpu_hwid();
    c->ident = arch_cpu_ident();
    c->stack_top = (uint64_t)boot_stack_top;
    c->online = true;
    arch_set_this_cpu(c);
    spin_probe_atomics();              /* before the first kernel_lock */
}

static void reschedule_ipi(void *arg)
{
    /* Nothing to do here: taking the interrupt is the point. From user space the trap path
     * then runs sched_preempt and signal delivery; an idle CPU looks at the run list again. */
}

static __attribute__((noreturn)) void park(void)
{
    arch_irq_disable();
    for (;;)
        arch_wait_for_interrupt();
}

static void stop_ipi(void *arg) { park(); }

void smp_park_if_stopping(void)
{
    if (stopping)
        park();
}

void smp_stop_others(void)
{
    if (cpus_online == 1 || stopping)
        return;
    stopping = true;
    __asm__ volatile("dsb ish\n sev" ::: "memory");   /* wake CPUs spinning on a lock in WFE */
    for (int i = 0; i < MAX_CPUS; i++)
        if ((cpus_online_mask & (1ULL << i)) && &cpus[i] != this_cpu())
            irq_send_sgi(i, IPI_STOP);
}

void smp_send_reschedule(uint64_t mask)
{
    mask &= cpus_online_mask;
    for (int i = 0; mask; i++, mask >>= 1)
        if (mask & 1)
            irq_send_sgi(i, IPI_RESCHEDULE);
}

void smp_secondary_start(int id)
{
    struct cpu *c = &cpus[id];
    arch_set_this_cpu(c);
    if (spin_lse && !spin_cpu_has_lse()) {
        /* Its LL/SC takes would not be atomic against the others' LSE ones: it stays out. */
        __atomic_store_n(&c->lacks_atomics, true, __ATOMIC_RELEASE);
        park();
    }
    arch_cpu_init_secondary();
    c->ident = arch_cpu_ident();
    irq_cpu_init();
    timer_cpu_init();
    c->online_at = counter_now();
    __atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
    kernel_lock();
    sched_idle_loop();
}

/* The MPIDR a /cpus child names in its reg (one or two cells, per /cpus #address-cells). */
static bool cpu_hwid(int node, int cells, uint64_t *hwid)
{
    int len;
    const uint32_t *reg = dt_prop(node, "reg", &len);
    if (!reg || cells < 1 || cells > 2 || len < cells * 4)
        return false;
    *hwid = dt_cells(reg, cells);
    return true;
}

static bool start_one(struct cpu *c)
{
    uint64_t stack = page_alloc(SECONDARY_STACK_PAGES);
    if (!stack) {
        kprintf("smp: cpu %d (mpidr %#lx): no memory for its stack; left out\n", c->id, c->hwid);
        return false;
    }
    c->stack_top = (uint64_t)phys_to_virt(stack) + SECONDARY_STACK_PAGES * PAGE_SIZE;
    if (!arch_cpu_start(c))
        return false;                  /* kept: the stack may yet be in use */
    uint64_t deadline = counter_now() + counter_freq() / 1000 * BRINGUP_TIMEOUT_MS;
    while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE)) {
        if (__atomic_load_n(&c->lacks_atomics, __ATOMIC_ACQUIRE)) {
            kprintf("smp: cpu %d (mpidr %#lx) lacks the LSE atomics the boot cpu's locks use; left out\n",
                    c->id, c->hwid);
            return false;
        }
        if (counter_now() > deadline) {
            kprintf("smp: cpu %d (mpidr %#lx) did not come up within %d ms; left out\n", c->id,
                    c->hwid, BRINGUP_TIMEOUT_MS);
            return false;
        }
    }
    return true;
}

void smp_boot_secondaries(void)
{
    irq_register(IPI_RESCHEDULE, reschedule_ipi, NULL);
    irq_register(IPI_STOP, stop_ipi, NULL);
    cpus[0].online_at = counter_now();
    kinfo("smp: cpu 0 (mpidr %#lx) online, the boot cpu; locks use %s\n", cpus[0].hwid,
          spin_lse ? "LSE atomics" : "LDAXR/STXR");
    if (kinfo_enabled) {
        /* What every kernel entry now pays: no other CPU runs yet, so this is uncontended.
         * Masked, as the lock always is taken: an interrupt between a take and its owner being
         * recorded would see the lock free of this CPU and queue behind itself. */
        uint64_t daif = arch_irq_save(), start = counter_now();
        for (int i = 0; i < 10000; i++) {
            kernel_unlock();
            kernel_lock();
        }
        arch_irq_restore(daif);
        kinfo("smp: kernel lock release+take %lu ns uncontended\n", counter_to_ns(counter_now() - start) / 10000);
    }
    int parent = dt_path_offset("/cpus");
    if (parent < 0) {
        kinfo("smp: no /cpus node; one cpu\n");
        return;
    }
    int cells = dt_address_cells(parent), next_id = 1, listed = 0;
    for (int node = dt_first_child(parent); node >= 0; node = dt_next_sibling(node)) {
        const char *type = dt_string(node, "device_type");
        uint64_t hwid;
        if (!type || strcmp(type, "cpu"))
            continue;
        listed++;
        if (!cpu_hwid(node, cells, &hwid)) {
            kprintf("smp: %s has no usable reg; left out\n", dt_node_name(node));
            continue;
        }
        if (hwid == cpus[0].hwid)
            continue;
        const char *method = dt_string(node, "enable-method");
        if (!method || strcmp(method, "psci")) {
            kprintf("smp: cpu mpidr %#lx has enable-method %s, not psci; left out\n", hwid,
                    method ? method : "(none)");
            continue;
        }
        if (next_id == MAX_CPUS) {
            kprintf("smp: more than %d cpus; mpidr %#lx and later left out\n", MAX_CPUS, hwid);
            break;
        }
        struct cpu *c = &cpus[next_id];
        c->id = next_id++;
        c->hwid = hwid;
        if (!start_one(c))
            continue;
        cpus_online_mask |= 1ULL << c->id;
        cpus_online++;
        kinfo("smp: cpu %d (mpidr %#lx) online\n", c->id, c->hwid);
    }
    kinfo("smp: %d of %d cpus online\n", cpus_online, listed ? listed : 1);
}
