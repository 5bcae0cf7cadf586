/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading the host's device tree the way an operating system does, for what dom0 is given: a
 * walk that knows every node's ancestors, bus addresses translated to host-physical through
 * the parents' "ranges", and the GIC interrupt specifiers of "interrupts",
 * "interrupts-extended" and "interrupt-map" (Devicetree Specification v0.4, 2.3.8, 2.4).
 * Pure functions of a validated struct fdt; nothing here allocates or locks.
 */
#pragma once

#include <hyp/fdt.h>

/* A depth-first walk: path[0] is the root, path[depth] the current node. */
struct host_dt_iter {
    const struct fdt *f;
    int depth;
    int path[FDT_MAX_DEPTH + 1];
};

/* Start at the root of f.  false if f holds no tree. */
bool host_dt_iter_init(struct host_dt_iter *it, const struct fdt *f);
/* Move to the next node in document order, not into the current node's subtree if
 * skip_children.  false at the end of the tree. */
bool host_dt_iter_next(struct host_dt_iter *it, bool skip_children);
/* Position it at node, ancestors known.  false if node is no node of f. */
bool host_dt_iter_find(struct host_dt_iter *it, const struct fdt *f, int node);

static inline int host_dt_node(const struct host_dt_iter *it)
{
    return it->path[it->depth];
}

/* How many entries the current node's "reg" has, and how many windows its "ranges" (0 when
 * absent or empty: an identity mapping adds no window of its own).  0 also when the cell
 * counts are ones Keel does not read: addresses of 1-3 cells, sizes of 1-2 (a reg without
 * sizes, as under /cpus, names no memory). */
unsigned host_dt_nr_reg(const struct host_dt_iter *it);
unsigned host_dt_nr_windows(const struct host_dt_iter *it);
/*
 * Entry idx of the current node's "reg", or window idx of its "ranges" (the parent side: what it
 * maps for its children), as a host-physical range.  0; -ENOENT past the end; -EINVAL if it is
 * no CPU address: an ancestor bus without "ranges" (an I2C bus, /chosen), an address outside
 * all of a bus's windows, a range that wraps.
 */
int host_dt_reg(const struct host_dt_iter *it, unsigned idx, uint64_t *base, uint64_t *size);
int host_dt_window(const struct host_dt_iter *it, unsigned idx, uint64_t *base, uint64_t *size);

/* One GIC interrupt specifier: its first three cells (Linux's arm,gic-v3 binding). */
struct host_dt_irq {
    uint32_t type; /* 0 SPI, 1 PPI, 2 extended SPI, 3 extended PPI */
    uint32_t num;  /* within its type: SPI n is INTID 32 + n, PPI n INTID 16 + n */
    uint32_t flags;
};

typedef int (*host_dt_irq_fn)(void *ctx, const struct host_dt_irq *irq);

/*
 * Call fn for each specifier of the current node's interrupts ("interrupts-extended" if it has
 * one, else "interrupts" with the interrupt parent inherited from the nearest ancestor) whose
 * controller is the node gic; with map, for each entry of its "interrupt-map" whose parent is
 * gic instead.  Specifiers of other controllers are passed over; a property that cannot be
 * parsed (an unknown phandle, a controller without #interrupt-cells, a short entry) ends its
 * walk quietly.  Returns 0, or the first non-zero value fn returned (which stops the walk).
 */
int host_dt_gic_irqs(const struct host_dt_iter *it, int gic, bool map, host_dt_irq_fn fn,
                     void *ctx);

/* Whether node is enabled: its "status" is "okay" or "ok", or it has none. */
bool host_dt_available(const struct fdt *f, int node);
