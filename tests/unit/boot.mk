# SPDX-License-Identifier: Apache-2.0
# Building domains from boot input: the Linux arm64 Image checks and the domain builder (with
# the real boot device-tree digest over trees the test writes, and the rest of Keel faked).
UNIT_TESTS += kernel_image
UNIT_SRCS_kernel_image := hyp/core/kernel_image.c

UNIT_TESTS += domain_build
UNIT_SRCS_domain_build := hyp/core/domain_build.c hyp/core/kernel_image.c hyp/core/bootinfo.c \
                          hyp/lib/fdt.c hyp/lib/fdt_write.c hyp/core/event/evtchn_static.c \
                          hyp/core/dom0.c hyp/lib/cmdline.c hyp/lib/parse.c
