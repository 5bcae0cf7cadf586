HYP_OBJS += hyp/drivers/pl011.c
