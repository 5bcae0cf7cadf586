/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Emulated PL011 / SBSA generic UART, one per domain that asks for one (cfg.vpl011): enough of
 * the PrimeCell UART (Arm DDI 0183, r1p5) for Linux's amba-pl011 driver, its SBSA mode and
 * earlycon=pl011.  Output goes to the hypervisor console one line at a time, prefixed with the
 * domain's name; input comes from the console input switch (<hyp/console_switch.h>).
 *
 * Lock order: the device lock, then the vGIC (arch_guest_set_irq_level), then the console.
 */
#pragma once

#include <hyp/types.h>

struct domain;

#define VPL011_SIZE 0x1000u      /* one 4 KiB register page */
#define VPL011_RX_FIFO 32u       /* receive FIFO depth of r1p5 */
#define VPL011_LINE_MAX 256u     /* output buffered per domain before a partial line goes out */
#define VPL011_FLUSH_NS 50000000 /* a partial line (a prompt, echo) goes out after 50 ms idle */
#define VPL011_FLUSH_MAX_NS 2000000000 /* ... or after 2 s if its vCPU is kept off every pCPU */

/* Give d an emulated UART at guest-physical base (page-aligned) driving SPI irq (>= 32), and
 * register its MMIO region.  Only while d is being built.  0, -EINVAL (bad base or irq),
 * -EEXIST (d already has one, or the region overlaps another), -ENOMEM, -ENOSPC. */
int vpl011_init(struct domain *d, uint64_t base, unsigned irq);

/* Remove d's UART: takes console input away from d, prints any partial output line, frees the
 * state.  Only once d's vCPUs can no longer run (its MMIO region stays registered and must not
 * be accessed again).  No-op if d has none. */
void vpl011_destroy(struct domain *d);

/* Bytes typed for d: queued in the receive FIFO; bytes that do not fit are dropped, counted and
 * reported to the guest as an overrun.  Any CPU, interrupt context included.  No-op if d has no
 * UART. */
void vpl011_input(struct domain *d, const char *buf, size_t len);

struct vpl011_stats {
    uint64_t bytes_out;  /* written by the guest */
    uint64_t bytes_in;   /* delivered into the receive FIFO */
    uint64_t rx_dropped; /* typed while the FIFO was full */
};

/* Counters of d's UART.  false if d has none. */
bool vpl011_get_stats(struct domain *d, struct vpl011_stats *out);
