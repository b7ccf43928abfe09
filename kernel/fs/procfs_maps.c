/* /proc/<pid>/maps and /proc/<pid>/smaps (fs/proc/task_mmu.c): one line per VMA as Linux prints
 * it (a file's device and inode number as its stat gives them), and for smaps the VMA's pages counted
 * as Linux 6.1's smaps_account counts them. Programs read smaps for more than statistics: Redis
 * on arm64 refuses to start unless a page written before a fork reads Shared_Dirty in the child
 * (its check for the arm64 copy-on-write bug of Linux 5.x). Each value is this kernel's own:
 * - a page is shared when more than one mapping holds it (the copy-on-write owners page_ref
 *   counts; a file's page is first the file's own), private otherwise, and Pss
 *   divides it between its mappers;
 * - an anonymous page (a private mapping's own copy) is dirty, as Linux's are once written (a
 *   read fault here allocates the page too, where Linux maps its zero page and counts nothing);
 *   a file's page is dirty when the file's memory holds it (a file changed in the tree, as a
 *   tmpfs page is), clean when it is the page cache's copy of the image;
 * - no huge pages, swap, KSM or userfaultfd: those lines are 0, THPeligible 0 (Linux built
 *   without THP prints that), and VmFlags has only the flags our VMAs carry. */
#include "kernel.h"
#include "kfile.h"
#include "procfs_pid.h"
#include "process.h"
#include "mm.h"
#include "vm.h"
#include "vfs.h"
#include "vnode.h"
#include "file.h"
#include "uvm.h"
#include "linux_abi.h"
#include <string.h>

/* A growing text buffer: a VMA's lines are written in place, the buffer doubled when they did
 * not fit (a process may have thousands of VMAs). */
struct text {
    char *s;
    size_t len, size;
};

static bool text_reserve(struct text *t, size_t more)
{
    if (t->len + more <= t->size)
        return true;
    size_t size = t->size ? t->size : 16384;
    while (t->len + more > size)
        size *= 2;
    char *s = kmalloc(size);
    if (!s)
        return false;
    memcpy(s, t->s, t->len);
    kfree(t->s);
    t->s = s;
    t->size = size;
    return true;
}

#define LINE_MAX (KFILE_PATH_MAX + 128)

static void maps_line(struct text *t, const struct vma *v)
{
    char name[KFILE_PATH_MAX] = "";
    if (v->file && vfs_proc_path(v->file, name, sizeof(name)) < 0)
        name[0] = 0;
    else if (!v->file && v->name)
        snprintf(name, sizeof(name), "%s", v->name);
    else if (v->shared_anon)   /* Linux's shared anonymous memory is an unlinked shmem file */
        snprintf(name, sizeof(name), "/dev/zero (deleted)");
    /* show_vma_header_prefix: addresses in at least 8 hex digits (a non-PIE program at 0x400000
     * reads 00400000), and a name starts at column 73 (seq_setwidth 72, then seq_pad's space). */
    struct linux_stat st = { 0 };
    if (v->file)
        vnode_stat(v->file, &st);
    /* MAJOR/MINOR of the kernel's dev_t (20-bit minor), as show_vma_header_prefix prints them */
    int header = snprintf(t->s + t->len, t->size - t->len, "%08lx-%08lx %c%c%c%c %08lx %02lx:%02lx %lu", v->start,
                          v->end, v->prot & PROT_READ ? 'r' : '-', v->prot & PROT_WRITE ? 'w' : '-',
                          v->prot & PROT_EXEC ? 'x' : '-', v->shared || v->shared_anon ? 's' : 'p',
                          v->file ? v->file_offset : 0UL, (uint64_t)(st.st_dev >> 8) & 0xfff,
                          (uint64_t)(st.st_dev & 0xff) | ((uint64_t)(st.st_dev >> 12) & 0xfff00), (uint64_t)st.st_ino);
    t->len += (size_t)header;
    if (name[0]) {
        for (int col = header; col < 72; col++)   /* the kernel's printf has no '*' width */
            t->s[t->len++] = ' ';
        t->len += (size_t)snprintf(t->s + t->len, t->size - t->len, " %s", name);
    }
    t->s[t->len++] = '\n';
}

/* The text of a process's VMAs, `per_vma` bytes at most each: maps and smaps. */
static struct file *vmas_open(const char *path, int flags, size_t per_vma,
                              void (*write)(struct text *t, const struct vm *vm, const struct vma *v))
{
    struct process *p = process_of(path, NULL);
    if (!p || !p->vm)
        return NULL;
    struct text t = { 0 };
    if (!text_reserve(&t, 1))
        return NULL;
    for (const struct vma *v = p->vm->vmas; v; v = v->next) {
        if (!text_reserve(&t, per_vma)) {
            kfree(t.s);
            return NULL;
        }
        write(&t, p->vm, v);
    }
    return text_file(t.s, t.len, flags);
}

static void maps_entry(struct text *t, const struct vm *vm, const struct vma *v) { maps_line(t, v); }

struct file *procfs_maps_open(const char *path, int flags)
{
    return vmas_open(path, flags, LINE_MAX, maps_entry);
}

/* What smaps_account adds up for one VMA, in bytes (Pss scaled by PSS_SHIFT as Linux's). */
#define PSS_SHIFT 12
struct smap_counts {
    const struct vma *vma;
    uint64_t resident, pss, pss_dirty, shared_clean, shared_dirty, private_clean, private_dirty, anonymous;
};

