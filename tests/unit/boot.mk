# Building domains from boot input: the Linux arm64 Image checks.
UNIT_TESTS += kernel_image
UNIT_SRCS_kernel_image := hyp/core/kernel_image.c
