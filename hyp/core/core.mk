HYP_OBJS += hyp/core/main.c hyp/core/console.c hyp/core/bootinfo.c hyp/core/selftest.c \
            hyp/core/stubs.c
