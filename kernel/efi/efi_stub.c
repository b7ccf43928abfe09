/* The EFI stub: what the kernel does when UEFI firmware starts it as an EFI application, the way
 * Linux's drivers/firmware/efi/libstub does, then the normal boot path (efi_entry.S enters
 * primary_entry with x0 = the device tree, as qemu -kernel would):
 *   1. the device tree from the firmware's configuration table (UEFI 2.10 section 4.6), or,
 *      when the firmware gives only ACPI, one made from its tables (acpi_fdt.c);
 *   2. a copy of it with room to grow: /chosen/bootargs (below), and a /memreserve/ for every
 *      range the firmware keeps after
 *      ExitBootServices (runtime services, ACPI tables and NVS, reserved memory), so the
 *      kernel's page allocator, which knows only the tree, never hands them out;
 *   3. the image copied to a 2 MiB-aligned address (early_map maps the kernel with 2 MiB
 *      blocks; the firmware's loader only promises the PE SectionAlignment);
 *   4. the firmware's time of day (GetTime) in /chosen, for machines whose description names no
 *      RTC the kernel drives (efi_time.c);
 *   5. the memory map, then ExitBootServices with its key (retried when the map changed).
 * Runs at the firmware's load address with the MMU on (identity map) while linked high: only
 * PC-relative addressing, no initialised pointers in data. Errors are one console line through
 * the firmware, then a power-off with a kernel-error status, never a return into a boot menu. */
#include <libfdt.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include "acpi_fdt.h"
#include "efi.h"
#include "efi_time.h"
#include "kernel.h"
#include "psci.h"

struct efi_handoff {
    uint64_t kernel_pa;     /* the 2 MiB-aligned copy of the image */
    uint64_t fdt_pa;        /* the device tree prepared for it */
};

efi_status efi_stub_main(efi_handle image, efi_system_table *st, struct efi_handoff *out);
void efi_dcache_clean_poc(uint64_t addr, uint64_t size);

extern char _head[], _edata[], _end[];

#define SZ_2M          (2UL << 20)
#define EFI_PAGE       4096UL            /* UEFI's page, whatever the kernel's is */
#define FDT_ROOM       (64UL << 10)      /* bootargs and reservations: 4096 /memreserve/ entries */
#define ACPI_FDT_BYTES (128UL << 10)     /* a tree made from ACPI: 64 KiB of nodes + FDT_ROOM */
#define MAP_SLACK      16                /* descriptors the map may grow by between calls */
#define EBS_ATTEMPTS   4

static efi_system_table *systab;

/* One line on the firmware's console (ASCII in, UCS-2 out, CR LF at the end). */
static void say(const char *msg)
{
    efi_char16 buf[160];
    size_t n = 0;
    while (*msg && n < sizeof(buf) / sizeof(buf[0]) - 3)
        buf[n++] = (efi_char16)(unsigned char)*msg++;
    buf[n++] = '\r';
    buf[n++] = '\n';
    buf[n] = 0;
    if (systab->con_out)
        systab->con_out->output_string(systab->con_out, buf);
}

/* The firmware's PSCI is QEMU's (or TF-A's) own: smc from EL2, hvc from EL1, unless the tree
 * says which. */
static enum psci_conduit conduit_for(const void *fdt)
{
    int node = fdt ? fdt_node_offset_by_compatible(fdt, -1, "arm,psci-1.0") : -1;
    if (fdt && node < 0)
        node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci-0.2");
    const char *method = node >= 0 ? fdt_getprop(fdt, node, "method", NULL) : NULL;
    if (method)
        return strcmp(method, "smc") ? PSCI_HVC : PSCI_SMC;
    uint64_t el;
    __asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
    return (el >> 2) == 2 ? PSCI_SMC : PSCI_HVC;
}

__attribute__((noreturn)) static void fail(const char *msg, const void *fdt)
{
    say(msg);
    psci_init(conduit_for(fdt));
    psci_system_off(1, EXIT_KERNEL_ERROR);
}

static bool guid_equal(const efi_guid *a, const efi_guid *b)
{
    return !memcmp(a, b, sizeof(*a));
}

static void *config_table(const efi_guid *guid)
{
    for (uint64_t i = 0; i < systab->number_of_table_entries; i++)
        if (guid_equal(&systab->configuration_table[i].guid, guid))
            return systab->configuration_table[i].table;
    return NULL;
}

static uint64_t alloc_pages(uint64_t bytes, uint64_t *addr)
{
    return systab->boot_services->allocate_pages(AllocateAnyPages, EfiLoaderData,
                                                 (bytes + EFI_PAGE - 1) / EFI_PAGE, addr);
}

/* The image's load options (UCS-2, as a boot entry, the UEFI shell or QEMU's -kernel -append
 * gave them) as ASCII into args; false when there are none. */
