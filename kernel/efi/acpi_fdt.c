/* ACPI as the other machine description: when the firmware gives only ACPI tables, the EFI stub
 * turns them into the device tree the rest of the kernel reads (the one interface every platform
 * consumer has: platforms/virt, smp.c, pci_host.c, early_map.c), so nothing past the stub asks
 * which description it got. From the RSDP (UEFI configuration table) through the XSDT:
 *   MADT  GIC distributor, redistributor region (GICv3), ITS or GICv2m MSI frame, and one /cpus
 *         node per enabled GIC CPU interface, named by its MPIDR;
 *   GTDT  the timer's interrupts;        SPCR  the console (a PL011), /chosen/stdout-path;
 *   FADT  the PSCI conduit (and the DSDT); MCFG  the PCIe ECAM area and its buses;
 *   DSDT  the PCIe host bridge's address windows (its _CRS) and QEMU's fw_cfg (its _CRS), read
 *         from the static resource templates in the AML, without interpreting the AML.
 * Memory is the EFI memory map's (efi_stub.c adds it). Table layouts are ACPICA's (acpica.h).
 * Each table is checked (signature, length, checksum) before use; what is missing or wrong is
 * one "acpi: ..." line the stub prints before powering off. Runs as part of the stub: MMU on
 * with the firmware's identity map, PC-relative addressing only, no initialised pointers. */
#include <libfdt.h>
#include <stddef.h>
#include <string.h>
#include "acpica.h"
#include "efi.h"
#include "acpi_fdt.h"
#include "aml_resources.h"

#define MAX_TABLE_BYTES   (16u << 20)    /* a larger length is a corrupt header */
#define GIC_PHANDLE       1
#define GICV2_DIST_BYTES  0x1000         /* GICv2 architecture: distributor 4 KiB */
#define GICV2_CPU_BYTES   0x2000         /* CPU interface 8 KiB */
#define GICV3_DIST_BYTES  0x10000
#define ITS_BYTES         0x20000        /* GICv3 ITS: control + translation 64 KiB frames */
#define V2M_BYTES         0x1000
#define PL011_BYTES       0x1000
#define SPCR_INTERRUPT_GIC (1u << 3)  /* SPCR Interrupt Type bit 3: an ARM GIC interrupt (GSIV) */
#define EFI_MEMORY_WB      0x8

static uint8_t sum(const void *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += ((const uint8_t *)p)[i];
    return s;
}

static bool table_ok(const struct acpi_table_header *t, const char *sig)
{
    return t && !memcmp(t->signature, sig, 4) && t->length >= sizeof(*t) && t->length <= MAX_TABLE_BYTES &&
           sum(t, t->length) == 0;
}

struct acpi {
    const struct acpi_table_header *xsdt;
    const char *error;
};

/* The XSDT's entry with this signature; *bad when one is there but fails its checks. */
static const struct acpi_table_header *find(const struct acpi *a, const char *sig, bool *bad)
{
    uint32_t n = (a->xsdt->length - sizeof(*a->xsdt)) / 8;
    const uint8_t *entries = (const uint8_t *)a->xsdt + sizeof(*a->xsdt);
    *bad = false;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t pa;
        memcpy(&pa, entries + 8 * i, 8);
        const struct acpi_table_header *t = (const struct acpi_table_header *)pa;
        if (!t || memcmp(t->signature, sig, 4))
            continue;
        if (table_ok(t, sig))
            return t;
        *bad = true;
    }
    return NULL;
}

static int cells2(void *fdt, int node, const char *prop, uint64_t a, uint64_t b)
{
    fdt64_t v[2] = { cpu_to_fdt64(a), cpu_to_fdt64(b) };
    return fdt_setprop(fdt, node, prop, v, sizeof(v));
}

static int subnode_at(void *fdt, int parent, const char *name, uint64_t addr)
{
    char buf[48];
    static const char hex[] = "0123456789abcdef";
    size_t n = strlen(name);
    memcpy(buf, name, n);
    buf[n++] = '@';
    int digits = 1;
    while (digits < 16 && (addr >> (4 * digits)))
        digits++;
    for (int i = digits - 1; i >= 0; i--)
        buf[n++] = hex[(addr >> (4 * i)) & 0xf];
    buf[n] = 0;
    return fdt_add_subnode(fdt, parent, buf);
}

/* A GIC interrupt specifier: <type number flags>, type 0 SPI (INTID 32..1019), 1 PPI (16..31).
 * An INTID that is neither gets a PPI number past 15, which the kernel's dt_irq treats as none. */
