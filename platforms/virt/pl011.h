/* Arm PL011 UART, polled transmit. */
#pragma once
#include <stdint.h>

void pl011_init(uint64_t pa);
void pl011_putc(char c);
/* Receive interrupts into the console's input (after the interrupt controller is up). */
void pl011_enable_rx(uint32_t intid);
