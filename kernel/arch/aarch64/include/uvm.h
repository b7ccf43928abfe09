/* User address-space page tables (TTBR0, 48-bit VA, 4 KiB pages). Generic code keeps the VMAs;
 * this is only the hardware side: put a page in, change or take pages out. */
#pragma once
#include <stdint.h>

/* A new empty tree; returns its root's physical address (0: out of memory). */
uint64_t uvm_create(void);
/* Map one page; prot is PROT_READ|PROT_WRITE|PROT_EXEC. Returns 0 or -ENOMEM. */
int uvm_map_page(uint64_t root, uint64_t va, uint64_t pa, int prot);
/* Physical address mapped at va (page-aligned), 0 when none; *prot gets its protection. */
uint64_t uvm_lookup(uint64_t root, uint64_t va, int *prot);
/* Remove every page in [start, end); each one's physical page goes to free_page. */
void uvm_unmap(uint64_t root, uint64_t start, uint64_t end, void (*free_page)(uint64_t pa));
/* Change the protection of every present page in [start, end). */
void uvm_protect(uint64_t root, uint64_t start, uint64_t end, int prot);
/* Make this tree the live user address space. */
void uvm_activate(uint64_t root);
