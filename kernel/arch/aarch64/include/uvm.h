/* User address-space page tables (TTBR0, 48-bit VA, 4 KiB pages). Generic code keeps the VMAs;
 * this is only the hardware side: put a page in, change or take pages out. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

/* A new empty tree; returns its root's physical address (0: out of memory). */
uint64_t uvm_create(void);
/* Map one page; prot is PROT_READ|PROT_WRITE|PROT_EXEC. Returns 0 or -ENOMEM. */
int uvm_map_page(uint64_t root, uint64_t va, uint64_t pa, int prot);
/* Physical address mapped at va (page-aligned), 0 when none; *prot gets its protection. */
uint64_t uvm_lookup(uint64_t root, uint64_t va, int *prot);
/* Remove every page in [start, end); each one's physical page goes to free_page. Returns how
 * many were mapped. */
uint64_t uvm_unmap(uint64_t root, uint64_t start, uint64_t end, void (*free_page)(uint64_t pa));
enum uvm_copy_mode {
    UVM_COPY_COW,          /* read-only in both, one more owner each (mm.h's page_ref) */
    UVM_COPY_SHARED_REF,   /* as they are, one more owner each (MAP_SHARED|MAP_ANONYMOUS) */
    UVM_COPY_SHARED,       /* as they are; the pages are someone else's (a file's, the kernel's) */
};
/* fork: map [start, end)'s present pages of src into dst too, adding how many to *copied. 0 or
 * -ENOMEM. */
int uvm_copy(uint64_t src_root, uint64_t dst_root, uint64_t start, uint64_t end, enum uvm_copy_mode mode,
             uint64_t *copied);
/* Free the tree's tables (its pages must be unmapped already). */
void uvm_destroy(uint64_t root);
/* No user address space is live (the one that was is being freed). */
void uvm_deactivate(void);
/* Change the protection of every present page in [start, end). */
void uvm_protect(uint64_t root, uint64_t start, uint64_t end, int prot);
/* uvm_walk.c: fn for every present page of [start, end) (its address, its physical page),
 * and how many pages the tree's tables take, the root's included. */
void uvm_each_page(uint64_t root, uint64_t start, uint64_t end, void (*fn)(uint64_t va, uint64_t pa, void *arg),
                   void *arg);
uint64_t uvm_table_pages(uint64_t root);
/* Make this tree the live user address space. */
void uvm_activate(uint64_t root);

