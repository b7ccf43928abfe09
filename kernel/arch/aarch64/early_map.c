/* Runs with the MMU off, before kmain: finds RAM in the device tree and builds the tables that
 * turn the MMU on. Only PC-relative addressing works here (no absolute pointers: we run at the
 * physical load address, the image is linked high), and every access is Device memory, hence
 * -mstrict-align for the whole kernel. Errors are recorded in boot_info for kmain to report once
 * a console exists. */
#include <libfdt.h>
#include <string.h>
#include <stdbool.h>
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

/* The big-endian word at p (4-byte aligned: every access here is to Device memory). */
static uint32_t word_at(const uint8_t *p) { return fdt32_to_cpu(*(const fdt32_t *)p); }

/* The NUL-terminated string s, of which `room` bytes are inside its block, is `want`. */
static bool name_is(const char *s, uint32_t room, const char *want)
{
    uint32_t n = (uint32_t)strlen(want) + 1;
    return n <= room && !memcmp(s, want, n);
}

static void add_ranges(const uint8_t *reg, uint32_t len, uint32_t ac, uint32_t sc)
{
    if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
        return;
    for (uint32_t i = 0; i + (ac + sc) * 4 <= len; i += (ac + sc) * 4) {
        const fdt32_t *r = (const fdt32_t *)(reg + i);
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

/* RAM from every device_type = "memory" child of the root (where the devicetree spec puts them
 * and Linux's early_init_dt_scan_memory looks), each range trimmed inward to 2 MiB so the direct
 * map can use blocks (a few KiB at odd edges are not worth L3 tables).
 *
 * One pass over the structure block's tokens rather than libfdt: its node-by-property search
 * walked every node and property through its checked accessors (~440k guest instructions), and
 * libfdt's code translated here, at physical addresses, is translated again at its virtual ones
 * by dt_init (~680 instructions, ~0.5 ms under TCG). The header was checked by fdt_check_header;
 * every offset below is checked against its block, and a token out of place ends the scan with
 * what was found (dt_init then checks the whole tree with libfdt). The root's properties come
 * before its children (the format's rule), so its cell counts are known at each child's end. */
static void find_memory(const void *fdt)
{
    const uint8_t *tree = fdt;
    uint32_t off = fdt_off_dt_struct(fdt);
    uint32_t end = fdt_version(fdt) >= 17 ? off + fdt_size_dt_struct(fdt) : fdt_totalsize(fdt);
    const char *strings = (const char *)tree + fdt_off_dt_strings(fdt);
    uint32_t strings_size = fdt_size_dt_strings(fdt);
    uint32_t ac = 2, sc = 1, reg_len = 0;     /* the spec's defaults, as fdt_address_cells' */
    const uint8_t *reg = NULL;
    bool memory = false;
    int depth = 0;
    if (off & 3)
        return;
    while (end >= 4 && off <= end - 4) {
        uint32_t tag = word_at(tree + off);
        off += 4;
        if (tag == FDT_BEGIN_NODE) {
            while (off < end && tree[off])
                off++;
            if (off >= end)
                return;
            off = (off + 4) & ~3u;             /* past the NUL, to the next word */
            if (++depth == 2) {
                memory = false;
                reg = NULL;
            }
        } else if (tag == FDT_END_NODE) {
            if (depth == 2 && memory && reg)
                add_ranges(reg, reg_len, ac, sc);
            if (--depth <= 0)
                return;                        /* the root's end */
        } else if (tag == FDT_PROP) {
            if (end - off < 8)
                return;
            uint32_t len = word_at(tree + off), name = word_at(tree + off + 4);
            off += 8;
            if (len > end - off || name >= strings_size)
                return;
            const uint8_t *value = tree + off;
            const char *s = strings + name;
            uint32_t room = strings_size - name;
            off = (off + len + 3) & ~3u;
            if (depth == 1 && len == 4 && name_is(s, room, "#address-cells"))
                ac = word_at(value);
            else if (depth == 1 && len == 4 && name_is(s, room, "#size-cells"))
                sc = word_at(value);
            else if (depth == 2 && name_is(s, room, "device_type"))
                memory = len == 7 && !memcmp(value, "memory", 7);
            else if (depth == 2 && name_is(s, room, "reg")) {
                reg = value;
                reg_len = len;
            }
        } else if (tag != FDT_NOP) {
            return;                            /* FDT_END, or not a token */
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
