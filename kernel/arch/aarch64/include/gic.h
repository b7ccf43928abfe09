/* Arm Generic Interrupt Controller drivers; the platform picks one from the device tree. */
#pragma once
#include <stdint.h>

void gicv2_init(uint64_t dist_pa, uint64_t cpu_pa);
void gicv3_init(uint64_t dist_pa, uint64_t redist_pa, uint64_t redist_size);

/* For gicv3_its.c: this CPU's redistributor frame (virtual; *pa gets its physical address) and
 * the distributor's GICD_TYPER (LPI support, ID bits). */
volatile uint8_t *gicv3_redistributor(uint64_t *pa);
uint32_t gicv3_dist_typer(void);

/* Message-signalled interrupt frames; each registers itself as the MSI controller (msi.h) when
 * it works, and says why on the console when it does not (PCI devices then use INTx). */
void gicv2m_init(uint64_t frame_pa, uint64_t frame_size, int spi_base, int spi_count);
void gicv3_its_init(uint64_t its_pa, uint64_t its_size);
