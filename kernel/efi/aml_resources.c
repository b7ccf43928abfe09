/* Static resource templates in the DSDT (ACPI 6.4): the EFI stub's ACPI translation
 * (acpi_fdt.c) reads the PCIe host bridge's windows and QEMU's fw_cfg from them. Every read is
 * bounded by the table's or the buffer's end. Runs in the EFI stub (PC-relative only). */
#include <string.h>
#include "acpica.h"
#include "aml_resources.h"

/* `Name (_CRS, ResourceTemplate () {...})` after a device's _HID string (QEMU writes _HID as a
 * string; an EISAID-encoded one is not matched) is NameOp "_CRS" BufferOp PkgLength BufferSize
 * bytes (ACPI 6.4 sections 20.2.5.4 and 20.2.3), the bytes being resource descriptors (section
 * 6.4) up to the end tag. A _CRS that is a Method is not found: the caller says what is then
 * missing. */
bool aml_next_crs(const uint8_t **at, const uint8_t *end, struct aml_resources *r)
{
    static const uint8_t name_crs[] = { 0x08, '_', 'C', 'R', 'S', 0x11 };
    for (const uint8_t *p = *at; p + sizeof(name_crs) + 4 < end; p++) {
        if (memcmp(p, name_crs, sizeof(name_crs)))
            continue;
        const uint8_t *q = p + sizeof(name_crs);
        unsigned follow = q[0] >> 6;                 /* PkgLength: bytes that follow the lead */
        uint32_t pkglen = follow ? (q[0] & 0xf) : (q[0] & 0x3f);
        for (unsigned i = 0; i < follow; i++)
            pkglen |= (uint32_t)q[1 + i] << (4 + 8 * i);
        const uint8_t *pkg_end = q + pkglen;
        q += 1 + follow;
        if (q + 5 > end)                             /* room for the longest BufferSize */
            return false;
        uint32_t size;                               /* BufferSize: Byte/Word/DWord const */
        if (q[0] == 0x0a) { size = q[1]; q += 2; }
        else if (q[0] == 0x0b) { size = q[1] | q[2] << 8; q += 3; }
        else if (q[0] == 0x0c) { size = q[1] | q[2] << 8 | q[3] << 16 | (uint32_t)q[4] << 24; q += 5; }
        else continue;
        if (pkg_end > end || q + size > pkg_end)
            continue;
        r->p = q;
        r->end = q + size;
        *at = pkg_end;
        return true;
    }
    return false;
}

/* One descriptor: its tag (small items: bits 6:3; large: the whole byte) and body. */
bool aml_next_descriptor(struct aml_resources *r, uint8_t *tag, const uint8_t **body, uint32_t *len)
{
    if (r->p >= r->end)
        return false;
    uint8_t b = r->p[0];
    if (b & 0x80) {
        if (r->p + 3 > r->end)
            return false;
        *tag = b;
        *len = r->p[1] | r->p[2] << 8;
        *body = r->p + 3;
    } else {
        *tag = (b >> 3) & 0xf;
        *len = b & 7;
        *body = r->p + 1;
        if (*tag == 0xf)                            /* End Tag */
            return false;
    }
    if (*body + *len > r->end)
        return false;
    r->p = *body + *len;
    return true;
}

const uint8_t *aml_find_hid(const void *table, const char *hid, size_t n)
{
    const struct acpi_table_header *dsdt = table;
    const uint8_t *p = (const uint8_t *)dsdt + sizeof(*dsdt), *end = (const uint8_t *)dsdt + dsdt->length;
    for (; p + n <= end; p++)
        if (!memcmp(p, hid, n))
            return p + n;
    return NULL;
}

uint64_t aml_le(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

