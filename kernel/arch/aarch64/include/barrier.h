/* Ordering between the CPU and DMA-capable devices. Devices on virt are cache-coherent
 * ("dma-coherent" on the PCIe node), so no cache maintenance is needed, only ordering, in the
 * outer-shareable domain where devices observe memory. */
#pragma once

/* Writes to shared memory before this become visible to a device before writes after it. */
static inline void dma_wmb(void) { __asm__ volatile("dmb oshst" ::: "memory"); }
/* Reads of shared memory after this see at least what the read before it (an index) promised. */
static inline void dma_rmb(void) { __asm__ volatile("dmb oshld" ::: "memory"); }
/* Full ordering of shared-memory accesses, e.g. publish an index, then read the device's flags. */
static inline void dma_mb(void) { __asm__ volatile("dmb osh" ::: "memory"); }
/* Memory writes complete before a following device register write (a doorbell) is issued. */
static inline void io_wmb(void) { __asm__ volatile("dsb st" ::: "memory"); }
