/* Arm PL011 UART, polled transmit. */
#pragma once
#include <stdint.h>

void pl011_init(uint64_t pa);
void pl011_putc(char c);
