# SPDX-License-Identifier: Apache-2.0
HYP_OBJS += hyp/lib/string.c hyp/lib/fmt.c hyp/lib/fdt.c hyp/lib/fdt_write.c hyp/lib/cmdline.c hyp/lib/parse.c
