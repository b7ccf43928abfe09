/* The firmware's time of day handed to the kernel (efi_time.c, efi_stub.c). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "efi.h"

/* /chosen property: <u64 ns since the epoch, u64 CNTVCT_EL0 at the moment it was read>. */
#define EFI_TIME_PROP "unibuild,efi-time"

/* An EFI time (UTC) as ns since the epoch; false when a field is out of range. */
bool efi_time_to_ns(const efi_time *t, uint64_t *ns);
