/* The QEMU virt board: walk the device tree for the console UART, interrupt controller, timer,
 * PSCI conduit and PCIe host bridge. Nothing here is a fixed address. */
#include "kernel.h"
#include "platform.h"
#include "console.h"
#include "dt.h"
#include "gic.h"
#include "psci.h"
#include "timer.h"
#include "pl011.h"
#include "pl031.h"
#include "pci_host.h"
#include "bootargs.h"
#include <string.h>

static const char *const pl011_compat[] = { "arm,pl011", NULL };
static const char *const gicv3_compat[] = { "arm,gic-v3", NULL };
static const char *const gicv2_compat[] = { "arm,cortex-a15-gic", "arm,gic-400", "arm,cortex-a9-gic", NULL };
static const char *const its_compat[] = { "arm,gic-v3-its", NULL };
static const char *const v2m_compat[] = { "arm,gic-v2m-frame", NULL };
static const char *const timer_compat[] = { "arm,armv8-timer", NULL };
static const char *const rtc_compat[] = { "arm,pl031", NULL };
static const char *const psci_compat[] = { "arm,psci-1.0", "arm,psci-0.2", "arm,psci", NULL };

/* /chosen/stdout-path names the console ("/pl011@9000000" or "/pl011@9000000:115200n8"). */
static int console_node(void)
{
    int chosen = dt_path_offset("/chosen");
    const char *path = chosen >= 0 ? dt_string(chosen, "stdout-path") : NULL;
    if (path) {
        char buf[128];
        size_t n = strnlen(path, sizeof(buf) - 1);
        memcpy(buf, path, n);
        buf[n] = 0;
        char *colon = strchr(buf, ':');
        if (colon)
            *colon = 0;
        int node = dt_path_offset(buf);
        if (node >= 0)
            return node;
    }
    return dt_find_compatible(pl011_compat);
}

void platform_init_console(void)
{
    uint64_t base, size;
    int node = console_node();
    if (node < 0 || !dt_reg(node, 0, &base, &size))
        platform_poweroff(1, EXIT_KERNEL_ERROR);   /* nothing to print on: report via exit status */
    pl011_init(base);
    console_register(pl011_putc);
}

/* The console's receive interrupt: the program's stdin arrives through it (console.c). */
static void init_console_input(void)
{
    uint32_t intid;
    int node = console_node();
    if (node < 0 || !dt_irq(node, 0, &intid)) {
        kinfo("console: no receive interrupt; the program's stdin stays empty\n");
        return;
    }
    pl011_enable_rx(intid);
}

static void init_psci(void)
{
    int node = dt_find_compatible(psci_compat);
    const char *method = node >= 0 ? dt_string(node, "method") : NULL;
    enum psci_conduit c = PSCI_NONE;
    if (method && !strcmp(method, "hvc"))
        c = PSCI_HVC;
    else if (method && !strcmp(method, "smc"))
        c = PSCI_SMC;
    psci_init(c);
    if (c == PSCI_NONE)
        kprintf("psci: not found in the device tree; power-off will not work\n");
    else {
        uint32_t v = psci_version();
        kinfo("psci: %s, version %u.%u\n", method, v >> 16, v & 0xffff);
    }
}

/* The MSI frame next to the GIC, when the board has one: a GICv3 ITS (QEMU virt's default, cloud
 * hosts) or a GICv2m frame (QEMU virt with gic-version=2, the Raspberry Pi 4). Without one, PCI
 * devices use INTx. */
static void init_msi(void)
{
    uint64_t base, size;
    int node = dt_find_compatible(its_compat);
    if (node >= 0 && dt_reg(node, 0, &base, &size)) {
        gicv3_its_init(base, size);
        return;
    }
    node = dt_find_compatible(v2m_compat);
    if (node >= 0 && dt_reg(node, 0, &base, &size)) {
        uint32_t spi_base, spi_count;
        bool has_base = dt_u32(node, "arm,msi-base-spi", &spi_base);
        bool has_count = dt_u32(node, "arm,msi-num-spis", &spi_count);
        gicv2m_init(base, size, has_base ? (int)spi_base : -1, has_count ? (int)spi_count : -1);
    }
}

static void init_gic(void)
{
    uint64_t d, dsz, r, rsz;
    int node = dt_find_compatible(gicv3_compat);
    if (node >= 0) {
        if (!dt_reg(node, 0, &d, &dsz) || !dt_reg(node, 1, &r, &rsz))
            panic("gic: v3 node without distributor/redistributor registers");
        gicv3_init(d, r, rsz);
        kinfo("gic: v3 dist %#lx redist %#lx\n", d, r);
        init_msi();
        return;
    }
    node = dt_find_compatible(gicv2_compat);
    if (node >= 0) {
        if (!dt_reg(node, 0, &d, &dsz) || !dt_reg(node, 1, &r, &rsz))
            panic("gic: v2 node without distributor/cpu-interface registers");
        gicv2_init(d, r);
        kinfo("gic: v2 dist %#lx cpu %#lx\n", d, r);
        init_msi();
        return;
    }
    panic("gic: no supported interrupt controller in the device tree");
}

static void init_timer(void)
{
    uint32_t intid;
    int node = dt_find_compatible(timer_compat);
    /* interrupts: secure phys, non-secure phys, virtual, hypervisor — we use the virtual timer. */
    if (node < 0 || !dt_irq(node, 2, &intid))
        panic("timer: no arm,armv8-timer node with a virtual timer interrupt");
    timer_init(intid);
    kinfo("timer: virtual, irq %u, counter %lu Hz, tick %u Hz\n", intid, counter_freq(), TICK_HZ);
}

/* /chosen/unibuild,efi-time (kernel/efi/efi_time.c): the firmware's time of day and the counter
 * when the EFI stub read it; the counter's progress since is added. False when absent. */
static bool efi_time(void)
{
    int len, chosen = dt_path_offset("/chosen");
    const uint32_t *v = chosen >= 0 ? dt_prop(chosen, "unibuild,efi-time", &len) : NULL;
    if (!v || len != 16)
        return false;
    uint64_t ns = dt_cells(v, 2), at = dt_cells(v + 2, 2), now = counter_now();
    time_set_realtime(ns + (now > at ? counter_to_ns(now - at) : 0));
    return true;
}

/* Wall-clock time from the PL031 when the board has one, else from the EFI firmware's GetTime
 * (ACPI on QEMU virt describes no RTC). */
static void init_rtc(void)
{
    uint64_t base, size;
    int node = dt_find_compatible(rtc_compat);
    if (node < 0 || !dt_reg(node, 0, &base, &size)) {
        if (efi_time())
            kinfo("rtc: the EFI firmware's time of day\n");
        else
            kinfo("rtc: none; the wall clock starts at the epoch\n");
        return;
    }
    pl031_init(base);
    kinfo("rtc: pl031 at %#lx\n", base);
}

void platform_init(void)
{
    /* Which description the tree came from: the firmware's or hypervisor's own, or the EFI
     * stub's translation of ACPI tables (model "machine described by ACPI"). */
    const char *model = dt_string(0, "model");
    kinfo("machine: %s\n", model ? model : "(no model in the device tree)");
    init_psci();
    init_gic();
    init_timer();
    init_console_input();
    init_rtc();
    /* pci=off: the launcher attached nothing to PCI (its disks on virtio-mmio, no NIC); the
     * bridge's set-up and the bus scan would only be translated and run to find nothing. */
    if (!bootargs.pci_off)
        virt_pci_host_init();
    else
        kinfo("pci: off (pci=off)\n");
}

void platform_poweroff(int status, int kind)
{
    psci_system_off(status, kind);
}
