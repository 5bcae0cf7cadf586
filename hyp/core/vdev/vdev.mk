# SPDX-License-Identifier: Apache-2.0
# Emulated devices that guests see (arch-neutral): the PL011 / SBSA UART.
HYP_OBJS += hyp/core/vdev/vpl011.c
