# SPDX-License-Identifier: Apache-2.0
# Host unit tests for the dom0 / host-tool libraries (no hypervisor sources).
UNIT_TESTS += xlcfg
UNIT_SRCS_xlcfg := dom0/libxlcfg/xlcfg.c dom0/libxlcfg/xlcfg_syntax.c
