/* A process's user address space: the list of mapped areas (VMAs) and demand paging over them.
 * Pages are allocated on first touch: anonymous ones zeroed; file-backed ones are the file's own
 * pages (page cache or in memory), shared by MAP_SHARED and by MAP_PRIVATE until its first store
 * to a page, which copies it (mm/vm_file.c). A VMA holds its file (vfs_get_mapping): an
 * unlinked file lives while it is mapped. */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "mempolicy.h"

struct vnode;
struct aio_ctx;

struct vma {
    uint64_t start, end;        /* page-aligned, end exclusive */
    int prot;                   /* PROT_READ|PROT_WRITE|PROT_EXEC */
    struct vnode *file;         /* NULL: anonymous; else one of the file's users */
    uint64_t file_offset;       /* file offset of `start` */
    uint64_t file_bytes;        /* bytes from `start` backed by the file; the rest reads as zero */
    const char *name;           /* "[stack]", "[heap]", or NULL */
    bool shared;                /* MAP_SHARED file mapping: maps the file's own pages */
    bool shared_anon;           /* MAP_SHARED|MAP_ANONYMOUS: a fork shares its pages */
    struct vma *next;           /* sorted by start */
    uint64_t fixed_pa;          /* kernel pages ([vdso], [vvar]): `start` maps here; never freed */
    bool locked;                /* mlock/mlockall: counted in VmLck (pages are never swapped out) */
    bool may_write;             /* shared file mapping of a descriptor open for writing: mprotect
                                 * may add PROT_WRITE (Linux's VM_MAYWRITE) */
    bool growsdown;             /* MAP_GROWSDOWN: a fault in the gap just below extends it down */
    bool dontfork;              /* MADV_DONTFORK: a fork's child does not get this range */
    bool wipeonfork;            /* MADV_WIPEONFORK (private anonymous only): a fork's child gets
                                 * the range empty, so it reads zeros */
    struct mempolicy policy;    /* mbind's (sys_mempolicy.c); MPOL_DEFAULT: none */
};

struct vm {
    uint64_t root;              /* page-table root (physical) */
    struct vma *vmas;
    uint64_t generation;        /* counts VMAs freed: a thread's vm_find hint is valid while equal */
    uint64_t brk_start, brk;
    uint64_t start_data, end_data;  /* the program's data as Linux's mm has it (RLIMIT_DATA's brk check) */
    uint64_t mmap_top;          /* top-down placement starts below this */
    uint64_t pages;             /* resident user pages */
    uint64_t pages_hiwater;     /* the most `pages` was before it last fell (Linux's hiwater_rss) */
    uint64_t bytes_hiwater;     /* the most vm_mapped_bytes was before an unmap (Linux's hiwater_vm) */
    int users;                  /* processes on it: 1, or a vfork child and its parent */
    bool lock_future;           /* mlockall(MCL_FUTURE): new mappings start locked */
    struct aio_ctx *aio;        /* io_setup's contexts (aio.h): a fork's child starts with none */
};

/* Linux's stack_guard_gap: a growing stack keeps this far from an accessible mapping below it. */
#define STACK_GUARD_GAP (256 * PAGE_SIZE)

enum access { ACCESS_READ = 1, ACCESS_WRITE = 2, ACCESS_EXEC = 4 };

struct vm *vm_create(void);
/* Map [start, start+len) exactly, replacing whatever was there (MAP_FIXED semantics). */
int vm_map_fixed(struct vm *vm, uint64_t start, uint64_t len, int prot, struct vnode *file,
                 uint64_t file_offset, uint64_t file_bytes, const char *name);
/* A free gap of len bytes, highest first below mmap_top (0 when none). */
uint64_t vm_find_free(struct vm *vm, uint64_t len);
bool vm_range_free(struct vm *vm, uint64_t start, uint64_t len);
int vm_unmap(struct vm *vm, uint64_t start, uint64_t len);
int vm_protect(struct vm *vm, uint64_t start, uint64_t len, int prot);
/* Resolve a fault at addr for access; 0 when the page is now present, -EFAULT otherwise
 * (-ENXIO: a shared file mapping past the end of its file, SIGBUS on Linux). */
