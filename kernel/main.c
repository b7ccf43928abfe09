/* kmain: the order subsystems come up in, and the one line each reports. */
#include "kernel.h"
#include "profile.h"
#include "arch.h"
#include "boot.h"
#include "block.h"
#include "bootargs.h"
#include "dt.h"
#include "mm.h"
#include "pci.h"
#include "virtio.h"
#include "platform.h"
#include "timer.h"
#include "vfs.h"
#include "file.h"
#include "kfile.h"
#include "random.h"
#include "run.h"
#include "selftest.h"
#include "net.h"
#include <string.h>
#include "smp.h"
#include "cpu.h"
#include "kernel_lock.h"
#include "boot_phase.h"


/* Count timer interrupts over a busy-waited interval: proves counter, timer, GIC and the
 * exception vectors all work together. A loaded host can hold QEMU's timer back past the 100 ms
 * (the counter follows the host's clock), so when none came by then the wait goes on for the first
 * one, up to 2 s, before the timer is declared broken. */
static void measure_ticks(void)
{
    uint64_t start = counter_now(), span = counter_freq() / 10, limit = 2 * counter_freq();
    uint64_t t0 = timer_ticks();
    arch_irq_enable();
    while (counter_now() - start < span || (timer_ticks() == t0 && counter_now() - start < limit))
        ;
    uint64_t n = timer_ticks() - t0, ms = (counter_now() - start) * 1000 / counter_freq();
    kinfo("ticks: %lu in %lu ms\n", n, ms < 100 ? 100 : ms);
    if (n == 0)
        panic("timer: no tick arrived in 2 s (interrupt controller or timer misconfigured)");
}

static void report_memory(void)
{
    uint64_t total = 0;
    for (int i = 0; i < boot_info.mem_count; i++)
        total += boot_info.mem[i].size;
    kinfo("mem: %lu MiB (%d range%s), %lu MiB free, kernel at %#lx\n", total >> 20, boot_info.mem_count,
          boot_info.mem_count == 1 ? "" : "s", (page_free_count() * PAGE_SIZE) >> 20, boot_info.load_pa);
}

/* A heap smoke check at boot: catches a broken allocator before anything depends on it. */
static void check_heap(void)
{
    void *small = kmalloc(24), *large = kmalloc(3 * PAGE_SIZE);
    uint64_t before = page_free_count();
    if (!small || !large)
        panic("heap: allocation failed at boot");
    kfree(large);
    kfree(small);
    if (page_free_count() != before + 3 + 1)   /* three pages plus the header's page */
        panic("heap: freeing a large block did not return its pages");
}

/* The mount= arguments: each names a disk by the name its driver gave it. */
static void mount_volumes(void)
{
    for (int i = 0; i < bootargs.mount_count; i++) {
        const struct boot_mount *m = &bootargs.mounts[i];
        struct block_device *bd = NULL;
        for (unsigned n = 0; (bd = block_device_nth(n)) && strcmp(bd->name, m->disk); n++)
            ;
        if (!bd)
            panic("volume: no disk %s for %s", m->disk, m->path);
        int err = vfs_mount_volume(bd, m->path, m->read_only);
        if (err)
            panic("volume: cannot mount %s at %s (error %d)", m->disk, m->path, -err);
    }
}

/* The host attached an image (`program`) but the boot found no root to run it from: a powered-off
 * guest with status 0 would look like a program that ran and succeeded. (A disk that is not a
 * program image already stopped the boot in vfs_mount_root or gpt_tfs_partition.) */
static __attribute__((noreturn)) void no_program(void)
{
    kinfo_replay();
    if (bootargs.blktest)
        kprintf("boot: no program to run: blktest reads the disk raw, mounting no image\n");
    else
        kprintf("boot: no program to run: no disk found (the image's virtio-blk device did not appear)\n");
    kernel_exit(127, EXIT_KERNEL_ERROR);   /* 127: the program is not there, as a shell says */
}