/* The file's own page at index (its memory's or the page cache's), 0 when none. */
static uint64_t file_page(const struct vnode *v, uint64_t index, bool *in_memory)
{
    *in_memory = v->in_memory;
    if (v->in_memory)
        return index < v->page_slots ? v->pages[index] : 0;
    return v->cached && index < v->cached_slots ? v->cached[index] : 0;
}

static void account_page(uint64_t va, uint64_t pa, void *arg)
{
    struct smap_counts *c = arg;
    const struct vma *v = c->vma;
    bool in_memory = false, anon = !v->shared_anon;
    unsigned owners = page_ref_owners(pa);
    if (v->file) {
        uint64_t index = (v->file_offset + (va - v->start)) / PAGE_SIZE;
        bool own = file_page(v->file, index, &in_memory) == pa;
        if (v->shared || own) {
            anon = false;
            if (own && owners > 1)
                owners--;              /* the file's own hold (its memory, the page cache) is no mapping */
        } else {
            in_memory = false;         /* the mapping's copy: anonymous */
        }
    }
    bool dirty = anon || in_memory || v->shared_anon;
    uint64_t size = PAGE_SIZE, pss = ((uint64_t)PAGE_SIZE << PSS_SHIFT) / owners;
    c->resident += size;
    c->pss += pss;
    if (dirty)
        c->pss_dirty += pss;
    if (anon)
        c->anonymous += size;
    if (owners > 1)
        *(dirty ? &c->shared_dirty : &c->shared_clean) += size;
    else
        *(dirty ? &c->private_dirty : &c->private_clean) += size;
}

/* show_smap_vma_flags: the two-letter names of the VM_* flags set, in bit order. */
static void vm_flags(struct text *t, const struct vma *v)
{
    bool shared = v->shared || v->shared_anon;
    bool may_write = !v->shared || v->may_write;
    bool account = !v->fixed_pa && (((v->prot & PROT_WRITE) && !shared) || v->shared_anon);
    struct { bool set; const char *name; } flags[] = {
        { v->prot & PROT_READ, "rd" }, { v->prot & PROT_WRITE, "wr" }, { v->prot & PROT_EXEC, "ex" },
        { shared, "sh" }, { true, "mr" }, { may_write, "mw" }, { true, "me" }, { shared, "ms" },
        { v->growsdown || (v->name && !strcmp(v->name, "[stack]")), "gd" }, { v->locked, "lo" },
        { v->dontfork, "dc" }, { account, "ac" },
    };
    t->len += (size_t)snprintf(t->s + t->len, t->size - t->len, "VmFlags:");
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (flags[i].set)
            t->len += (size_t)snprintf(t->s + t->len, t->size - t->len, " %s", flags[i].name);
    t->len += (size_t)snprintf(t->s + t->len, t->size - t->len, "\n");
}

#define SMAP_MAX 1024   /* one VMA's lines past its maps line */
#define KB(bytes) ((bytes) >> 10)

static void smap(struct text *t, const struct vm *vm, const struct vma *v)
{
    struct smap_counts c = { .vma = v };
    if (!v->fixed_pa)                  /* [vdso], [vvar]: the kernel's pages, no one's RSS */
        uvm_each_page(vm->root, v->start, v->end, account_page, &c);
    uint64_t locked = v->locked ? c.pss : 0;
    t->len += (size_t)snprintf(t->s + t->len, t->size - t->len,
        "Size:           %8lu kB\nKernelPageSize: %8lu kB\nMMUPageSize:    %8lu kB\n"
        "Rss:            %8lu kB\nPss:            %8lu kB\nPss_Dirty:      %8lu kB\n"
        "Shared_Clean:   %8lu kB\nShared_Dirty:   %8lu kB\nPrivate_Clean:  %8lu kB\n"
        "Private_Dirty:  %8lu kB\nReferenced:     %8lu kB\nAnonymous:      %8lu kB\n"
        "LazyFree:       %8lu kB\nAnonHugePages:  %8lu kB\nShmemPmdMapped: %8lu kB\n"
        "FilePmdMapped:  %8lu kB\nShared_Hugetlb: %8lu kB\nPrivate_Hugetlb: %7lu kB\n"
        "Swap:           %8lu kB\nSwapPss:        %8lu kB\nLocked:         %8lu kB\n"
        "THPeligible:    %d\n",
        KB(v->end - v->start), KB(PAGE_SIZE), KB(PAGE_SIZE), KB(c.resident), KB(c.pss >> PSS_SHIFT),
        KB(c.pss_dirty >> PSS_SHIFT), KB(c.shared_clean), KB(c.shared_dirty), KB(c.private_clean),
        KB(c.private_dirty), KB(c.resident), KB(c.anonymous), 0UL, 0UL, 0UL, 0UL, 0UL, 0UL, 0UL, 0UL,
        KB(locked >> PSS_SHIFT), 0);
    vm_flags(t, v);
}

static void smaps_entry(struct text *t, const struct vm *vm, const struct vma *v)
{
    maps_line(t, v);
    smap(t, vm, v);
}

static struct file *smaps_open(const char *path, int flags)
{
    return vmas_open(path, flags, LINE_MAX + SMAP_MAX, smaps_entry);
}

void procfs_maps_init(void)
{
    procfs_pid_entry("smaps", kfile_template("smaps", smaps_open, NULL, NULL, PID_FILE));
}