static void gic_spec(fdt32_t *out, uint32_t intid, bool edge, bool low)
{
    uint32_t flags = edge ? (low ? 2 : 1) : (low ? 8 : 4);
    if (intid >= 32 && intid < 1020) {
        out[0] = cpu_to_fdt32(0);
        out[1] = cpu_to_fdt32(intid - 32);
    } else {
        out[0] = cpu_to_fdt32(1);
        out[1] = cpu_to_fdt32(intid >= 16 && intid < 32 ? intid - 16 : 0xff);
    }
    out[2] = cpu_to_fdt32(flags);
}

#define FAIL(msg) do { a->error = (msg); return false; } while (0)
#define FDT(call) do { if ((call) < 0) FAIL("acpi: no room for the machine description"); } while (0)

/* MADT subtables, each (type, length) checked to lie inside the table. */
#define MADT_END(madt) ((const uint8_t *)(madt) + (madt)->header.length)
#define FOR_EACH_SUBTABLE(madt, sub) \
    for (const struct acpi_subtable_header *sub = (const void *)((const uint8_t *)(madt) + sizeof(*(madt))); \
         (const uint8_t *)(sub + 1) <= MADT_END(madt) && sub->length >= sizeof(*sub) && \
         (const uint8_t *)sub + sub->length <= MADT_END(madt); \
         sub = (const void *)((const uint8_t *)sub + sub->length))

