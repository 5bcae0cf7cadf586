/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event_channel_op(cmd, arg) (xen-abi-facts C.3-C.5): sub-op numbers and arguments, port
 * states, virtual IRQs, the 2-level limits, and the FIFO ABI's event word and control block.
 * The 2-level bitmaps themselves are in struct shared_info and struct vcpu_info
 * (<xen/arch-arm.h>).
 */
#pragma once

#include <xen/xen.h>

typedef uint32_t evtchn_port_t;

#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq 1
#define EVTCHNOP_bind_pirq 2
#define EVTCHNOP_close 3
#define EVTCHNOP_send 4
#define EVTCHNOP_status 5
#define EVTCHNOP_alloc_unbound 6
#define EVTCHNOP_bind_ipi 7
#define EVTCHNOP_bind_vcpu 8
#define EVTCHNOP_unmask 9
#define EVTCHNOP_reset 10
#define EVTCHNOP_init_control 11 /* FIFO */
#define EVTCHNOP_expand_array 12 /* FIFO */
#define EVTCHNOP_set_priority 13 /* FIFO */

/* 2-level ABI: one pending and one mask bit per port in shared_info, 64 words of 64 bits; bit
 * w of a vCPU's evtchn_pending_sel says word w may hold pending unmasked ports. */
#define EVTCHN_2L_BITS_PER_WORD 64
#define EVTCHN_2L_NR_CHANNELS (EVTCHN_2L_BITS_PER_WORD * EVTCHN_2L_BITS_PER_WORD)
/* Port 0 is never allocated: Linux takes it as "no port". */
#define EVTCHN_PORT_INVALID 0

/* Allocate a port in dom that remote_dom may bind to (DOMID_SELF: the caller). */
struct evtchn_alloc_unbound {
    domid_t dom;
    domid_t remote_dom;
    evtchn_port_t port; /* OUT */
};
XEN_ABI_SIZE(struct evtchn_alloc_unbound, 8);
XEN_ABI_OFFSET(struct evtchn_alloc_unbound, dom, 0);
XEN_ABI_OFFSET(struct evtchn_alloc_unbound, remote_dom, 2);
XEN_ABI_OFFSET(struct evtchn_alloc_unbound, port, 4);

struct evtchn_bind_interdomain {
    domid_t remote_dom;
    uint16_t pad;
    evtchn_port_t remote_port; /* must be unbound and offered to the caller */
    evtchn_port_t local_port;  /* OUT; left pending after the bind */
};
XEN_ABI_SIZE(struct evtchn_bind_interdomain, 12);
XEN_ABI_OFFSET(struct evtchn_bind_interdomain, remote_dom, 0);
XEN_ABI_OFFSET(struct evtchn_bind_interdomain, remote_port, 4);
XEN_ABI_OFFSET(struct evtchn_bind_interdomain, local_port, 8);

struct evtchn_bind_virq {
    uint32_t virq;      /* VIRQ_* */
    uint32_t vcpu;      /* 0 for a global VIRQ */
    evtchn_port_t port; /* OUT */
};
XEN_ABI_SIZE(struct evtchn_bind_virq, 12);
XEN_ABI_OFFSET(struct evtchn_bind_virq, virq, 0);
XEN_ABI_OFFSET(struct evtchn_bind_virq, vcpu, 4);
XEN_ABI_OFFSET(struct evtchn_bind_virq, port, 8);

struct evtchn_bind_ipi {
    uint32_t vcpu;
    evtchn_port_t port; /* OUT */
};
XEN_ABI_SIZE(struct evtchn_bind_ipi, 8);
XEN_ABI_OFFSET(struct evtchn_bind_ipi, vcpu, 0);
XEN_ABI_OFFSET(struct evtchn_bind_ipi, port, 4);

struct evtchn_close {
    evtchn_port_t port;
};
XEN_ABI_SIZE(struct evtchn_close, 4);

struct evtchn_send {
    evtchn_port_t port;
};
XEN_ABI_SIZE(struct evtchn_send, 4);

/* Port states reported by EVTCHNOP_status. */
#define EVTCHNSTAT_closed 0
#define EVTCHNSTAT_unbound 1
#define EVTCHNSTAT_interdomain 2
#define EVTCHNSTAT_pirq 3
#define EVTCHNSTAT_virq 4
#define EVTCHNSTAT_ipi 5

struct evtchn_status {
    domid_t dom;
    uint16_t pad;
    evtchn_port_t port;
    uint32_t status; /* OUT: EVTCHNSTAT_* */
    uint32_t vcpu;   /* OUT: the vCPU notified */
    union {
        struct {
            domid_t dom; /* who may bind */
        } unbound;
        struct {
            domid_t dom;
            uint16_t pad;
            evtchn_port_t port;
        } interdomain;
        uint32_t pirq;
        uint32_t virq;
    } u; /* OUT, by status */
};
XEN_ABI_SIZE(struct evtchn_status, 24);
XEN_ABI_OFFSET(struct evtchn_status, dom, 0);
XEN_ABI_OFFSET(struct evtchn_status, port, 4);
XEN_ABI_OFFSET(struct evtchn_status, status, 8);
XEN_ABI_OFFSET(struct evtchn_status, vcpu, 12);
XEN_ABI_OFFSET(struct evtchn_status, u, 16);
XEN_ABI_OFFSET(struct evtchn_status, u.unbound.dom, 16);
XEN_ABI_OFFSET(struct evtchn_status, u.interdomain.dom, 16);
XEN_ABI_OFFSET(struct evtchn_status, u.interdomain.port, 20);
XEN_ABI_OFFSET(struct evtchn_status, u.pirq, 16);
XEN_ABI_OFFSET(struct evtchn_status, u.virq, 16);

