/* What the architecture's boot path learned before the MMU was on, handed to kmain. */
#pragma once
#include <stdint.h>

#define BOOT_MAX_MEM_RANGES 16

struct mem_range {
    uint64_t base;
    uint64_t size;
};

enum boot_error {
    BOOT_OK = 0,
    BOOT_BAD_DTB,          /* x0 did not point at a valid flattened device tree */
    BOOT_NO_MEMORY_NODE,   /* the device tree describes no usable RAM */
    BOOT_DTB_OVERLAPS,     /* the device tree sits inside the kernel image */
    BOOT_MAP_FAILED,       /* the early page-table pool ran out */
};

struct boot_info {
    uint64_t dtb_pa;
    uint64_t load_pa;        /* physical address of the image's first byte */
    uint64_t image_size;     /* including bss */
    uint64_t entry_counter;  /* virtual counter at entry */
    uint32_t entry_el;
    enum boot_error error;
    int mem_count;
    struct mem_range mem[BOOT_MAX_MEM_RANGES];
};

extern struct boot_info boot_info;
