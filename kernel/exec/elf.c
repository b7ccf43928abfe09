/* The ELF loader: static, static-PIE and dynamic programs. For a dynamic one we map the program
 * and its PT_INTERP (ld-linux-aarch64.so.1) and start the interpreter; ld.so does the rest.
 * Segments become file-backed VMAs, so nothing is read until it is touched. */
#include "kernel.h"
#include "bootargs.h"
#include "signal_arch.h"
#include "exec.h"
#include "process.h"
#include "vm.h"
#include "rlimit_mem.h"
#include "vfs.h"
#include "mm.h"
#include "errno.h"
#include "linux_abi.h"
#include "uaccess.h"
#include "random.h"
#include "hwcap.h"
#include "timer.h"
#include "vdso.h"
#include <string.h>

#define EM_AARCH64   183
#define ET_EXEC      2
#define ET_DYN       3
#define PT_LOAD      1
#define PT_INTERP    3
#define PT_PHDR      6
#define PF_X         1
#define PF_W         2
#define PF_R         4
#define MAX_PHDRS    64

/* Where things go in the 48-bit user space (Linux arm64 uses the same neighbourhoods). */
#define PIE_BASE     0xaaaaaaaa0000UL        /* ET_DYN programs: 2/3 of the way up */
#define STACK_TOP    (USER_VA_END - PAGE_SIZE)
/* The stack: a MAP_GROWSDOWN mapping that starts as the argument pages plus Linux's 128 KiB
 * (setup_arg_pages' stack_expand) and grows on faults up to RLIMIT_STACK (mm/vm.c). */
#define STACK_EXPAND (128UL << 10)
/* Linux's mmap_base: the mmap area starts below the stack's room (RLIMIT_STACK, the guard gap,
 * the stack's random shift), that room kept within [MIN_GAP, MAX_GAP]. */
#define MIN_GAP      (128UL << 20)
#define MAX_GAP      (STACK_TOP / 6 * 5)
/* Address-space layout randomisation as Linux arm64 does it by default: the PIE base, the mmap
 * area and the stack top each move down or up by a random number of pages within 1 GiB
 * (mmap_rnd_bits = 18, STACK_RND_MASK), and the heap starts up to 1 GiB past the program's end
 * (arch_randomize_brk). The kernel option noaslr keeps the layout fixed (like setarch -R). */
#define RND_BITS     18
#define BRK_RND      (1UL << 30)

struct elf64_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct loaded {
    struct elf64_ehdr eh;
    struct elf64_phdr ph[MAX_PHDRS];
    uint64_t bias;        /* load address minus link address */
    uint64_t end;         /* highest mapped address (page-aligned) */
    /* Linux's start_data/end_data: the highest segment's start, the highest end of file bytes */
    uint64_t start_data, end_data;
};

/* Is the layout randomised? Not with noaslr or personality's ADDR_NO_RANDOMIZE. */
static bool randomized(void)
{
    return !boot_manifest()->noaslr && !(current_process()->personality & ADDR_NO_RANDOMIZE);
}

/* A random page-aligned offset below (1 << bits) pages; 0 with noaslr. */
static uint64_t random_offset(unsigned bits)
{
    uint64_t r = 0;
    if (!randomized())
        return 0;
    random_bytes(&r, sizeof(r));
    return (r & ((1UL << bits) - 1)) << PAGE_SHIFT;
}

/* execve's failures are the caller's errno only (a shell tries every PATH entry); the first
 * program's are also a console line saying why. */
static bool quiet;

static int fail(const char *path, const char *why, int err)
{
    if (!quiet)
        kprintf("exec: %s: %s\n", path, why);
    return err;
}

static int read_exact(struct vnode *v, uint64_t off, void *buf, uint64_t len)
{
    int64_t n = vfs_read(v, off, buf, len);
    return n == (int64_t)len ? 0 : -ENOEXEC;
}