static bool add_gic_and_cpus(struct acpi *a, void *fdt, bool psci)
{
    bool bad;
    const struct acpi_table_madt *madt = (const void *)find(a, ACPI_SIG_MADT, &bad);
    if (!madt)
        FAIL(bad ? "acpi: the MADT fails its checksum or length" : "acpi: no MADT: the interrupt controller is unknown");
    const struct acpi_madt_generic_distributor *gicd = NULL;
    const struct acpi_madt_generic_redistributor *gicr = NULL;
    const struct acpi_madt_generic_translator *its = NULL;
    const struct acpi_madt_generic_msi_frame *v2m = NULL;
    const struct acpi_madt_generic_interrupt *first_gicc = NULL;
    int gicr_count = 0;
    int cpus = fdt_add_subnode(fdt, 0, "cpus");
    FDT(cpus);
    FDT(fdt_setprop_u32(fdt, cpus, "#address-cells", 2));
    FDT(fdt_setprop_u32(fdt, cpus, "#size-cells", 0));
    FOR_EACH_SUBTABLE(madt, sub) {
        switch (sub->type) {
        case ACPI_MADT_TYPE_GENERIC_DISTRIBUTOR:
            if (sub->length >= sizeof(*gicd))
                gicd = (const void *)sub;
            break;
        case ACPI_MADT_TYPE_GENERIC_REDISTRIBUTOR:
            if (sub->length >= sizeof(*gicr) && !gicr_count++)
                gicr = (const void *)sub;
            break;
        case ACPI_MADT_TYPE_GENERIC_TRANSLATOR:
            if (sub->length >= sizeof(*its) && !its)
                its = (const void *)sub;
            break;
        case ACPI_MADT_TYPE_GENERIC_MSI_FRAME:
            if (sub->length >= sizeof(*v2m) && !v2m)
                v2m = (const void *)sub;
            break;
        case ACPI_MADT_TYPE_GENERIC_INTERRUPT: {
            const struct acpi_madt_generic_interrupt *gicc = (const void *)sub;
            if (sub->length < offsetof(struct acpi_madt_generic_interrupt, efficiency_class))
                FAIL("acpi: a MADT GIC CPU interface entry is too short");
            if (!(gicc->flags & ACPI_MADT_ENABLED))
                break;
            if (!first_gicc)
                first_gicc = gicc;
            uint64_t mpidr = gicc->arm_mpidr & 0xff00ffffffULL;   /* the affinity fields */
            int cpu = subnode_at(fdt, cpus, "cpu", mpidr);
            FDT(cpu);
            FDT(fdt_setprop_string(fdt, cpu, "device_type", "cpu"));
            FDT(fdt_setprop_string(fdt, cpu, "compatible", "arm,armv8"));
            fdt32_t reg[2] = { cpu_to_fdt32((uint32_t)(mpidr >> 32)), cpu_to_fdt32((uint32_t)mpidr) };
            FDT(fdt_setprop(fdt, cpu, "reg", reg, sizeof(reg)));
            if (psci)
                FDT(fdt_setprop_string(fdt, cpu, "enable-method", "psci"));
            break;
        }
        default:
            break;
        }
    }
    if (!gicd)
        FAIL("acpi: the MADT has no GIC distributor");
    if (!first_gicc)
        FAIL("acpi: the MADT lists no enabled GIC CPU interface");
    /* GIC version: the distributor's field, else (0, older tables) a redistributor means v3. */
    int version = gicd->version ? gicd->version : (gicr ? 3 : 2);
    int gic = subnode_at(fdt, 0, "interrupt-controller", gicd->base_address);
    FDT(gic);
    FDT(fdt_setprop(fdt, gic, "interrupt-controller", NULL, 0));
    FDT(fdt_setprop_u32(fdt, gic, "#interrupt-cells", 3));
    FDT(fdt_setprop_u32(fdt, gic, "phandle", GIC_PHANDLE));
    FDT(fdt_setprop_u32(fdt, gic, "#address-cells", 2));
    FDT(fdt_setprop_u32(fdt, gic, "#size-cells", 2));
    FDT(fdt_setprop(fdt, gic, "ranges", NULL, 0));
    fdt64_t reg[4];
    if (version >= 3) {
        if (!gicr)
            FAIL("acpi: a GICv3 without a MADT redistributor region (per-CPU GICR bases are not supported)");
        if (gicr_count > 1)
            FAIL("acpi: more than one GICv3 redistributor region is not supported");
        FDT(fdt_setprop_string(fdt, gic, "compatible", "arm,gic-v3"));
        reg[0] = cpu_to_fdt64(gicd->base_address);
        reg[1] = cpu_to_fdt64(GICV3_DIST_BYTES);
        reg[2] = cpu_to_fdt64(gicr->base_address);
        reg[3] = cpu_to_fdt64(gicr->length);
    } else if (version == 2) {
        FDT(fdt_setprop_string(fdt, gic, "compatible", "arm,cortex-a15-gic"));
        reg[0] = cpu_to_fdt64(gicd->base_address);
        reg[1] = cpu_to_fdt64(GICV2_DIST_BYTES);
        reg[2] = cpu_to_fdt64(first_gicc->base_address);
        reg[3] = cpu_to_fdt64(GICV2_CPU_BYTES);
    } else {
        FAIL("acpi: the MADT's GIC version is neither 2 nor 3");
    }
    FDT(fdt_setprop(fdt, gic, "reg", reg, sizeof(reg)));
    if (version >= 3 && its) {
        int n = subnode_at(fdt, gic, "msi-controller", its->base_address);
        FDT(n);
        FDT(fdt_setprop_string(fdt, n, "compatible", "arm,gic-v3-its"));
        FDT(fdt_setprop(fdt, n, "msi-controller", NULL, 0));
        FDT(cells2(fdt, n, "reg", its->base_address, ITS_BYTES));
    } else if (version == 2 && v2m) {
        int n = subnode_at(fdt, gic, "v2m", v2m->base_address);
        FDT(n);
        FDT(fdt_setprop_string(fdt, n, "compatible", "arm,gic-v2m-frame"));
        FDT(fdt_setprop(fdt, n, "msi-controller", NULL, 0));
        FDT(cells2(fdt, n, "reg", v2m->base_address, V2M_BYTES));
        if (v2m->flags & ACPI_MADT_OVERRIDE_SPI_VALUES) {
            FDT(fdt_setprop_u32(fdt, n, "arm,msi-base-spi", v2m->spi_base));
            FDT(fdt_setprop_u32(fdt, n, "arm,msi-num-spis", v2m->spi_count));
        }
    }
    FDT(fdt_setprop_u32(fdt, 0, "interrupt-parent", GIC_PHANDLE));
    return true;
}

