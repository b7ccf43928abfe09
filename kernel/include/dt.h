/* Device-tree lookups over libfdt, with every value checked before it is trusted. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

void dt_init(const void *fdt);
const void *dt_blob(void);
/* First node compatible with any of the NULL-terminated names, or -1. */
int dt_find_compatible(const char *const *compatibles);
/* idx-th "reg" entry translated to a CPU physical address through the parents' "ranges". */
bool dt_reg(int node, int idx, uint64_t *base, uint64_t *size);
/* idx-th interrupt of a node in GIC three-cell form, as an INTID (SPI n → 32+n, PPI n → 16+n). */
bool dt_irq(int node, int idx, uint32_t *intid);
const char *dt_string(int node, const char *prop);
bool dt_u32(int node, const char *prop, uint32_t *out);
const char *dt_node_name(int node);
int dt_path_offset(const char *path);
/* PCI requester id (bus << 8 | dev << 3 | fn) to MSI controller id through the node's msi-map. */
bool dt_msi_map(int node, uint32_t rid, uint32_t *out);
