# SPDX-License-Identifier: Apache-2.0
# Event channels (core/event/) and event_channel_op's decoding, with stand-in domains, guest
# memory and upcall (evtchn_doubles.c); threads stand in for pCPUs.  test_evtchn: the table,
# the 2-level ABI and the operations; test_evtchn_fifo: the FIFO ABI against a guest that
# consumes its queues as Linux does (fifo_guest.c); test_evtchn_fifo_stress: the same guest
# hostile, and under load from several threads.
EVTCHN_UNIT_SRCS := hyp/core/event/evtchn.c hyp/core/event/evtchn_2l.c \
                    hyp/core/event/evtchn_fifo.c hyp/core/event/virq.c \
                    hyp/core/hypercall/event_channel_op.c hyp/core/hypercall/subop.c \
                    hyp/core/policy.c tests/unit/evtchn_doubles.c
EVTCHN_UNIT_DEPS := hyp/core/event/evtchn_internal.h hyp/core/hypercall/subop.h \
                    tests/unit/evtchn_doubles.h

UNIT_TESTS += evtchn
UNIT_SRCS_evtchn := $(EVTCHN_UNIT_SRCS)
UNIT_DEPS_evtchn := $(EVTCHN_UNIT_DEPS)
UNIT_CFLAGS_evtchn := -pthread

UNIT_TESTS += evtchn_fifo
UNIT_SRCS_evtchn_fifo := $(EVTCHN_UNIT_SRCS) tests/unit/fifo_guest.c
UNIT_DEPS_evtchn_fifo := $(EVTCHN_UNIT_DEPS) tests/unit/fifo_guest.h

UNIT_TESTS += evtchn_fifo_stress
UNIT_SRCS_evtchn_fifo_stress := $(UNIT_SRCS_evtchn_fifo)
UNIT_DEPS_evtchn_fifo_stress := $(UNIT_DEPS_evtchn_fifo)
UNIT_CFLAGS_evtchn_fifo_stress := -pthread
