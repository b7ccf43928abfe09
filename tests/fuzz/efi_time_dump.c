/* The EFI stub's time conversion (kernel/efi/efi_time.c) on the host, for
 * tests/unit/test_efi_time.py: each stdin line "year month day hour minute second nanosecond"
 * (an EFI_TIME's fields) gives one stdout line, the nanoseconds since the epoch or "invalid". */
#include <stdio.h>
#include "efi_time.h"

int main(void)
{
    unsigned year, month, day, hour, minute, second, nanosecond;
    while (scanf("%u %u %u %u %u %u %u", &year, &month, &day, &hour, &minute, &second, &nanosecond) == 7) {
        efi_time t = { .year = (uint16_t)year, .month = (uint8_t)month, .day = (uint8_t)day,
                       .hour = (uint8_t)hour, .minute = (uint8_t)minute, .second = (uint8_t)second,
                       .nanosecond = nanosecond, .time_zone = EFI_UNSPECIFIED_TIMEZONE };
        uint64_t ns;
        if (efi_time_to_ns(&t, &ns))
            printf("%llu\n", (unsigned long long)ns);
        else
            printf("invalid\n");
    }
    return 0;
}
