/* Kernel arguments from /chosen/bootargs (qemu -append): `verbose`, `quiet`, `exit=N`, and `selftest=fault`
 * (the kernel touches an unmapped address after boot: proves the fault report and error exit). */
#include "kernel.h"
#include "bootargs.h"
#include "dt.h"
#include "console.h"
#include <string.h>

struct bootargs bootargs = { .exit_status = -1 };

static bool parse_status(const char *s, size_t len, int *out)
{
    int v = 0;
    if (len == 0 || len > 3)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v > 255)
        return false;
    *out = v;
    return true;
}

void bootargs_parse(void)
{
    int chosen = dt_path_offset("/chosen");
    const char *p = chosen >= 0 ? dt_string(chosen, "bootargs") : NULL;
    if (!p)
        return;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        size_t len = p - w;
        if (len == 0)
            break;
        if (len == 7 && !strncmp(w, "verbose", 7))
            bootargs.verbose = true;
        else if (len == 5 && !strncmp(w, "quiet", 5))
            bootargs.quiet = true;
        else if (len == 11 && !strncmp(w, "console=mux", 11))
            console_set_mux(true);
        else if (len == 7 && !strncmp(w, "blktest", 7))
            bootargs.blktest = true;
        else if (len > 5 && !strncmp(w, "exit=", 5)) {
            if (!parse_status(w + 5, len - 5, &bootargs.exit_status))
                panic("bootargs: bad exit status in '%.*s' (want exit=0..255)", (int)len, w);
        } else if (len == 14 && !strncmp(w, "selftest=fault", 14))
            bootargs.selftest_fault = true;
        else if (len == 12 && !strncmp(w, "nettest=echo", 12))
            bootargs.nettest_echo = true;
        else if (len == 7 && !strncmp(w, "msi=off", 7))
            bootargs.msi_off = true;
        else
            kprintf("bootargs: ignoring unknown argument '%.*s'\n", (int)len, w);
    }
}
