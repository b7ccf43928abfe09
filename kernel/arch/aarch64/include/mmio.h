/* Device register access. Every access is one plain load or store of the register's width with a
 * base register and no writeback (`ldr w0, [x1]`): under KVM an MMIO access traps to the
 * hypervisor, which can emulate it only when the abort's syndrome is valid (ESR_EL2.ISV), and the
 * architecture gives no syndrome for post-/pre-indexed or pair accesses. A C store through a
 * volatile pointer may compile to `str w2, [x1], #16` in a loop; KVM then injects an external
 * abort (seen on the MSI-X table under nested KVM). Linux's readl/writel are written the same way.
 * Ordering against memory (DMA) is the callers' job (barrier.h). */
#pragma once
#include <stdint.h>

static inline uint8_t mmio_read8(const volatile void *addr)
{
    uint8_t v;
    __asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

static inline uint16_t mmio_read16(const volatile void *addr)
{
    uint16_t v;
    __asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

static inline uint32_t mmio_read32(const volatile void *addr)
{
    uint32_t v;
    __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

static inline uint64_t mmio_read64(const volatile void *addr)
{
    uint64_t v;
    __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

static inline void mmio_write8(volatile void *addr, uint8_t v)
{
    __asm__ volatile("strb %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

static inline void mmio_write16(volatile void *addr, uint16_t v)
{
    __asm__ volatile("strh %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

static inline void mmio_write32(volatile void *addr, uint32_t v)
{
    __asm__ volatile("str %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

static inline void mmio_write64(volatile void *addr, uint64_t v)
{
    __asm__ volatile("str %x0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}
