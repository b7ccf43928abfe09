/* The vDSO: Linux's arm64 `linux-vdso.so.1`, so glibc's and Go's clock_gettime, gettimeofday,
 * time and clock_getres run in user space instead of trapping (vdso/vgettime.c). Two kinds of
 * pages, made once and mapped into the program at exec: the ELF itself ([vdso], read-only code,
 * embedded in the kernel image by vdso/image.S) and one data page ([vvar], read-only for the
 * program) just below it, where the kernel publishes the counter frequency and the realtime
 * offset under a sequence counter. The pages belong to the kernel: unmapping them frees nothing
 * (struct vma's fixed_pa). */
#include "kernel.h"
#include "vdso.h"
#include "vdso_data.h"
#include "vm.h"
#include "mm.h"
#include "uvm.h"
#include "timer.h"
#include "linux_abi.h"
#include "vdso_offsets.h"              /* generated from the built vDSO (vdso/vdso.mk) */
#include <string.h>

extern const char vdso_image_start[], vdso_image_end[];

static struct vdso_data *data;
static uint64_t data_pa, text_pa;

static uint64_t text_pages(void) { return (uint64_t)(vdso_image_end - vdso_image_start) >> PAGE_SHIFT; }

/* A writer between two odd/even steps of seq; readers that overlap it retry (vgettime.c). On
 * several CPUs the fences order the steps for the others; on one they cost nothing. */
static void publish(void)
{
    data->seq++;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    data->counter_freq = counter_freq();
    data->realtime_offset_ns = time_realtime_offset_ns();
    data->coarse_res_ns = NSEC_PER_SEC / TICK_HZ;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    data->seq++;
}

void vdso_time_changed(void)
{
    if (data)
        publish();
}

/* The pages are made at the first exec, not at boot: nothing pays for them before a program. */
static int make_pages(void)
{
    if (data)
        return 0;
    uint64_t n = text_pages();
    uint64_t dpa = page_alloc(1), tpa = page_alloc(n);
    if (!dpa || !tpa) {
        if (dpa)
            page_free(dpa, 1);
        if (tpa)
            page_free(tpa, n);
        return -1;
    }
    memcpy(phys_to_virt(tpa), vdso_image_start, n * PAGE_SIZE);
    memset(phys_to_virt(dpa), 0, PAGE_SIZE);
    data_pa = dpa;
    text_pa = tpa;
    data = phys_to_virt(dpa);
    publish();
    return 0;
}

static int map_kernel_pages(struct vm *vm, uint64_t at, uint64_t pa, uint64_t pages, int prot, const char *name)
{
    int err = vm_map_fixed(vm, at, pages * PAGE_SIZE, prot, NULL, 0, 0, name);
    if (err)
        return err;
    vm_find(vm, at)->fixed_pa = pa;
    for (uint64_t i = 0; i < pages; i++)       /* present now: glibc reads the ELF at once */
        if (uvm_map_page(vm->root, at + i * PAGE_SIZE, pa + i * PAGE_SIZE, prot))
            return -1;
    return 0;
}

uint64_t vdso_map(struct vm *vm)
{
    if (make_pages())
        return 0;
    uint64_t n = text_pages(), at = vm_find_free(vm, (1 + n) * PAGE_SIZE);
    if (!at || map_kernel_pages(vm, at, data_pa, 1, PROT_READ, "[vvar]") ||
        map_kernel_pages(vm, at + PAGE_SIZE, text_pa, n, PROT_READ | PROT_EXEC, "[vdso]")) {
        if (at)
            vm_unmap(vm, at, (1 + n) * PAGE_SIZE);
        return 0;
    }
    return at + PAGE_SIZE;
}

uint64_t vdso_sigreturn(uint64_t vdso) { return vdso + VDSO_RT_SIGRETURN_OFFSET; }
