/* The EFI stub's ACPI translation (kernel/efi/acpi_fdt.c) on the host, for
 * tests/unit/test_acpi_fdt.py: acpi_fdt_dump BLOB places BLOB (ACPI tables as firmware would lay
 * them out, its first 8 bytes the address it was built for, the RSDP at +8) at that address,
 * runs acpi_to_fdt and prints either the error line or the tree, one "path prop = hex" line per
 * property (node paths in tree order). Exit 0 for a tree, 2 for an error line. */
#define _GNU_SOURCE
#include <libfdt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "acpi_fdt.h"

static void dump(const void *fdt, int node, int depth)
{
    char path[256];
    if (fdt_get_path(fdt, node, path, sizeof(path)) < 0) {
        fprintf(stderr, "acpi_fdt_dump: a node path does not fit\n");
        exit(1);
    }
    int prop;
    fdt_for_each_property_offset(prop, fdt, node) {
        const char *name;
        int len;
        const uint8_t *v = fdt_getprop_by_offset(fdt, prop, &name, &len);
        printf("%s %s =", path, name);
        for (int i = 0; i < len; i++)
            printf("%s%02x", i % 4 ? "" : " ", v[i]);
        printf("\n");
    }
    int child;
    fdt_for_each_subnode(child, fdt, node)
        dump(fdt, child, depth + 1);
}

int main(int argc, char **argv)
{
    static uint8_t blob[1 << 20], fdt[128 << 10];
    FILE *f = argc == 2 ? fopen(argv[1], "rb") : NULL;
    size_t n = f ? fread(blob, 1, sizeof(blob), f) : 0;
    uint64_t base;
    if (n < 8) {
        fprintf(stderr, "acpi_fdt_dump: cannot read %s\n", argc == 2 ? argv[1] : "(no file given)");
        return 1;
    }
    memcpy(&base, blob, 8);
    void *at = mmap((void *)base, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (at != (void *)base) {
        perror("acpi_fdt_dump: mmap at the tables' address");
        return 1;
    }
    memcpy(at, blob, n);
    const char *error = acpi_to_fdt((const uint8_t *)at + 8, fdt, sizeof(fdt));
    if (error) {
        printf("%s\n", error);
        return 2;
    }
    dump(fdt, 0, 0);
    return 0;
}
