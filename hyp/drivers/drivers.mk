HYP_OBJS += hyp/drivers/pl011.c hyp/drivers/gicv3.c