/* Change the vCPU a port notifies (not for per-vCPU VIRQs or IPIs). */
struct evtchn_bind_vcpu {
    evtchn_port_t port;
    uint32_t vcpu;
};
XEN_ABI_SIZE(struct evtchn_bind_vcpu, 8);
XEN_ABI_OFFSET(struct evtchn_bind_vcpu, port, 0);
XEN_ABI_OFFSET(struct evtchn_bind_vcpu, vcpu, 4);

struct evtchn_unmask {
    evtchn_port_t port;
};
XEN_ABI_SIZE(struct evtchn_unmask, 4);

struct evtchn_reset {
    domid_t dom;
};
XEN_ABI_SIZE(struct evtchn_reset, 2);

/* FIFO ABI. */
struct evtchn_init_control {
    uint64_t control_gfn;
    uint32_t offset; /* of the control block in that frame */
    uint32_t vcpu;
    uint8_t link_bits; /* OUT */
    uint8_t pad[7];
};
XEN_ABI_SIZE(struct evtchn_init_control, 24);
XEN_ABI_OFFSET(struct evtchn_init_control, control_gfn, 0);
XEN_ABI_OFFSET(struct evtchn_init_control, offset, 8);
XEN_ABI_OFFSET(struct evtchn_init_control, vcpu, 12);
XEN_ABI_OFFSET(struct evtchn_init_control, link_bits, 16);
XEN_ABI_OFFSET(struct evtchn_init_control, pad, 17);

struct evtchn_expand_array {
    uint64_t array_gfn;
};
XEN_ABI_SIZE(struct evtchn_expand_array, 8);

struct evtchn_set_priority {
    evtchn_port_t port;
    uint32_t priority;
};
XEN_ABI_SIZE(struct evtchn_set_priority, 8);
XEN_ABI_OFFSET(struct evtchn_set_priority, port, 0);
XEN_ABI_OFFSET(struct evtchn_set_priority, priority, 4);

/* FIFO event word (one uint32_t per port): flag bit numbers and the link to the next port. */
#define EVTCHN_FIFO_PENDING 31
#define EVTCHN_FIFO_MASKED 30
#define EVTCHN_FIFO_LINKED 29
#define EVTCHN_FIFO_BUSY 28
#define EVTCHN_FIFO_LINK_BITS 17
#define EVTCHN_FIFO_LINK_MASK ((1U << EVTCHN_FIFO_LINK_BITS) - 1)
#define EVTCHN_FIFO_NR_CHANNELS (1U << EVTCHN_FIFO_LINK_BITS)
#define EVTCHN_FIFO_EVENT_WORDS_PER_PAGE 1024
#define EVTCHN_FIFO_MAX_QUEUES 16
#define EVTCHN_FIFO_PRIORITY_MAX 0 /* highest */
#define EVTCHN_FIFO_PRIORITY_DEFAULT 7
#define EVTCHN_FIFO_PRIORITY_MIN 15

struct evtchn_fifo_control_block {
    uint32_t ready; /* bit q: queue q is not empty */
    uint32_t rsvd;
    uint32_t head[EVTCHN_FIFO_MAX_QUEUES];
};
XEN_ABI_SIZE(struct evtchn_fifo_control_block, 72);
XEN_ABI_OFFSET(struct evtchn_fifo_control_block, ready, 0);
XEN_ABI_OFFSET(struct evtchn_fifo_control_block, head, 8);

/* Virtual IRQs.  Per-vCPU ones bind on any vCPU; global ones on vCPU 0 of one domain (the
 * hardware domain unless the toolstack moves them); on Arm the arch VIRQs are global. */
#define VIRQ_TIMER 0      /* per-vCPU */
#define VIRQ_DEBUG 1      /* per-vCPU */
#define VIRQ_CONSOLE 2    /* global: console input for the control domain */
#define VIRQ_DOM_EXC 3    /* global: a domain shut down or died */
#define VIRQ_TBUF 4       /* global */
#define VIRQ_DEBUGGER 6   /* global */
#define VIRQ_XENOPROF 7   /* per-vCPU */
#define VIRQ_CON_RING 8   /* global */
#define VIRQ_PCPU_STATE 9 /* global */
#define VIRQ_MEM_EVENT 10 /* global */
#define VIRQ_ARGO 11      /* per-domain */
#define VIRQ_ENOMEM 12    /* global */
#define VIRQ_XENPMU 13    /* per-vCPU */
#define VIRQ_ARCH_0 16
#define VIRQ_ARCH_1 17
#define VIRQ_ARCH_2 18
#define VIRQ_ARCH_3 19
#define VIRQ_ARCH_4 20
#define VIRQ_ARCH_5 21
#define VIRQ_ARCH_6 22
#define VIRQ_ARCH_7 23
#define NR_VIRQS 24