static bool add_timer(struct acpi *a, void *fdt)
{
    bool bad;
    const struct acpi_table_gtdt *g = (const void *)find(a, ACPI_SIG_GTDT, &bad);
    if (!g || g->header.length < offsetof(struct acpi_table_gtdt, counter_read_block_address))
        FAIL(bad || g ? "acpi: the GTDT fails its checksum or length" : "acpi: no GTDT: the timer's interrupts are unknown");
    if (g->virtual_timer_interrupt < 16 || g->virtual_timer_interrupt > 31)
        FAIL("acpi: the GTDT's virtual timer interrupt is not a PPI");
    fdt32_t irqs[12];
#define TIMER(i, gsiv, fl) \
    gic_spec(irqs + 3 * (i), (gsiv), (fl) & ACPI_GTDT_INTERRUPT_MODE, (fl) & ACPI_GTDT_INTERRUPT_POLARITY)
    TIMER(0, g->secure_el1_interrupt, g->secure_el1_flags);
    TIMER(1, g->non_secure_el1_interrupt, g->non_secure_el1_flags);
    TIMER(2, g->virtual_timer_interrupt, g->virtual_timer_flags);
    TIMER(3, g->non_secure_el2_interrupt, g->non_secure_el2_flags);
#undef TIMER
    int n = fdt_add_subnode(fdt, 0, "timer");
    FDT(n);
    FDT(fdt_setprop_string(fdt, n, "compatible", "arm,armv8-timer"));
    FDT(fdt_setprop(fdt, n, "interrupts", irqs, sizeof(irqs)));
    return true;
}

static bool add_console(struct acpi *a, void *fdt)
{
    bool bad;
    const struct acpi_table_spcr *s = (const void *)find(a, ACPI_SIG_SPCR, &bad);
    if (!s || s->header.length < offsetof(struct acpi_table_spcr, pci_device_id))
        FAIL(bad || s ? "acpi: the SPCR fails its checksum or length" : "acpi: no SPCR: the console is unknown");
    if (s->interface_type != ACPI_DBG2_ARM_PL011)
        FAIL("acpi: the SPCR console is not a PL011 (a 16550 or other UART is not driven)");
    if (s->serial_port.space_id != ACPI_ADR_SPACE_SYSTEM_MEMORY || !s->serial_port.address)
        FAIL("acpi: the SPCR console is not in memory space");
    uint64_t base = s->serial_port.address;
    char path[40] = "/";
    int n = subnode_at(fdt, 0, "pl011", base);
    FDT(n);
    FDT(fdt_get_path(fdt, n, path, sizeof(path)));
    FDT(fdt_setprop(fdt, n, "compatible", "arm,pl011\0arm,primecell", sizeof("arm,pl011\0arm,primecell")));
    FDT(cells2(fdt, n, "reg", base, PL011_BYTES));
    if (s->interrupt_type & SPCR_INTERRUPT_GIC) {
        fdt32_t irq[3];
        gic_spec(irq, s->interrupt, false, false);   /* SPCR: "level-triggered, active high" for a GIC */
        FDT(fdt_setprop(fdt, n, "interrupts", irq, sizeof(irq)));
    }
    int chosen = fdt_path_offset(fdt, "/chosen");
    FDT(chosen);
    FDT(fdt_setprop_string(fdt, chosen, "stdout-path", path));
    return true;
}

/* FADT: the PSCI conduit (ARM boot flags, ACPI 5.1+) and where the DSDT is. */
static const struct acpi_table_header *add_psci(struct acpi *a, void *fdt, bool *psci)
{
    bool bad;
    const struct acpi_table_fadt *f = (const void *)find(a, ACPI_SIG_FADT, &bad);
    if (!f || f->header.length < offsetof(struct acpi_table_fadt, minor_revision) + 1) {
        a->error = bad || f ? "acpi: the FADT fails its checksum or length" : "acpi: no FADT: the PSCI conduit is unknown";
        return NULL;
    }
    *psci = f->arm_boot_flags & ACPI_FADT_PSCI_COMPLIANT;
    if (*psci) {
        int n = fdt_add_subnode(fdt, 0, "psci");
        static const char compat[] = "arm,psci-1.0\0arm,psci-0.2";
        if (n < 0 || fdt_setprop(fdt, n, "compatible", compat, sizeof(compat)) < 0 ||
            fdt_setprop_string(fdt, n, "method", f->arm_boot_flags & ACPI_FADT_PSCI_USE_HVC ? "hvc" : "smc") < 0) {
            a->error = "acpi: no room for the machine description";
            return NULL;
        }
    }
    uint64_t dsdt = f->header.length >= offsetof(struct acpi_table_fadt, Xdsdt) + 8 && f->Xdsdt ? f->Xdsdt : f->dsdt;
    const struct acpi_table_header *d = (const void *)dsdt;
    if (!table_ok(d, ACPI_SIG_DSDT)) {
        a->error = "acpi: the FADT names no valid DSDT";
        return NULL;
    }
    return d;
}

