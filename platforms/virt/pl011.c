/* Arm PL011 UART: transmit by polling the FIFO-full flag. QEMU (and firmware on real boards)
 * has already set the baud rate; we only make sure the UART and its transmitter are on. */
#include "kernel.h"
#include "mmio.h"
#include "mm.h"
#include "pl011.h"

#define UARTDR    0x000
#define UARTFR    0x018
#define UARTLCR_H 0x02c
#define UARTCR    0x030
#define FR_TXFF   (1u << 5)
#define LCR_FEN   (1u << 4)
#define LCR_WLEN8 (3u << 5)
#define CR_UARTEN (1u << 0)
#define CR_TXE    (1u << 8)
#define CR_RXE    (1u << 9)

static volatile uint32_t *regs;

void pl011_init(uint64_t pa)
{
    regs = ioremap(pa, 0x1000);
    mmio_write32(&regs[UARTLCR_H / 4], LCR_WLEN8 | LCR_FEN);
    mmio_write32(&regs[UARTCR / 4], CR_UARTEN | CR_TXE | CR_RXE);
}

void pl011_putc(char c)
{
    while (mmio_read32(&regs[UARTFR / 4]) & FR_TXFF)
        ;
    mmio_write32(&regs[UARTDR / 4], (uint8_t)c);
}
