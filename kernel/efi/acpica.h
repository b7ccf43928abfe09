/* ACPICA's table definitions (third_party/acpica.mk fetches them) with the environment its
 * platform/acenv.h would give: an LP64 freestanding target, no OS services. Only types and
 * table layouts are used; none of ACPICA's code is built. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#define ACPI_MACHINE_WIDTH        64
#define COMPILER_DEPENDENT_INT64  long
#define COMPILER_DEPENDENT_UINT64 unsigned long
#define ACPI_USE_NATIVE_DIVIDE
#define ACPI_INLINE               inline
#define ACPI_SYSTEM_XFACE
#define ACPI_EXPORT_SYMBOL(x)
#define ACPI_UNUSED_VAR           __attribute__((unused))
#define ACPI_PRINTF_LIKE(c)
#include <acpi/acconfig.h>
#include <acpi/actypes.h>
#include <acpi/actbl.h>
