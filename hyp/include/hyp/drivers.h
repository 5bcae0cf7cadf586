/* SPDX-License-Identifier: Apache-2.0 */
/* Entry points of the physical device drivers (drivers/). */
#pragma once

#include <hyp/fdt.h>
#include <hyp/types.h>

/* PL011 / SBSA UART at base as the hypervisor console (polled). */
void pl011_console_init(paddr_t base);
