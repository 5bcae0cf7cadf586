/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device-tree node writers shared by the tree a domU boots with (guest_fdt.c) and the one dom0
 * boots with (dom0_fdt.c, derived from the host's), with what differs as parameters: cell
 * counts, the GIC's phandle, the /hypervisor windows.  Each writes through a struct
 * fdt_writer, whose errors are sticky: the caller checks once at the end.
 */
#pragma once

#include <hyp/domain.h>
#include <hyp/fdt_write.h>

/* GIC interrupt specifier cells (Linux's arm,gic-v3 binding): type, number, flags. */
#define GIC_IRQ_SPI 0
#define GIC_IRQ_PPI 1
#define GIC_IRQ_EDGE_RISING 1
#define GIC_IRQ_EDGE_FALLING 2
#define GIC_IRQ_LEVEL_HIGH 4
#define GIC_IRQ_LEVEL_LOW 8

/* Regions a /hypervisor node lists at most: the grant window and extended regions.  Xen allows
 * 128; a host has a handful of holes worth one, and the writer builds reg on the stack. */
#define HYPERVISOR_MAX_REGIONS 32

/* /cpus: one cpu node per vCPU of d (its MPIDR as reg), started through PSCI. */
void guest_fdt_cpus(struct fdt_writer *w, struct domain *d);
/* /psci: Keel's PSCI 1.0 over HVC. */
void guest_fdt_psci(struct fdt_writer *w);
/* One memory node holding d's RAM banks, reg in the root's ac/sc cells. */
void guest_fdt_memory(struct fdt_writer *w, struct domain *d, unsigned ac, unsigned sc);
/*
 * The properties of d's vGICv3 node; the caller opens and closes the node (and adds any
 * #address-cells/#size-cells).  reg = the distributor and one redistributor region for d's
 * vCPUs at vgic_frames(), less bus_offset (what the parent bus adds to its child addresses:
 * 0 under the root), in the parent's ac/sc cells; int_cells is #interrupt-cells.
 */
void guest_fdt_gic_props(struct fdt_writer *w, struct domain *d, unsigned ac, unsigned sc,
                         uint64_t bus_offset, unsigned int_cells, uint32_t phandle);
/*
 * /hypervisor (xen-abi-facts A.1): reg = regions[0] (the grant-table window) then regions[1..n)
 * (extended regions; HYPERVISOR_MAX_REGIONS in all at most) in the root's ac/sc cells, and the
 * event-channel PPI as a specifier of int_cells cells (3, or more with zeros after the flags).
 */
void guest_fdt_hypervisor(struct fdt_writer *w, unsigned ac, unsigned sc,
                          const struct mem_range *regions, unsigned n, unsigned int_cells);
/* Keel's /chosen properties: d's command line, random seeds, the initrd if any (guest
 * addresses).  The caller opens and closes the node. */
void guest_fdt_chosen_props(struct fdt_writer *w, struct domain *d, struct gpa initrd,
                            uint64_t initrd_size);

/* arch_guest_fdt() for a direct-mapped domain (dom0): the host's tree, adapted (dom0_fdt.c). */
int dom0_fdt(struct domain *d, void *buf, size_t size, struct gpa initrd, uint64_t initrd_size);
