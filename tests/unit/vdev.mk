# Emulated devices.  The vpl011 test goes through the real MMIO dispatch.
UNIT_TESTS += vpl011
UNIT_SRCS_vpl011 := hyp/core/vdev/vpl011.c hyp/core/vmmio.c

