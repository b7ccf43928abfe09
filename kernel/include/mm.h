/* Physical pages and the kernel heap. */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "memlayout.h"

void page_alloc_init(void);
bool page_alloc_ready(void);
/* n physically contiguous pages; returns the physical address, 0 when none are free. */
uint64_t page_alloc(uint64_t n);
void page_free(uint64_t pa, uint64_t n);
uint64_t page_free_count(void);
uint64_t page_total_count(void);

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);
/* Heap bytes and blocks currently allocated (for leak checks). */
void heap_stats(uint64_t *bytes, uint64_t *blocks);

/* Map device registers; returns a kernel virtual address (panics when out of page-table memory). */
void *ioremap(uint64_t pa, uint64_t size);