/* QEMU's fw_cfg (_HID "QEMU0002", a Memory32Fixed in its _CRS): how `unibuild boot` hands the
 * kernel its arguments; efi_stub.c reads it through the node. None: no node, no arguments. */
static bool add_fw_cfg(struct acpi *a, void *fdt, const struct acpi_table_header *dsdt)
{
    const uint8_t *at = aml_find_hid(dsdt, "QEMU0002", 9), *end = (const uint8_t *)dsdt + dsdt->length;
    struct aml_resources r;
    if (!at || !aml_next_crs(&at, end, &r))
        return true;
    uint8_t tag;
    const uint8_t *body;
    uint32_t len;
    while (aml_next_descriptor(&r, &tag, &body, &len)) {
        if (tag != 0x86 || len < 9)                 /* Memory32Fixed: flags, base, length */
            continue;
        int n = subnode_at(fdt, 0, "fw-cfg", aml_le(body + 1, 4));
        FDT(n);
        FDT(fdt_setprop_string(fdt, n, "compatible", "qemu,fw-cfg-mmio"));
        FDT(cells2(fdt, n, "reg", aml_le(body + 1, 4), aml_le(body + 5, 4)));
        return true;
    }
    return true;
}

/* Address space descriptors (DWord 0x87, QWord 0x8a): type, flags, type flags, then
 * granularity, minimum, maximum, translation, length, each 4 or 8 bytes. */
static void add_window(uint8_t tag, const uint8_t *body, uint32_t len, fdt32_t *ranges, int *count)
{
    int w = tag == 0x8a ? 8 : 4;
    if ((uint32_t)(3 + 5 * w) > len || body[0] != 0 || *count == 4)   /* memory ranges only */
        return;
    uint64_t min = aml_le(body + 3 + w, w), trans = aml_le(body + 3 + 3 * w, w), size = aml_le(body + 3 + 4 * w, w);
    if (!size)
        return;
    uint32_t space = min + size > (1ULL << 32) ? 0x03000000 : 0x02000000;
    fdt32_t *e = ranges + 7 * (*count)++;
    e[0] = cpu_to_fdt32(space);
    e[1] = cpu_to_fdt32((uint32_t)(min >> 32));
    e[2] = cpu_to_fdt32((uint32_t)min);
    e[3] = cpu_to_fdt32((uint32_t)((min + trans) >> 32));
    e[4] = cpu_to_fdt32((uint32_t)(min + trans));
    e[5] = cpu_to_fdt32((uint32_t)(size >> 32));
    e[6] = cpu_to_fdt32((uint32_t)size);
}

/* MCFG segment 0 → pci-host-ecam-generic; its windows from the host bridge's _CRS (the first
 * resource template after _HID "PNP0A08" that has a bus-number range: the GSI link devices
 * inside the bridge come first and carry only interrupts). No interrupt-map: INTx routing is
 * AML (_PRT) and not read; virtio-pci devices use MSI-X through the ITS or GICv2m. */
static bool add_pci(struct acpi *a, void *fdt, const struct acpi_table_header *dsdt)
{
    bool bad;
    const struct acpi_table_mcfg *m = (const void *)find(a, ACPI_SIG_MCFG, &bad);
    if (bad)
        FAIL("acpi: the MCFG fails its checksum or length");
    if (!m)
        return true;                                 /* no PCIe */
    const struct acpi_mcfg_allocation *al = (const void *)(m + 1), *seg0 = NULL;
    for (; (const uint8_t *)(al + 1) <= (const uint8_t *)m + m->header.length; al++)
        if (al->pci_segment == 0 && !seg0)
            seg0 = al;
    if (!seg0 || seg0->start_bus_number > seg0->end_bus_number)
        FAIL("acpi: the MCFG has no usable PCI segment 0");
    fdt32_t ranges[4 * 7];
    int count = 0;
    const uint8_t *at = aml_find_hid(dsdt, "PNP0A08", 8), *end = (const uint8_t *)dsdt + dsdt->length;
    struct aml_resources r;
    while (at && !count && aml_next_crs(&at, end, &r)) {
        struct aml_resources scan = r;
        uint8_t tag;
        const uint8_t *body;
        uint32_t len;
        bool bridge = false;
        while (aml_next_descriptor(&scan, &tag, &body, &len))
            bridge |= (tag == 0x88 || tag == 0x87 || tag == 0x8a) && len > 0 && body[0] == 2;
        while (bridge && aml_next_descriptor(&r, &tag, &body, &len))
            if (tag == 0x87 || tag == 0x8a)
                add_window(tag, body, len, ranges, &count);
        if (bridge && !count)
            break;
    }
    if (!count)
        FAIL("acpi: the DSDT gives the PCIe host bridge no memory window (no static _CRS for PNP0A08)");
    uint64_t ecam = seg0->address + ((uint64_t)seg0->start_bus_number << 20);
    uint64_t buses = (uint64_t)seg0->end_bus_number - seg0->start_bus_number + 1;
    int n = subnode_at(fdt, 0, "pcie", ecam);
    FDT(n);
    FDT(fdt_setprop_string(fdt, n, "compatible", "pci-host-ecam-generic"));
    FDT(fdt_setprop_string(fdt, n, "device_type", "pci"));
    FDT(fdt_setprop_u32(fdt, n, "#address-cells", 3));
    FDT(fdt_setprop_u32(fdt, n, "#size-cells", 2));
    FDT(fdt_setprop_u32(fdt, n, "#interrupt-cells", 1));
    FDT(cells2(fdt, n, "reg", ecam, buses << 20));
    fdt32_t range[2] = { cpu_to_fdt32(seg0->start_bus_number), cpu_to_fdt32(seg0->end_bus_number) };
    FDT(fdt_setprop(fdt, n, "bus-range", range, sizeof(range)));
    FDT(fdt_setprop(fdt, n, "ranges", ranges, count * 7 * sizeof(fdt32_t)));
    return true;
}

