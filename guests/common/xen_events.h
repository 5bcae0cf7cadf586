/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Event channels from a test guest (xen-abi-facts C.3, C.4): event_channel_op, the shared_info
 * page mapped into the guest's RAM (XENMEM_add_to_physmap), and an upcall handler for the
 * event PPI that does what Linux's 2-level handler does (clear the upcall flag, take the
 * selector, take pending & ~mask word by word) and counts each port's events.  vCPU 0 only: it
 * uses the vcpu_info in shared_info.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <xen/event_channel.h>
#include <xen/memory.h>
#include "xen.h"

#define EVTCHN_UPCALL_PPI 31 /* xen-abi-facts H.2 */
#define XEV_PORTS 4096

extern struct shared_info *xev_shared; /* NULL until xev_init succeeded */
extern unsigned xev_upcalls;           /* PPIs taken */
extern unsigned xev_count[XEV_PORTS];  /* events seen per port */

static inline long evtchn_op(unsigned cmd, void *arg)
{
    return xen_hypercall(HYPERVISOR_event_channel_op, cmd, (uintptr_t)arg, 0, 0, 0);
}

/* Map shared_info over a page of ours, route the event PPI to the counting handler (which
 * calls other_irq for any other INTID) and unmask IRQs.  0, or the add_to_physmap error. */
long xev_init(void (*other_irq)(unsigned intid));
/* The handler itself, for a guest that dispatches its own IRQs. */
void xev_upcall(void);
/* Events seen on port so far. */
static inline unsigned xev_seen(evtchn_port_t port)
{
    return __atomic_load_n(&xev_count[port % XEV_PORTS], __ATOMIC_ACQUIRE);
}
/* Set / clear port's mask bit as the guest does (atomically, in shared_info). */
void xev_mask(evtchn_port_t port, bool masked);
bool xev_pending(evtchn_port_t port);
