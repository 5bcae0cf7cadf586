/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Event channels from a test guest: see xen_events.h.
 */
#include "xen_events.h"
#include "gic.h"

struct shared_info *xev_shared;
unsigned xev_upcalls;
unsigned xev_count[XEV_PORTS];

static uint8_t shared_page[4096] __attribute__((aligned(4096)));
static void (*other)(unsigned intid);

#define BITS 64

void xev_upcall(void)
{
    struct vcpu_info *vi = &xev_shared->vcpu_info[0];
    __atomic_add_fetch(&xev_upcalls, 1, __ATOMIC_RELEASE);
    /* Linux's loop: the flag first, then the selector, then each word; again while the flag
     * came back up meanwhile. */
    while (__atomic_exchange_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST)) {
        xen_ulong_t sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        while (sel) {
            unsigned w = (unsigned)__builtin_ctzl(sel);
            sel &= sel - 1;
            xen_ulong_t bits = __atomic_load_n(&xev_shared->evtchn_pending[w], __ATOMIC_SEQ_CST) &
                               ~__atomic_load_n(&xev_shared->evtchn_mask[w], __ATOMIC_SEQ_CST);
            __atomic_fetch_and(&xev_shared->evtchn_pending[w], ~bits, __ATOMIC_SEQ_CST);
            while (bits) {
                unsigned b = (unsigned)__builtin_ctzl(bits);
                bits &= bits - 1;
                __atomic_add_fetch(&xev_count[w * BITS + b], 1, __ATOMIC_RELEASE);
            }
        }
    }
}

static void on_irq(unsigned intid)
{
    if (intid == EVTCHN_UPCALL_PPI && xev_shared)
        xev_upcall();
    else if (other)
        other(intid);
}

long xev_init(void (*other_irq)(unsigned intid))
{
    struct xen_add_to_physmap a = {
        .domid = DOMID_SELF,
        .space = XENMAPSPACE_shared_info,
        .idx = 0,
        .gpfn = (uintptr_t)shared_page >> 12,
    };
    /* No dirty line of the page we give up may be written back over whatever it becomes. */
    for (uintptr_t p = (uintptr_t)shared_page; p < (uintptr_t)shared_page + 4096; p += 64)
        __asm__ volatile("dc civac, %0" : : "r"(p) : "memory");
    __asm__ volatile("dsb sy" : : : "memory");
    long r = xen_hypercall(HYPERVISOR_memory_op, XENMEM_add_to_physmap, (uintptr_t)&a, 0, 0, 0);
    if (r)
        return r;
    xev_shared = (struct shared_info *)shared_page;
    other = other_irq;
    irq_set_handler(on_irq);
    gic_set_priority(EVTCHN_UPCALL_PPI, GIC_PRIO_DEFAULT);
    gic_enable(EVTCHN_UPCALL_PPI);
    /* An upcall raised before our GIC was set up (a static channel's bind at boot) may be
     * gone with the PPI's pending state, while the flag stays up and no new edge comes: look
     * once, as Linux does after registering its vcpu_info. */
    xev_upcall();
    __asm__ volatile("msr daifclr, #2" : : : "memory");
    return 0;
}

void xev_mask(evtchn_port_t port, bool masked)
{
    xen_ulong_t bit = (xen_ulong_t)1 << (port % BITS);
    if (masked)
        __atomic_fetch_or(&xev_shared->evtchn_mask[port / BITS], bit, __ATOMIC_SEQ_CST);
    else
        __atomic_fetch_and(&xev_shared->evtchn_mask[port / BITS], ~bit, __ATOMIC_SEQ_CST);
}

bool xev_pending(evtchn_port_t port)
{
    return __atomic_load_n(&xev_shared->evtchn_pending[port / BITS], __ATOMIC_SEQ_CST) &
           ((xen_ulong_t)1 << (port % BITS));
}
