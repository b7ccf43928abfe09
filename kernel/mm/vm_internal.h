/* What mm/vm.c shares with the other address-space files of mm/ (not an interface: vm.h is). */
#pragma once
#include <stdint.h>
#include "vm.h"

/* A fault in a file-backed part of a VMA maps the pages around it too, read from the file in one
 * request: under TCG each virtio-blk request costs ~150 us, and a dynamic hello world faulted in
 * 119 pages of ld.so and libc one by one (18 ms). Linux does the same (fault_around_bytes, 64 KiB
 * by default, on top of its page cache's readahead). Only pages not yet mapped are filled. */
#define FAULT_AROUND_BYTES (64 * 1024)
/* Pages already in memory (the page cache's, a changed file's) cost no request, only their
 * page-table entries: a fault there maps a wider window (the page cache reads a library whole,
 * so ld.so's scattered first touches of libc find most of it cached). */
#define CACHED_FAULT_AROUND_BYTES (256 * 1024)

/* Resident pages go: the high-water mark keeps what they were (ru_maxrss). */
void vm_pages_drop(struct vm *vm, uint64_t n);
/* What uvm_unmap does with each of v's pages it takes out (NULL: nothing, the kernel's pages). */
void (*vm_page_release(const struct vma *v))(uint64_t);
/* The run of unmapped pages containing va inside the `window`-aligned window, the VMA, the
 * file-backed part of the VMA and the file's size now. */
void vm_fault_window(struct vm *vm, struct vma *v, uint64_t va, uint64_t window, uint64_t *lo, uint64_t *hi);
/* A fault at va (page-aligned, not present) in a file mapping's file part (mm/vm_file.c): a shared
 * one maps the file's page; a private one maps the file's pages around va as they are and, for a
 * store, a copy at va. 0 when va is present now, 1 when the private mapping must read a copy of
 * its own (the partial page where the file part ends, whose tail must read as zeros; a file with
 * no pages to share), else a negative errno. */
int vm_fault_file(struct vm *vm, struct vma *v, uint64_t va, enum access access);
