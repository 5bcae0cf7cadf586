# SPDX-License-Identifier: Apache-2.0
# Cross toolchain and the strict flag set for code that runs at EL2 or in bare-metal guests.
CC_A64 := $(CROSS)gcc
LD_A64 := $(CROSS)ld
OBJCOPY_A64 := $(CROSS)objcopy
HOSTCC ?= gcc

WARN := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wvla -Wundef \
        -Wimplicit-fallthrough -Wno-unused-parameter
# -mstrict-align: early boot runs C with the MMU off, where memory is Device and an unaligned
# access faults (Arm ARM B2.5.2).  -fpie: the image relocates itself, see arch/arm64/head.S.
A64_CFLAGS := -std=c11 -ffreestanding -fno-builtin -nostdinc -isystem $(shell $(CC_A64) -print-file-name=include) \
        -mgeneral-regs-only -mstrict-align -fpie -include hyp/include/hyp/visibility.h -fno-stack-protector -fno-common \
        -fno-asynchronous-unwind-tables -mno-outline-atomics -fvisibility=hidden -O2 -g -MMD -MP $(WARN)
A64_ASFLAGS := -D__ASSEMBLY__ -fpie -g -MMD -MP
