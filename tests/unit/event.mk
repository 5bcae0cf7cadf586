# SPDX-License-Identifier: Apache-2.0
# Event channels (core/event/) and event_channel_op's decoding, with stand-in domains, guest
# memory and upcall; threads stand in for pCPUs.
UNIT_TESTS += evtchn
UNIT_SRCS_evtchn := hyp/core/event/evtchn.c hyp/core/event/evtchn_2l.c hyp/core/event/evtchn_fifo.c \
                    hyp/core/event/virq.c \
                    hyp/core/hypercall/event_channel_op.c hyp/core/hypercall/subop.c \
                    hyp/core/policy.c
UNIT_DEPS_evtchn := hyp/core/event/evtchn_internal.h hyp/core/hypercall/subop.h
UNIT_CFLAGS_evtchn := -pthread