static bool load_options(efi_handle image, char *args, size_t room)
{
    const efi_guid loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
    efi_loaded_image *li = NULL;
    if (systab->boot_services->handle_protocol(image, &loaded_image_guid, (void **)&li) != EFI_SUCCESS ||
        !li || !li->load_options || li->load_options_size < 2)
        return false;
    const efi_char16 *w = li->load_options;
    size_t n = 0, count = li->load_options_size / 2;
    for (size_t i = 0; i < count && w[i] && n < room - 1; i++)
        args[n++] = w[i] < 0x80 ? (char)w[i] : '?';
    args[n] = 0;
    return n > 0;
}

/* QEMU's fw_cfg file FW_CFG_CMDLINE (docs/specs/fw_cfg.rst: the MMIO interface, selector at +8
 * big-endian, data bytes at +0, the file directory at selector 0x19): how `unibuild boot DISK`
 * hands the kernel its arguments, as -append does for -kernel. False when there is none. */
#define FW_CFG_CMDLINE "opt/org.unibuild/cmdline"
static bool fw_cfg_cmdline(const void *fdt, char *args, size_t room)
{
    int node = fdt_node_offset_by_compatible(fdt, -1, "qemu,fw-cfg-mmio");
    const fdt64_t *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", NULL) : NULL;
    if (!reg)
        return false;
    volatile uint8_t *data = (volatile uint8_t *)fdt64_to_cpu(reg[0]);
    volatile uint16_t *selector = (volatile uint16_t *)(fdt64_to_cpu(reg[0]) + 8);
    *selector = __builtin_bswap16(0x19);
    uint32_t count = 0;
    for (int i = 0; i < 4; i++)
        count = count << 8 | *data;
    for (uint32_t f = 0; f < count && f < 1024; f++) {
        uint8_t entry[64];
        for (int i = 0; i < 64; i++)
            entry[i] = *data;
        uint32_t size = (uint32_t)entry[0] << 24 | entry[1] << 16 | entry[2] << 8 | entry[3];
        uint16_t select = (uint16_t)(entry[4] << 8 | entry[5]);
        if (strncmp((const char *)entry + 8, FW_CFG_CMDLINE, 56))
            continue;
        *selector = __builtin_bswap16(select);
        size_t n = 0;
        for (uint32_t i = 0; i < size && n < room - 1; i++) {
            char c = (char)*data;
            if (!c)
                break;
            args[n++] = c;
        }
        args[n] = 0;
        return true;
    }
    return false;
}

/* /chosen/bootargs: the load options, else QEMU's fw_cfg FW_CFG_CMDLINE, else what the tree
 * already says, else "quiet program": a disk runs a program (finding none is an error, not a
 * silent power-off), and unibuild boots one with the program's output only
 * (unibuild/launch/qemu_cmdline.py kernel_args does the same for -kernel). */
static void set_bootargs(void *fdt, efi_handle image)
{
    char args[1024];
    int chosen = fdt_path_offset(fdt, "/chosen");
    if (!load_options(image, args, sizeof(args)) && !fw_cfg_cmdline(fdt, args, sizeof(args))) {
        if (chosen >= 0 && fdt_getprop(fdt, chosen, "bootargs", NULL))
            return;
        memcpy(args, "quiet program", sizeof("quiet program"));
    }
    if (chosen < 0)
        chosen = fdt_add_subnode(fdt, 0, "chosen");
    if (chosen < 0 || fdt_setprop_string(fdt, chosen, "bootargs", args) < 0)
        fail("efi: cannot put the EFI load options into the device tree", fdt);
}

/* /chosen/unibuild,efi-time: GetTime's answer and CNTVCT_EL0 when it came, so the kernel adds
 * the time spent since (platforms/virt init_rtc reads it when the tree names no PL031). 0, also
 * when the firmware has no clock (no property: the kernel's starts at the epoch), or a libfdt
 * error when the tree has no room. */
static int firmware_time(void *fdt)
{
    efi_runtime_services *rt = systab->runtime_services;
    efi_time t;
    uint64_t ns, counter;
    if (!rt || !rt->get_time || rt->get_time(&t, NULL) != EFI_SUCCESS || !efi_time_to_ns(&t, &ns))
        return 0;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(counter) :: "memory");
    fdt64_t v[2] = { cpu_to_fdt64(ns), cpu_to_fdt64(counter) };
    int chosen = fdt_path_offset(fdt, "/chosen");
    if (chosen < 0)
        chosen = fdt_add_subnode(fdt, 0, "chosen");
    return chosen < 0 ? chosen : fdt_setprop(fdt, chosen, EFI_TIME_PROP, v, sizeof(v));
}

/* What the firmware still owns after ExitBootServices (UEFI 2.10 table 7.6). */
static bool kept_after_exit(uint32_t type)
{
    switch (type) {
    case EfiReservedMemoryType: case EfiRuntimeServicesCode: case EfiRuntimeServicesData:
    case EfiUnusableMemory: case EfiACPIReclaimMemory: case EfiACPIMemoryNVS: case EfiPalCode:
    case EfiPersistentMemory:
        return true;
    default:
        return false;
    }
}

/* /memreserve/ entries for the kept ranges, neighbours merged. The tree's own reservations
 * (first `base` entries) stay; a retry drops what the previous attempt added. */
