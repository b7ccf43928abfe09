/* The subset of <stdlib.h> libfdt's environment header pulls in. */
#pragma once
#include <stddef.h>

unsigned long strtoul(const char *s, char **end, int base);
