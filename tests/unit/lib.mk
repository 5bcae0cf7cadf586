UNIT_TESTS += cmdline
UNIT_SRCS_cmdline := hyp/lib/cmdline.c hyp/lib/parse.c
