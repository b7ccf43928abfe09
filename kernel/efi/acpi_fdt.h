/* ACPI tables → the device tree the kernel reads (acpi_fdt.c). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* Build a tree in fdt (size bytes) from the tables under the RSDP: NULL, or the one line that
 * says what is missing or corrupt. */
const char *acpi_to_fdt(const void *rsdp, void *fdt, int size);
/* The EFI memory map's RAM as /memory nodes; false when the tree has no room. */
bool acpi_fdt_add_memory(void *fdt, const uint8_t *map, uint64_t map_size, uint64_t desc_size);