void kmain(uint64_t dtb_pa)
{
    if (boot_info.error != BOOT_OK)
        platform_poweroff(100 + boot_info.error, EXIT_KERNEL_ERROR); /* no console yet: status says why */

    smp_init_boot_cpu();
    kernel_lock();   /* held by this CPU until it first idles or enters user space */
    arch_mmu_init();
    boot_phase("mmu");
    dt_init(phys_to_virt(dtb_pa));
    boot_phase("dt");
    page_alloc_init();
    boot_phase("pages");
    platform_init_console();
    bootargs_parse();
    kinfo_enabled = bootargs.verbose || !bootargs.quiet;
    kinfo("unibuild kernel " KERNEL_VERSION " (" KERNEL_PLATFORM ", " KERNEL_ARCH ")\n");
    boot_phase("console");   /* the UART, the arguments and the first line */
    platform_init();
    boot_phase("platform");
    random_init();
    boot_phase("random");

    char cpu[96];
    arch_cpu_describe(cpu, sizeof(cpu));
    kinfo("el: entered at EL%u, running at EL%u\n", boot_info.entry_el, arch_current_el());
    kinfo("cpu: %s\n", cpu);
    report_memory();
    check_heap();
    boot_phase("heap");
    uint64_t diag_start = counter_now();
    if (!bootargs.quiet)
        measure_ticks();   /* a deliberate 100 ms wait: a diagnostic, not part of the boot time */
    else
        arch_irq_enable();
    uint64_t diag = counter_now() - diag_start;
    boot_phase("ticks");
    /* After the tick measurement, which would count the ticks bring-up kept masked; its time is
     * part of the boot time. */
    smp_boot_secondaries();
    boot_phase("smp");
    /* devices: (each driver family's init goes on its own line below) */
    pci_init();
    boot_phase("pci");
    virtio_mmio_init();
    boot_phase("mmio");
    devfs_init();   /* the kernel's own /dev files */
    procfs_init();
    procfs_pid_init();
    cpuinfo_init(); /* /sys/devices/system/cpu */
    boot_phase("kfiles");
    /* TFS at /: the first disk, or its TFS partition when it is a GPT disk; blktest disks are raw. */
    if (block_device_first() && !bootargs.blktest) vfs_mount_root(block_device_first());
    mount_volumes();
    boot_phase("root");
    kfile_publish();   /* /proc, /dev, /sys in the tree */
    devfs_publish_shm();
    if (boot_manifest() && boot_manifest()->tfstest)
        selftest_tfs(boot_manifest()->tfstest);
    net_init();   /* after the root: the manifest may hold a static address */
    boot_phase("net");
    profile_init();
    boot_phase("profile");

    /* From the kernel's first instruction to the program's start, devices and root included,
     * without the diagnostic wait: the kernel's share of QEMU start -> first output. */
    uint64_t us = counter_to_ns(counter_now() - boot_info.entry_counter - diag) / 1000;
    uint64_t devices_us = counter_to_ns(counter_now() - diag_start - diag) / 1000;
    kinfo("boot: ready in %lu.%03lu ms\n", us / 1000, us % 1000);
    kinfo("boot: of which devices, root and network %lu.%03lu ms\n", devices_us / 1000, devices_us % 1000);
    /* The counter starts with the machine (QEMU's virtual clock, which stands still while the
     * VM is paused): what ran before our first instruction, i.e. the firmware under UEFI. */
    uint64_t before_us = counter_to_ns(boot_info.entry_counter) / 1000;
    kinfo("boot: entered %lu.%03lu ms after the machine started\n", before_us / 1000, before_us % 1000);
    char phases[384];
    boot_phases_format(phases, sizeof(phases));
    kinfo("boot: phases (ms):%s\n", phases);

    if (bootargs.selftest_fault)
        selftest_fault();

    if (bootargs.exit_status >= 0)   /* a test hook: the boot itself is what was asked for */
        kernel_exit(bootargs.exit_status, EXIT_NO_PROGRAM);
    const struct boot_manifest *m = boot_manifest();
    if (m && m->program) {
        if (m->debug)
            kinfo_enabled = true;
        run_program(m);
    }
    if (bootargs.program)
        no_program();
    kernel_exit(0, EXIT_NO_PROGRAM);   /* no image and none asked for: the kernel smoke test */
}
