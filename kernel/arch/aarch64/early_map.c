/* Runs with the MMU off, before kmain: finds RAM in the device tree and builds the tables that
 * turn the MMU on. Only PC-relative addressing works here (no absolute pointers: we run at the
 * physical load address, the image is linked high), and every access is Device memory, hence
 * -mstrict-align for the whole kernel. Errors are recorded in boot_info for kmain to report once
 * a console exists. */
#include <libfdt.h>
#include <string.h>
#include "boot.h"
#include "memlayout.h"
#include "pagetable.h"

struct boot_info boot_info;
uint64_t early_ttbr0, early_ttbr1;

extern char _head[], _etext[], _erodata[], _end[];
extern uint64_t pt_pool[][512];

#define SZ_2M (2UL << 20)

static uint64_t read_cells(const fdt32_t *p, int cells)
{
    uint64_t v = 0;
    while (cells--)
        v = (v << 32) | fdt32_to_cpu(*p++);
    return v;
}

/* RAM from every device_type = "memory" node, each range trimmed inward to 2 MiB so the direct
 * map can use blocks (a few KiB at odd edges are not worth L3 tables). */
static void find_memory(const void *fdt)
{
    int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0);
    int node = -1;
    if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
        return;
    while ((node = fdt_node_offset_by_prop_value(fdt, node, "device_type", "memory", 7)) >= 0) {
        int len;
        const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
        if (!reg)
            continue;
        for (int i = 0; i + (ac + sc) * 4 <= len; i += (ac + sc) * 4) {
            const fdt32_t *r = reg + i / 4;
            uint64_t base = read_cells(r, ac), size = read_cells(r + ac, sc);
            uint64_t start = (base + SZ_2M - 1) & ~(SZ_2M - 1);
            uint64_t end = (base + size) & ~(SZ_2M - 1);
            if (end <= start || boot_info.mem_count == BOOT_MAX_MEM_RANGES)
                continue;
            boot_info.mem[boot_info.mem_count].base = start;
            boot_info.mem[boot_info.mem_count].size = end - start;
            boot_info.mem_count++;
        }
    }
}

static int map_kernel_image(uint64_t root, uint64_t load_pa)
{
    uint64_t text = (uint64_t)_etext - (uint64_t)_head;      /* PC-relative: offsets are exact */
    uint64_t ro = (uint64_t)_erodata - (uint64_t)_head;
    uint64_t all = (uint64_t)_end - (uint64_t)_head;
    return pt_map(root, KERNEL_VBASE, load_pa, text, PROT_KERNEL_TEXT, false) ||
           pt_map(root, KERNEL_VBASE + text, load_pa + text, ro - text, PROT_KERNEL_RO, false) ||
           pt_map(root, KERNEL_VBASE + ro, load_pa + ro, all - ro, PROT_KERNEL_RW, false);
}

void early_map(uint64_t dtb_pa, uint64_t load_pa, uint64_t entry_counter, uint64_t entry_el)
{
    const void *fdt = (const void *)dtb_pa;
    uint64_t image_size = (uint64_t)_end - (uint64_t)_head;
    uint64_t root1, root0;

    boot_info.dtb_pa = dtb_pa;
    boot_info.load_pa = load_pa;
    boot_info.image_size = image_size;
    boot_info.entry_counter = entry_counter;
    boot_info.entry_el = entry_el;

    pt_set_va_offset(0);
    pt_pool_init((uint64_t)pt_pool);
    root1 = pt_alloc_table();
    root0 = pt_alloc_table();
    early_ttbr1 = root1;
    early_ttbr0 = root0;

    /* The identity map only has to cover the instructions that turn the MMU on. */
    if (pt_map(root0, load_pa & ~(SZ_2M - 1), load_pa & ~(SZ_2M - 1),
               ((load_pa + image_size + SZ_2M - 1) & ~(SZ_2M - 1)) - (load_pa & ~(SZ_2M - 1)),
               PROT_KERNEL_RWX, true) ||
        map_kernel_image(root1, load_pa)) {
        boot_info.error = BOOT_MAP_FAILED;
        return;
    }

    if (dtb_pa == 0 || (dtb_pa & 7) || fdt_check_header(fdt) != 0) {
        boot_info.error = BOOT_BAD_DTB;
        return;
    }
    if (dtb_pa < load_pa + image_size && dtb_pa + fdt_totalsize(fdt) > load_pa) {
        boot_info.error = BOOT_DTB_OVERLAPS;
        return;
    }
    find_memory(fdt);
    if (boot_info.mem_count == 0) {
        boot_info.error = BOOT_NO_MEMORY_NODE;
        return;
    }
    for (int i = 0; i < boot_info.mem_count; i++) {
        if (pt_map(root1, DIRECT_MAP_BASE + boot_info.mem[i].base, boot_info.mem[i].base,
                   boot_info.mem[i].size, PROT_KERNEL_RW, true)) {
            boot_info.error = BOOT_MAP_FAILED;
            return;
        }
    }
    /* head.S invalidates the caches over what we stored here before the MMU goes on. */
}
