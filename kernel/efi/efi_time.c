/* The firmware's time of day (UEFI GetTime's fields) as nanoseconds since the epoch, for the
 * wall clock of a machine whose description names no RTC the kernel drives (QEMU's ACPI tables
 * list no PL031): efi_stub.c calls GetTime before ExitBootServices and leaves the result in
 * /chosen with the counter's value at that moment. Pure arithmetic: built for the host too
 * (tests/unit/test_efi_time.py). */
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
    if (seconds >= (uint64_t)INT64_MAX / 1000000000ULL)
        return false;                 /* past 2262-04-11: beyond signed 64-bit ns, as Linux's ktime */
    *ns = seconds * 1000000000ULL + t->nanosecond;
    return true;
}
