/* Read-only regular files with kernel-made contents. */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct file;

/* A file holding a copy of data; NULL for a write open or when out of memory. */
struct file *memfile_open(const char *data, size_t len, uint32_t mode, int flags);