static bool reserve_kept(void *fdt, int base, const uint8_t *map, uint64_t map_size, uint64_t desc_size)
{
    while (fdt_num_mem_rsv(fdt) > base)
        fdt_del_mem_rsv(fdt, base);
    uint64_t start = 0, end = 0;
    for (uint64_t off = 0; off + desc_size <= map_size; off += desc_size) {
        const efi_memory_descriptor *d = (const efi_memory_descriptor *)(map + off);
        if (!kept_after_exit(d->type))
            continue;
        uint64_t s = d->physical_start, e = s + d->number_of_pages * EFI_PAGE;
        if (s == end) {
            end = e;
            continue;
        }
        if (end > start && fdt_add_mem_rsv(fdt, start, end - start) < 0)
            return false;
        start = s;
        end = e;
    }
    return end <= start || fdt_add_mem_rsv(fdt, start, end - start) >= 0;
}

efi_status efi_stub_main(efi_handle image, efi_system_table *st, struct efi_handoff *out)
{
    systab = st;
    efi_boot_services *bs = st->boot_services;

    const efi_guid dtb_guid = EFI_DTB_TABLE_GUID, acpi_guid = EFI_ACPI_20_TABLE_GUID;
    const void *firmware_fdt = config_table(&dtb_guid);
    const void *rsdp = config_table(&acpi_guid);
    void *fdt;
    bool from_acpi = false;
    uint64_t fdt_size, fdt_pa;
    if (firmware_fdt && !fdt_check_header(firmware_fdt)) {
        fdt_size = fdt_totalsize(firmware_fdt) + FDT_ROOM;
        if (alloc_pages(fdt_size, &fdt_pa) != EFI_SUCCESS)
            fail("efi: no memory for the device tree", firmware_fdt);
        fdt = (void *)fdt_pa;
        if (fdt_open_into(firmware_fdt, fdt, (int)fdt_size) < 0)
            fail("efi: the firmware's device tree cannot be copied", firmware_fdt);
    } else if (rsdp) {
        /* ACPI only: the tables become the tree the kernel reads (acpi_fdt.c). */
        fdt_size = ACPI_FDT_BYTES;
        if (alloc_pages(fdt_size, &fdt_pa) != EFI_SUCCESS)
            fail("efi: no memory for the device tree", NULL);
        fdt = (void *)fdt_pa;
        const char *error = acpi_to_fdt(rsdp, fdt, (int)fdt_size);
        if (error)
            fail(error, NULL);
        from_acpi = true;
    } else {
        fail("efi: the firmware gave neither a device tree nor ACPI tables", NULL);
    }
    set_bootargs(fdt, image);
    if (firmware_time(fdt) < 0)
        fail("efi: no room for the firmware's time in the device tree", fdt);

    uint64_t file_size = (uint64_t)(_edata - _head), image_size = (uint64_t)(_end - _head), area;
    if (alloc_pages(image_size + SZ_2M, &area) != EFI_SUCCESS)
        fail("efi: no memory for the kernel image", fdt);
    uint64_t kernel_pa = (area + SZ_2M - 1) & ~(SZ_2M - 1);
    memcpy((void *)kernel_pa, _head, file_size);   /* .bss: primary_entry clears it */

    uint64_t map_size = 0, key, desc_size;
    uint32_t desc_version;
    bs->get_memory_map(&map_size, NULL, &key, &desc_size, &desc_version);
    uint64_t map_room = map_size + MAP_SLACK * (desc_size ? desc_size : sizeof(efi_memory_descriptor)), map_pa;
    if (alloc_pages(map_room, &map_pa) != EFI_SUCCESS)
        fail("efi: no memory for the EFI memory map", fdt);
    int own_reservations = fdt_num_mem_rsv(fdt);
    for (int attempt = 0;; attempt++) {
        /* No allocation from here on: it would change the map and void its key. */
        map_size = map_room;
        if (bs->get_memory_map(&map_size, (efi_memory_descriptor *)map_pa, &key, &desc_size,
                               &desc_version) != EFI_SUCCESS)
            fail("efi: the firmware's GetMemoryMap failed", fdt);
        /* The RAM the map describes is the same at every attempt (only types change). */
        if (from_acpi && attempt == 0 &&
            !acpi_fdt_add_memory(fdt, (const uint8_t *)map_pa, map_size, desc_size))
            fail("efi: too many memory ranges for the device tree", fdt);
        if (!reserve_kept(fdt, own_reservations, (const uint8_t *)map_pa, map_size, desc_size))
            fail("efi: too many firmware memory ranges for the device tree", fdt);
        if (bs->exit_boot_services(image, key) == EFI_SUCCESS)
            break;
        if (attempt + 1 == EBS_ATTEMPTS)
            fail("efi: ExitBootServices kept failing", fdt);
    }
    /* Boot services are gone (so is the console): from here only the normal path reports. */
    fdt_pack(fdt);
    efi_dcache_clean_poc(kernel_pa, file_size);
    efi_dcache_clean_poc(fdt_pa, fdt_totalsize(fdt));
    out->kernel_pa = kernel_pa;
    out->fdt_pa = fdt_pa;
    return EFI_SUCCESS;
}
