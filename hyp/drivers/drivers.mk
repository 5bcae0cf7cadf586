# SPDX-License-Identifier: Apache-2.0
HYP_OBJS += hyp/drivers/pl011.c hyp/drivers/gicv3.c
