/* GICv2m: an MSI frame in front of a block of the GIC's SPIs. A device's write of an SPI's INTID
 * to the frame's MSI_SETSPI_NS register makes that SPI pending, so each vector is one SPI,
 * edge-triggered. The frame says which SPIs are its own in MSI_TYPER (a device tree may correct
 * that with arm,msi-base-spi / arm,msi-num-spis, for frames known to report them wrongly). The
 * device id plays no part: every device writes the same doorbell. */
#include "kernel.h"
#include "mmio.h"
#include "gic.h"
#include "irq.h"
#include "msi.h"
#include "mm.h"

#define V2M_MSI_TYPER      0x008
#define V2M_MSI_SETSPI_NS  0x040
#define V2M_FRAME_SIZE     0x1000
#define V2M_FIRST_SPI      32
#define V2M_LAST_SPI       1019

static uint64_t doorbell;              /* physical address of MSI_SETSPI_NS */
static uint32_t next_spi, end_spi, total;

static bool v2m_alloc(uint32_t device_id, irq_handler_t handler, void *arg, struct msi_message *msg)
{
    if (next_spi == end_spi) {
        kprintf("gicv2m: all %u MSI SPIs are in use\n", total);
        return false;
    }
    uint32_t spi = next_spi++;
    irq_register_msi(spi, handler, arg);
    msg->address = doorbell;
    msg->data = spi;
    return true;
}

static const struct msi_controller v2m = { "v2m", v2m_alloc };

void gicv2m_init(uint64_t frame_pa, uint64_t frame_size, int spi_base, int spi_count)
{
    if (frame_size < V2M_FRAME_SIZE) {
        kprintf("gicv2m: frame at %#lx is %#lx bytes, need %#x; MSI off\n", frame_pa, frame_size, V2M_FRAME_SIZE);
        return;
    }
    volatile uint32_t *frame = ioremap(frame_pa, V2M_FRAME_SIZE);
    uint32_t typer = mmio_read32(&frame[V2M_MSI_TYPER / 4]);
    uint32_t base = spi_base >= 0 ? (uint32_t)spi_base : (typer >> 16) & 0x3ff;
    uint32_t count = spi_count >= 0 ? (uint32_t)spi_count : typer & 0x3ff;
    if (count == 0 || base < V2M_FIRST_SPI || base + count - 1 > V2M_LAST_SPI) {
        kprintf("gicv2m: frame at %#lx offers SPIs %u+%u, outside %u..%u; MSI off\n",
                frame_pa, base, count, V2M_FIRST_SPI, V2M_LAST_SPI);
        return;
    }
    doorbell = frame_pa + V2M_MSI_SETSPI_NS;
    next_spi = base;
    end_spi = base + count;
    total = count;
    msi_set_controller(&v2m);
    kinfo("gicv2m: frame %#lx, SPIs %u..%u\n", frame_pa, base, end_spi - 1);
}