static int read_headers(const char *path, struct vnode *v, struct loaded *l)
{
    struct vstat st;
    if (vfs_type(v) != VNODE_FILE)
        return fail(path, "not a regular file", -EACCES);
    if (vfs_stat(v, &st) || read_exact(v, 0, &l->eh, sizeof(l->eh)))
        return fail(path, "too short to be an ELF file", -ENOEXEC);
    const uint8_t *id = l->eh.ident;
    if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
        return fail(path, "not an ELF file", -ENOEXEC);
    if (id[4] != 2 || id[5] != 1 || l->eh.machine != EM_AARCH64)
        return fail(path, "not a 64-bit little-endian aarch64 ELF", -ENOEXEC);
    if (l->eh.type != ET_EXEC && l->eh.type != ET_DYN)
        return fail(path, "not an executable or shared object", -ENOEXEC);
    if (l->eh.phentsize != sizeof(struct elf64_phdr) || l->eh.phnum == 0 || l->eh.phnum > MAX_PHDRS ||
        l->eh.phoff > st.size || l->eh.phnum * sizeof(struct elf64_phdr) > st.size - l->eh.phoff)
        return fail(path, "bad program header table", -ENOEXEC);
    if (read_exact(v, l->eh.phoff, l->ph, l->eh.phnum * sizeof(struct elf64_phdr)))
        return fail(path, "cannot read program headers", -ENOEXEC);
    return 0;
}

static int prot_of(uint32_t flags)
{
    return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) |
           ((flags & PF_X) ? PROT_EXEC : 0);
}

/* Map every PT_LOAD. base_hint: where an ET_DYN object should go (0: anywhere free). */
static int map_segments(const char *path, struct vm *vm, struct vnode *v, struct loaded *l, uint64_t base_hint)
{
    uint64_t lo = ~0UL, hi = 0;
    for (int i = 0; i < l->eh.phnum; i++) {
        struct elf64_phdr *p = &l->ph[i];
        if (p->type != PT_LOAD || p->memsz == 0)
            continue;
        if (p->filesz > p->memsz || (p->vaddr % PAGE_SIZE) != (p->offset % PAGE_SIZE) ||
            p->vaddr + p->memsz < p->vaddr || p->vaddr + p->memsz > USER_VA_END)
            return fail(path, "bad PT_LOAD segment", -ENOEXEC);
        if (p->vaddr < lo) lo = p->vaddr;
        if (p->vaddr + p->memsz > hi) hi = p->vaddr + p->memsz;
    }
    if (hi == 0)
        return fail(path, "no loadable segments", -ENOEXEC);
    lo = ALIGN_DOWN(lo, PAGE_SIZE);
    hi = ALIGN_UP(hi, PAGE_SIZE);
    l->bias = 0;
    if (l->eh.type == ET_DYN) {
        uint64_t base = base_hint && vm_range_free(vm, base_hint, hi - lo) ? base_hint : vm_find_free(vm, hi - lo);
        if (!base)
            return fail(path, "no room in the address space", -ENOMEM);
        l->bias = base - lo;
    }
    for (int i = 0; i < l->eh.phnum; i++) {
        struct elf64_phdr *p = &l->ph[i];
        if (p->type != PT_LOAD || p->memsz == 0)
            continue;
        uint64_t start = ALIGN_DOWN(p->vaddr, PAGE_SIZE);
        uint64_t end = ALIGN_UP(p->vaddr + p->memsz, PAGE_SIZE);
        uint64_t file_bytes = p->vaddr + p->filesz - start;
        int err = vm_map_fixed(vm, start + l->bias, end - start, prot_of(p->flags), v,
                               ALIGN_DOWN(p->offset, PAGE_SIZE), file_bytes, NULL);
        if (err)
            return fail(path, "cannot map a segment", err);
    }
    l->end = hi + l->bias;
    l->start_data = l->end_data = 0;
    for (int i = 0; i < l->eh.phnum; i++) {
        struct elf64_phdr *p = &l->ph[i];
        if (p->type != PT_LOAD)
            continue;
        if (p->vaddr > l->start_data)
            l->start_data = p->vaddr;
        if (p->vaddr + p->filesz > l->end_data)
            l->end_data = p->vaddr + p->filesz;
    }
    l->start_data += l->bias;
    l->end_data += l->bias;
    return 0;
}

