/* The wall clock for a machine whose description names no RTC the kernel drives (QEMU's ACPI
 * tables list no PL031): the EFI stub asks the firmware's GetTime runtime service before
 * ExitBootServices and leaves the answer in /chosen, paired with the counter's value at that
 * moment, so the kernel's clock (platforms/virt init_rtc) adds the time spent since. Runs in the
 * EFI stub (PC-relative only). */
#include <libfdt.h>
#include <stdbool.h>
#include "efi_time.h"

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's
 * days_from_civil: years counted from March so the leap day is the last of the year). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

bool efi_time_to_ns(const efi_time *t, uint64_t *ns)
{
    if (t->year < 1970 || t->month < 1 || t->month > 12 || t->day < 1 || t->day > 31 || t->hour > 23 ||
        t->minute > 59 || t->second > 59 || t->nanosecond > 999999999)
        return false;
    /* time_zone is not applied: firmware that fills it is rare and has read it both ways
     * (UEFI 2.0's "Localtime = UTC - TimeZone" was reversed later); Linux's rtc-efi ignores it
     * too, and QEMU's EDK2 reads the PL031, which QEMU sets to UTC. */
    int64_t days = days_from_civil(t->year, t->month, t->day);
    uint64_t seconds = (uint64_t)days * 86400 + t->hour * 3600u + t->minute * 60u + t->second;
    *ns = seconds * 1000000000ULL + t->nanosecond;
    return true;
}

static uint64_t counter_now(void)
{
    uint64_t v;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v) :: "memory");
    return v;
}

int efi_time_to_fdt(efi_runtime_services *rt, void *fdt)
{
    efi_time t;
    uint64_t ns;
    if (!rt || !rt->get_time || rt->get_time(&t, NULL) != EFI_SUCCESS || !efi_time_to_ns(&t, &ns))
        return 0;                                 /* no clock: the kernel's starts at the epoch */
    fdt64_t v[2] = { cpu_to_fdt64(ns), cpu_to_fdt64(counter_now()) };
    int chosen = fdt_path_offset(fdt, "/chosen");
    if (chosen < 0)
        chosen = fdt_add_subnode(fdt, 0, "chosen");
    return chosen < 0 ? chosen : fdt_setprop(fdt, chosen, EFI_TIME_PROP, v, sizeof(v));
}
