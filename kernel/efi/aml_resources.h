/* Static resource templates in AML (aml_resources.c): enough of the DSDT to read a device's
 * `Name (_CRS, ResourceTemplate () {...})` without interpreting AML. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct aml_resources {
    const uint8_t *p, *end;     /* the descriptors not yet read */
};

/* Just past the first occurrence of the n bytes of hid (a _HID string with its NUL) in the
 * table's AML; NULL when absent. */
const uint8_t *aml_find_hid(const void *table, const char *hid, size_t n);
/* The next `Name (_CRS, Buffer)` from *at on, its bytes in r; *at moves past it. */
bool aml_next_crs(const uint8_t **at, const uint8_t *end, struct aml_resources *r);
/* The next resource descriptor: tag (a small item's type, bits 6:3; a large item's whole first
 * byte), its body and length. False at the end tag or a descriptor that overruns the buffer. */
bool aml_next_descriptor(struct aml_resources *r, uint8_t *tag, const uint8_t **body, uint32_t *len);
/* A little-endian field of 1..8 bytes. */
uint64_t aml_le(const uint8_t *p, int bytes);