static uint64_t phdr_address(struct loaded *l)
{
    for (int i = 0; i < l->eh.phnum; i++)
        if (l->ph[i].type == PT_PHDR)
            return l->ph[i].vaddr + l->bias;
    for (int i = 0; i < l->eh.phnum; i++) {
        struct elf64_phdr *p = &l->ph[i];
        if (p->type == PT_LOAD && l->eh.phoff >= p->offset && l->eh.phoff - p->offset < p->filesz)
            return p->vaddr + (l->eh.phoff - p->offset) + l->bias;
    }
    return 0;
}

/* Push bytes onto the new stack (top-down); returns the user address or 0 on fault. */
static uint64_t push(uint64_t *sp, const void *data, uint64_t len)
{
    *sp -= len;
    return copy_to_user(*sp, data, len) ? 0 : *sp;
}

static int build_stack(struct process *p, struct loaded *prog, uint64_t interp_base, uint64_t vdso, const char *path,
                       int argc, const char *const *argv, int envc, const char *const *envp,
                       uint64_t stack_top, uint64_t *sp_out)
{
    uint64_t sp = stack_top;
    uint64_t *argv_u = kmalloc((argc + envc + 2) * sizeof(uint64_t));
    uint64_t *envp_u = argv_u + argc + 1;
    uint8_t rnd[16];
    uint64_t hwcap, hwcap2;
    if (!argv_u)
        return -ENOMEM;

    size_t cmdline_len = 0;
    for (int i = 0; i < argc; i++)
        cmdline_len += strlen(argv[i]) + 1;
    char *cmdline = kmalloc(cmdline_len ? cmdline_len : 1);
    if (cmdline) {                     /* what /proc/<pid>/cmdline shows from now on */
        cmdline_len = 0;
        for (int i = 0; i < argc; i++) {
            memcpy(cmdline + cmdline_len, argv[i], strlen(argv[i]) + 1);
            cmdline_len += strlen(argv[i]) + 1;
        }
        kfree(p->cmdline);
        p->cmdline = cmdline;
        p->cmdline_len = cmdline_len;
    }
    uint64_t execfn = push(&sp, path, strlen(path) + 1);
    for (int i = envc - 1; i >= 0; i--)
        envp_u[i] = push(&sp, envp[i], strlen(envp[i]) + 1);
    for (int i = argc - 1; i >= 0; i--)
        argv_u[i] = push(&sp, argv[i], strlen(argv[i]) + 1);
    uint64_t platform = push(&sp, "aarch64", 8);
    random_bytes(rnd, sizeof(rnd));
    sp &= ~15UL;
    uint64_t random = push(&sp, rnd, sizeof(rnd));
    arch_hwcaps(&hwcap, &hwcap2);

    uint64_t auxv[][2] = {
        { AT_PHDR, phdr_address(prog) }, { AT_PHENT, sizeof(struct elf64_phdr) },
        { AT_PHNUM, prog->eh.phnum }, { AT_PAGESZ, PAGE_SIZE }, { AT_BASE, interp_base },
        { AT_FLAGS, 0 }, { AT_ENTRY, prog->eh.entry + prog->bias }, { AT_UID, p->cred.uid }, { AT_EUID, p->cred.euid },
        { AT_GID, p->cred.gid }, { AT_EGID, p->cred.egid }, { AT_SECURE, 0 }, { AT_HWCAP, hwcap }, { AT_HWCAP2, hwcap2 },
        { AT_CLKTCK, TICK_HZ }, { AT_RANDOM, random }, { AT_PLATFORM, platform },
        { AT_EXECFN, execfn }, { AT_MINSIGSTKSZ, arch_signal_min_stack() },
        { vdso ? AT_SYSINFO_EHDR : AT_IGNORE, vdso }, { AT_NULL, 0 },
    };
    _Static_assert(sizeof(auxv) <= sizeof(p->saved_auxv), "PROCESS_AUXV_WORDS holds the auxv");
    memset(p->saved_auxv, 0, sizeof(p->saved_auxv));
    memcpy(p->saved_auxv, auxv, sizeof(auxv));
    p->env_start = envc ? envp_u[0] : execfn;   /* the strings lie in order, below execfn's */
    p->env_end = execfn;
    p->arg_start = argc ? argv_u[0] : p->env_start;
    p->arg_end = p->env_start;                  /* argv's strings end where envp's begin */
    /* argc, argv[], NULL, envp[], NULL, auxv: keep the final sp 16-byte aligned. */
    uint64_t words = 1 + argc + 1 + envc + 1 + 2 * ARRAY_SIZE(auxv);
    sp = (sp - words * 8) & ~15UL;
    uint64_t cursor = sp, zero = 0, argc64 = argc;
    int bad = copy_to_user(cursor, &argc64, 8);
    cursor += 8;
    bad |= copy_to_user(cursor, argv_u, argc * 8);
    cursor += argc * 8;
    bad |= copy_to_user(cursor, &zero, 8);
    cursor += 8;
    bad |= copy_to_user(cursor, envp_u, envc * 8);
    cursor += envc * 8;
    bad |= copy_to_user(cursor, &zero, 8);
    cursor += 8;
    bad |= copy_to_user(cursor, auxv, sizeof(auxv));
    kfree(argv_u);
    if (bad || !execfn || !platform || !random)
        return -EFAULT;
    *sp_out = sp;
    return 0;
}