int vm_fault(struct vm *vm, uint64_t addr, enum access access);
struct vma *vm_find(struct vm *vm, uint64_t addr);
/* mlock/munlock: every VMA of [start, end) (which must be covered) locked or not; VMAs are
 * split at the ends. 0 or -ENOMEM. */
int vm_set_locked(struct vm *vm, uint64_t start, uint64_t end, bool locked);
/* MADV_DONTFORK / MADV_DOFORK: the same for the dontfork mark. */
int vm_set_dontfork(struct vm *vm, uint64_t start, uint64_t end, bool dontfork);
/* VmSize: the bytes of every VMA (the kernel's [vdso] and [vvar] too, as Linux counts them). */
uint64_t vm_mapped_bytes(const struct vm *vm);
/* MADV_WIPEONFORK / MADV_KEEPONFORK over the VMAs of [start, end), in order: -EINVAL at the first
 * one that cannot be wiped (a file or shared mapping; those before it stay changed, as Linux's
 * madvise_walk_vmas leaves them), -ENOMEM when out of memory, else 0. */
int vm_set_wipeonfork(struct vm *vm, uint64_t start, uint64_t end, bool wipe);
/* mbind: every VMA of [start, end) gets policy (VMAs split at the ends, joined where they then
 * match a neighbour). 0 or -ENOMEM. */
int vm_set_policy(struct vm *vm, uint64_t start, uint64_t end, const struct mempolicy *policy);
/* VmLck: the bytes of locked VMAs (the kernel's own pages, [vdso] and [vvar], never count). */
uint64_t vm_locked_bytes(const struct vm *vm);
/* Is every page of [start, end) in some VMA? (madvise's ENOMEM otherwise) */
bool vm_covered(struct vm *vm, uint64_t start, uint64_t end);
void vm_drop_pages(struct vm *vm, uint64_t start, uint64_t end);
/* Fault in every page of [start, end) that may be read, a private writable one for writing
 * (MAP_POPULATE, mlock: Linux's populate breaks copy-on-write now). */
void vm_populate(struct vm *vm, uint64_t start, uint64_t end);
/* Join each VMA of [start, end) with a neighbour that maps the same way, as Linux's vma_merge
 * does (so /proc/<pid>/maps shows one line, and mremap can grow across what was two calls). */
void vm_merge(struct vm *vm, uint64_t start, uint64_t end);
int vm_move_pages(struct vm *vm, uint64_t src, uint64_t dest, uint64_t len);
/* fork: a copy of vm whose private pages are shared copy-on-write with it (NULL: out of
 * memory); shared mappings stay shared. */
struct vm *vm_fork(struct vm *vm);
/* A process lets go of vm (exit, exec); the last one frees it: its pages and page tables. */
void vm_put(struct vm *vm);
/* Map a private copy of page pa at va (v's protection) and drop this mapping's share of pa,
 * which has another owner (a fork's other side, the file or its page cache). 0 or -ENOMEM. */
int vm_map_private_copy(struct vm *vm, struct vma *v, uint64_t va, uint64_t pa);
/* A write to a present read-only page at va (page-aligned) of v, whose protection allows it: a
 * private mapping gets a page of its own unless it is the page's last owner (copy on write); a
 * shared one maps the same page writable (it was read-only only because it has other owners). 0
 * or -ENOMEM. */
int vm_break_cow(struct vm *vm, struct vma *v, uint64_t va, uint64_t pa);
/* Copy bytes into vm, which need not be the current address space (the child's tid word at
 * fork). 0 or -EFAULT. */
int vm_copy_to(struct vm *vm, uint64_t uaddr, const void *src, uint64_t len);
/* Physical page behind a user address, faulting it in for access (0: not accessible). */
uint64_t vm_user_page(struct vm *vm, uint64_t addr, enum access access);
/* File v lost its pages from byte `from` (page-aligned) to `to` (truncate, hole punching): take
 * them out of every address space that maps them, as Linux's unmap_mapping_range, so the next
 * touch refaults (SIGBUS past the end, zeros in a hole). even_cows: a private mapping's own
 * copies go too (truncation), else only the file's pages (a hole punched). */
void vm_unmap_file(struct vnode *v, uint64_t from, uint64_t to, bool even_cows);
