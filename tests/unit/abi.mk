# SPDX-License-Identifier: Apache-2.0
# The Xen ABI headers (abi/xen/) on the host: layouts, encodings and errno values.
UNIT_TESTS += abi
UNIT_SRCS_abi :=