static int load(struct process *p, struct vnode *v, const char *path, int argc, const char *const *argv,
                int envc, const char *const *envp, struct user_entry *out);

int exec_program(struct process *p, const char *path, int argc, const char *const *argv,
                 int envc, const char *const *envp, struct user_entry *out)
{
    struct vnode *v;
    int err;
    quiet = false;
    if ((err = vfs_lookup(NULL, path, VFS_FOLLOW, &v)))
        return fail(path, "not found in the image", err);
    return load(p, v, path, argc, argv, envc, envp, out);
}

int exec_vnode(struct process *p, struct vnode *v, const char *path, int argc, const char *const *argv,
               int envc, const char *const *envp, struct user_entry *out)
{
    quiet = true;
    return load(p, v, path, argc, argv, envc, envp, out);
}

static int load_with(struct process *p, struct vnode *v, const char *path, int argc, const char *const *argv,
                     int envc, const char *const *envp, struct user_entry *out, struct loaded *prog,
                     struct loaded *interp);

static int load(struct process *p, struct vnode *v, const char *path, int argc, const char *const *argv,
                int envc, const char *const *envp, struct user_entry *out)
{
    struct loaded *prog = kzalloc(sizeof(*prog)), *interp = kzalloc(sizeof(*interp));
    int err = prog && interp ? load_with(p, v, path, argc, argv, envc, envp, out, prog, interp) : -ENOMEM;
    kfree(prog);
    kfree(interp);
    return err;
}

static uint64_t mmap_base(void)
{
    uint64_t gap = rlimit_stack_max(), pad = STACK_GUARD_GAP;
    if (randomized())
        pad += ((1UL << RND_BITS) - 1) << PAGE_SHIFT;   /* STACK_RND_MASK: the stack's shift */
    if (gap + pad > gap)               /* near RLIM_INFINITY it would wrap */
        gap += pad;
    gap = gap < MIN_GAP ? MIN_GAP : gap > MAX_GAP ? MAX_GAP : gap;
    return ALIGN_DOWN(STACK_TOP - gap - random_offset(RND_BITS), PAGE_SIZE);
}

