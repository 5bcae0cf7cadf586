# SPDX-License-Identifier: Apache-2.0
# Hypercall dispatch, multicall and the sub-op helper, with stand-in families and guest memory.
UNIT_TESTS += hypercall
UNIT_SRCS_hypercall := tests/unit/guest_mem_stub.c hyp/core/hypercall/hypercall.c hyp/core/hypercall/multicall.c \
                       hyp/core/hypercall/subop.c hyp/core/policy.c
# domctl's and sysctl's decoding, with stand-in control operations and guest memory.
UNIT_TESTS += domctl
UNIT_SRCS_domctl := tests/unit/log_stub.c hyp/core/hypercall/domctl.c hyp/core/hypercall/sysctl.c hyp/core/ratelimit.c \
                    hyp/core/hypercall/xenctl_bitmap.c tests/unit/guest_mem_stub.c
# core/control/ (what domctl and sysctl do) over the real console ring, with stand-in domains,
# scheduler and page allocator.
UNIT_TESTS += control
UNIT_SRCS_control := hyp/core/control/dominfo.c hyp/core/control/lifecycle.c hyp/core/control/cpupool.c \
                     hyp/core/control/vcpus.c hyp/core/control/scheduler.c \
                     hyp/core/control/physinfo.c hyp/core/control/readconsole.c \
                     hyp/core/control/create.c hyp/core/control/memory.c hyp/core/control/vcpuctx.c hyp/core/console.c
# Guest-virtual access and the windows batched hypercalls read their arrays through, over a
# stand-in translation and counted frame references.
UNIT_TESTS += guest_access
UNIT_SRCS_guest_access := hyp/core/guest_access.c
