/* What the conformance probes (fsconf.c, sockconf.c) print, shared so their output has one form:
 * each call as "= value" or "= -1 ENAME", flushed at once so a crash loses no earlier line. */
#ifndef PROBE_PRINT_H
#define PROBE_PRINT_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

/* "= value" or "= -1 ENAME": every call is printed this way. */
static void r(const char *what, long ret)
{
    if (ret < 0)
        say("   %s = -1 %s\n", what, strerrorname_np(errno));
    else
        say("   %s = %ld\n", what, ret);
}

#endif