/* The stack mapping's first size: the pages the strings fill plus STACK_EXPAND, not past
 * RLIMIT_STACK (setup_arg_pages); the pointers and auxv go into the expansion. */
static uint64_t initial_stack_size(const char *path, int argc, const char *const *argv, int envc,
                                   const char *const *envp)
{
    uint64_t strings = strlen(path) + 1 + sizeof(void *);
    for (int i = 0; i < argc; i++)
        strings += strlen(argv[i]) + 1;
    for (int i = 0; i < envc; i++)
        strings += strlen(envp[i]) + 1;
    uint64_t size = ALIGN_UP(strings, PAGE_SIZE), limit = ALIGN_DOWN(rlimit_stack_max(), PAGE_SIZE);
    if (size + STACK_EXPAND <= limit)
        return size + STACK_EXPAND;
    return limit > size ? limit : size;
}

static int load_with(struct process *p, struct vnode *v, const char *path, int argc, const char *const *argv,
                     int envc, const char *const *envp, struct user_entry *out, struct loaded *prog,
                     struct loaded *interp)
{
    struct vnode *iv = NULL;
    char interp_path[VFS_PATH_MAX];
    int err;

    struct vm *vm = p->vm;
    uint64_t stack_top = STACK_TOP - random_offset(RND_BITS);
    vm->mmap_top = mmap_base();
    if ((err = read_headers(path, v, prog)))
        return err;
    interp_path[0] = 0;
    for (int i = 0; i < prog->eh.phnum; i++) {
        struct elf64_phdr *ph = &prog->ph[i];
        if (ph->type != PT_INTERP)
            continue;
        if (ph->filesz < 2 || ph->filesz > sizeof(interp_path) ||
            read_exact(v, ph->offset, interp_path, ph->filesz) || interp_path[ph->filesz - 1])
            return fail(path, "bad PT_INTERP", -ENOEXEC);
    }
    if ((err = map_segments(path, vm, v, prog, PIE_BASE + random_offset(RND_BITS))))
        return err;
    uint64_t entry = prog->eh.entry + prog->bias, interp_base = 0;
    if (interp_path[0]) {
        if ((err = vfs_lookup(NULL, interp_path, VFS_FOLLOW, &iv)))
            return fail(interp_path, "interpreter not found in the image", err);
        if ((err = read_headers(interp_path, iv, interp)) || (err = map_segments(interp_path, vm, iv, interp, 0)))
            return err;
        interp_base = interp->bias;
        entry = interp->eh.entry + interp->bias;
    }
    vm->start_data = prog->start_data;
    vm->end_data = prog->end_data;
    vm->brk_start = vm->brk = prog->end + random_offset(__builtin_ctzl(BRK_RND) - PAGE_SHIFT);
    uint64_t stack_size = initial_stack_size(path, argc, argv, envc, envp);
    if ((err = vm_map_fixed(vm, stack_top - stack_size, stack_size, PROT_READ | PROT_WRITE, NULL, 0, 0, "[stack]")))
        return err;
    vm_find(vm, stack_top - stack_size)->growsdown = true;
    p->exe = v;
    /* Without the vDSO (out of memory, `novdso`) the program's clocks are system calls, and
     * handlers return through a trampoline page of its own ([sigpage]). */
    uint64_t vdso = boot_manifest()->novdso ? 0 : vdso_map(vm);
    p->sigreturn_page = vdso ? vdso_sigreturn(vdso) : arch_map_sigreturn_page(vm);
    if (!p->sigreturn_page)
        return fail(path, "cannot map the signal return page", -ENOMEM);
    if ((err = build_stack(p, prog, interp_base, vdso, path, argc, argv, envc, envp, stack_top, &out->sp)))
        return fail(path, "cannot build the initial stack", err);
    out->pc = entry;
    return 0;
}
