# SPDX-License-Identifier: Apache-2.0
# Scheduler: the framework, CPU pools and each policy, driven by a simulated machine with a
# simulated clock (test_sched_sim.c: timers, IPIs and the context switch are stand-ins that
# check the framework's invariants at every decision).  A policy's test includes that
# policy's .c to read its private state, so the policy is left out of its own source list.
SCHED_FW := tests/unit/test_sched_sim.c hyp/core/sched/sched.c hyp/core/sched/cpupool.c \
            hyp/core/sched/sched_ctl.c hyp/core/sched/pool_ctl.c \
            hyp/lib/cmdline.c hyp/lib/parse.c hyp/lib/fdt.c
SCHED_DEPS := tests/unit/test_sched_sim.h hyp/core/sched/sched_internal.h
# Keel's sched_yield(struct vcpu *) would otherwise replace libc's sched_yield(), which
# LeakSanitizer calls at exit.
SCHED_CFLAGS := -Ihyp/core/sched -Dsched_yield=keel_sched_yield

UNIT_TESTS += sched_credit sched_rtds sched_null sched_pools sched_pool_ops
UNIT_SRCS_sched_credit := $(SCHED_FW) hyp/core/sched/rtds.c hyp/core/sched/null.c
UNIT_DEPS_sched_credit := $(SCHED_DEPS) hyp/core/sched/credit.c
UNIT_CFLAGS_sched_credit := $(SCHED_CFLAGS)
UNIT_SRCS_sched_rtds := $(SCHED_FW) hyp/core/sched/credit.c hyp/core/sched/null.c
UNIT_DEPS_sched_rtds := $(SCHED_DEPS) hyp/core/sched/rtds.c
UNIT_CFLAGS_sched_rtds := $(SCHED_CFLAGS)
UNIT_SRCS_sched_null := $(SCHED_FW) hyp/core/sched/credit.c hyp/core/sched/rtds.c
UNIT_DEPS_sched_null := $(SCHED_DEPS) hyp/core/sched/null.c
UNIT_CFLAGS_sched_null := $(SCHED_CFLAGS)
UNIT_SRCS_sched_pools := $(SCHED_FW) hyp/core/sched/credit.c hyp/core/sched/rtds.c \
                         hyp/core/sched/null.c hyp/lib/fdt_write.c
UNIT_DEPS_sched_pools := $(SCHED_DEPS)
UNIT_CFLAGS_sched_pools := $(SCHED_CFLAGS)
# The toolstack's run-time changes (sched_ctl.c and the policies' hooks) over every policy.
UNIT_TESTS += sched_ctl
UNIT_SRCS_sched_ctl := $(SCHED_FW) hyp/core/sched/credit.c hyp/core/sched/rtds.c \
                       hyp/core/sched/null.c
UNIT_DEPS_sched_ctl := $(SCHED_DEPS)
UNIT_CFLAGS_sched_ctl := $(SCHED_CFLAGS)
# Pools changed at run time (pool_ctl.c): create, destroy, pCPUs out and in, domains moved.
UNIT_SRCS_sched_pool_ops := $(SCHED_FW) hyp/core/sched/credit.c hyp/core/sched/rtds.c \
                            hyp/core/sched/null.c
UNIT_DEPS_sched_pool_ops := $(SCHED_DEPS)
UNIT_CFLAGS_sched_pool_ops := $(SCHED_CFLAGS)
