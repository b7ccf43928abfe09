/* Arm PL011 UART: transmit by polling the FIFO-full flag. QEMU (and firmware on real boards)
 * has already set the baud rate; we only make sure the UART and its transmitter are on. */
#include "kernel.h"
#include "mmio.h"
#include "mm.h"
#include "pl011.h"
#include "console.h"
#include "irq.h"

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

/* Receiving (the program's stdin, console.c): an interrupt whenever a byte arrives (QEMU's
 * PL011 raises RX at one byte; the receive timeout covers real FIFOs), drained into the
 * console's buffer. When that is full the interrupts are masked, so the line level drops and
 * the bytes wait in the FIFO, until a read calls pl011_rx_resume. */
#define UARTIMSC 0x038
#define UARTICR  0x044
#define FR_RXFE  (1u << 4)
#define INT_RX   (1u << 4)
#define INT_RT   (1u << 6)

static void pl011_rx_resume(void)
{
    mmio_write32(&regs[UARTIMSC / 4], INT_RX | INT_RT);
}

static void pl011_rx_interrupt(void *arg)
{
    while (!(mmio_read32(&regs[UARTFR / 4]) & FR_RXFE)) {
        if (!console_input_room()) {
            mmio_write32(&regs[UARTIMSC / 4], 0);
            if (console_input_room())   /* a reader made room meanwhile: its resume may be lost */
                pl011_rx_resume();
            return;   /* the RX interrupt stays pending (masked) while bytes wait in the FIFO */
        }
        console_input((uint8_t)mmio_read32(&regs[UARTDR / 4]));
    }
    mmio_write32(&regs[UARTICR / 4], INT_RT);   /* RX clears itself as the FIFO drains; the timeout does not */
}

void pl011_enable_rx(uint32_t intid)
{
    console_register_input(pl011_rx_resume);
    irq_register(intid, pl011_rx_interrupt, NULL);
    pl011_rx_resume();
    console_input_open();
}
