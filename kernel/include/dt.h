/* Device-tree lookups over libfdt, with every value checked before it is trusted. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

void dt_init(const void *fdt);
/* Bytes the blob occupies (the page allocator keeps them). */
uint64_t dt_total_size(void);
/* Call fn for every reserved range: the memory reservation block and /reserved-memory. */
void dt_for_each_reserved(void (*fn)(uint64_t base, uint64_t size));
/* First node compatible with any of the NULL-terminated names, or -1. */
int dt_find_compatible(const char *const *compatibles);
/* The next node after `after` (-1: from the start) compatible with `compatible`, or -1: for
 * devices the tree lists many times (QEMU virt's 32 virtio-mmio transports). */
int dt_next_compatible(int after, const char *compatible);
/* The trigger flags (third cell, IRQ_TYPE_*: 1 edge rising, 4 level high) of a node's idx-th
 * interrupt in GIC three-cell form; false when there is no such interrupt. */
bool dt_irq_flags(int node, int idx, uint32_t *flags);
/* idx-th "reg" entry translated to a CPU physical address through the parents' "ranges". */
bool dt_reg(int node, int idx, uint64_t *base, uint64_t *size);
/* idx-th interrupt of a node in GIC three-cell form, as an INTID (SPI n → 32+n, PPI n → 16+n). */
bool dt_irq(int node, int idx, uint32_t *intid);
const char *dt_string(int node, const char *prop);
bool dt_u32(int node, const char *prop, uint32_t *out);
const char *dt_node_name(int node);
int dt_path_offset(const char *path);
int dt_parent(int node);
/* A node's children: the first, then each next one; negative when there are no more. */
int dt_first_child(int node);
int dt_next_sibling(int node);
/* #address-cells of a node (libfdt's default 2 when absent), for its children's addresses. */
int dt_address_cells(int node);
int dt_node_by_phandle(uint32_t phandle);
bool dt_has_prop(int node, const char *prop);
/* A property as raw big-endian cells and its length in bytes (NULL and 0 when absent); read
 * the cells with dt_cell (one) and dt_cells (n cells as one number, most significant first). */
const uint32_t *dt_prop(int node, const char *prop, int *len);
uint32_t dt_cell(const uint32_t *cells, int i);
uint64_t dt_cells(const uint32_t *cells, int n);
/* PCI requester id (bus << 8 | dev << 3 | fn) to MSI controller id through the node's msi-map. */
bool dt_msi_map(int node, uint32_t rid, uint32_t *out);