const char *acpi_to_fdt(const void *rsdp_table, void *fdt, int size)
{
    struct acpi acpi = { 0 }, *a = &acpi;
    const struct acpi_table_rsdp *rsdp = rsdp_table;
    if (memcmp(rsdp->signature, ACPI_SIG_RSDP, 8) || sum(rsdp, ACPI_RSDP_CHECKSUM_LENGTH))
        return "acpi: the firmware's RSDP is not valid (signature or checksum)";
    if (rsdp->revision < 2 || rsdp->length < sizeof(*rsdp) || sum(rsdp, rsdp->length))
        return "acpi: the RSDP is ACPI 1.0 (no XSDT) or fails its extended checksum";
    a->xsdt = (const void *)rsdp->xsdt_physical_address;
    if (!table_ok(a->xsdt, ACPI_SIG_XSDT))
        return "acpi: the XSDT fails its signature, length or checksum";
    if (fdt_create_empty_tree(fdt, size) < 0 || fdt_setprop_u32(fdt, 0, "#address-cells", 2) < 0 ||
        fdt_setprop_u32(fdt, 0, "#size-cells", 2) < 0 ||
        fdt_setprop_string(fdt, 0, "model", "machine described by ACPI") < 0 || fdt_add_subnode(fdt, 0, "chosen") < 0)
        return "acpi: no room for the machine description";
    bool psci = false;
    const struct acpi_table_header *dsdt = add_psci(a, fdt, &psci);
    if (!dsdt || !add_gic_and_cpus(a, fdt, psci) || !add_timer(a, fdt) || !add_console(a, fdt) ||
        !add_fw_cfg(a, fdt, dsdt) || !add_pci(a, fdt, dsdt))
        return a->error;
    return NULL;
}

/* One /memory node per run of write-back RAM in the EFI memory map (every type: what the
 * firmware keeps is reserved by the stub), so early_map finds RAM as it does in a tree. */
bool acpi_fdt_add_memory(void *fdt, const uint8_t *map, uint64_t map_size, uint64_t desc_size)
{
    uint64_t start = 0, end = 0;
    for (uint64_t off = 0;; off += desc_size) {
        bool last = off + desc_size > map_size;
        uint64_t s = 0, e = 0;
        if (!last) {
            const efi_memory_descriptor *d = (const efi_memory_descriptor *)(map + off);
            if (!(d->attribute & EFI_MEMORY_WB) || d->type == EfiMemoryMappedIO || d->type == EfiMemoryMappedIOPortSpace)
                continue;
            s = d->physical_start;
            e = s + d->number_of_pages * 4096;     /* UEFI's page, whatever the kernel's is */
            if (s == end) {
                end = e;
                continue;
            }
        }
        if (end > start) {
            int n = subnode_at(fdt, 0, "memory", start);
            if (n < 0 || fdt_setprop_string(fdt, n, "device_type", "memory") < 0 || cells2(fdt, n, "reg", start, end - start) < 0)
                return false;
        }
        if (last)
            return true;
        start = s;
        end = e;
    }
}
