/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device tree a guest boots with: memory, CPUs with PSCI, the vGICv3, the architected
 * timer, the emulated SBSA UART, the Xen /hypervisor node and /chosen (command line,
 * initramfs, random seeds).  Node and property choices follow what Xen gives an Arm domU
 * (xen-abi-facts A.1, H.3) so guests see familiar hardware.  A function of the domain's
 * configuration and of Keel's random number generator (the seeds).  A direct-mapped domain
 * (dom0) gets the host's tree instead (dom0_fdt.c), built with the node writers here.
 */
#include <arm64/vgic.h>
#include <hyp/arch/domain.h>
#include <hyp/errno.h>
#include <hyp/fdt_write.h>
#include <hyp/rng.h>
#include <hyp/string.h>
#include <xen/arch-arm.h>
#include <xen/version.h>
#include "guest_fdt_internal.h"

#define GIC_PHANDLE GUEST_PHANDLE_GIC

void guest_fdt_cpus(struct fdt_writer *w, struct domain *d)
{
    fdt_write_begin_node(w, "cpus");
    fdt_write_prop_u32(w, "#address-cells", 1);
    fdt_write_prop_u32(w, "#size-cells", 0);
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        char name[24];
        uint64_t hwid = arch_vcpu_hwid(d->vcpus[i]);
        snprintf(name, sizeof(name), "cpu@%lx", hwid);
        fdt_write_begin_node(w, name);
        fdt_write_prop_string(w, "device_type", "cpu");
        fdt_write_prop_string(w, "compatible", "arm,armv8");
        fdt_write_prop_string(w, "enable-method", "psci");
        fdt_write_prop_u32(w, "reg", (uint32_t)hwid);
        fdt_write_end_node(w);
    }
    fdt_write_end_node(w);
}

void guest_fdt_memory(struct fdt_writer *w, struct domain *d, unsigned ac, unsigned sc)
{
    uint64_t reg[2 * MAX_GUEST_RAM_BANKS];
    unsigned n = 0;
    for (unsigned b = 0; b < d->nr_ram && b < MAX_GUEST_RAM_BANKS; b++, n++) {
        reg[2 * n] = d->ram[b].base;
        reg[2 * n + 1] = d->ram[b].size;
    }
    char name[32];
    snprintf(name, sizeof(name), "memory@%lx", d->nr_ram ? d->ram[0].base : 0);
    fdt_write_begin_node(w, name);
    fdt_write_prop_string(w, "device_type", "memory");
    fdt_write_prop_reg(w, ac, sc, reg, n);
    fdt_write_end_node(w);
}

void guest_fdt_gic_props(struct fdt_writer *w, struct domain *d, unsigned ac, unsigned sc,
                         uint64_t bus_offset, unsigned int_cells, uint32_t phandle)
{
    uint64_t dist, redist;
    vgic_frames(d, &dist, &redist);
    const uint64_t reg[4] = { dist - bus_offset, VGIC_DIST_SIZE, redist - bus_offset,
                              VGIC_REDIST_STRIDE * d->nr_vcpus };
    fdt_write_prop_string(w, "compatible", "arm,gic-v3");
    fdt_write_prop_u32(w, "#interrupt-cells", int_cells);
    fdt_write_property(w, "interrupt-controller", NULL, 0);
    fdt_write_prop_u32(w, "#redistributor-regions", 1);
    fdt_write_prop_reg(w, ac, sc, reg, 2);
    fdt_write_prop_u32(w, "phandle", phandle);
}

static void write_gic(struct fdt_writer *w, struct domain *d)
{
    char name[48];
    uint64_t dist, redist;
    vgic_frames(d, &dist, &redist);
    snprintf(name, sizeof(name), "interrupt-controller@%lx", dist);
    fdt_write_begin_node(w, name);
    fdt_write_prop_u32(w, "#address-cells", 2);
    fdt_write_prop_u32(w, "#size-cells", 2);
    guest_fdt_gic_props(w, d, 2, 2, 0, 3, GIC_PHANDLE);
    fdt_write_end_node(w);
}

static void write_timer(struct fdt_writer *w)
{
    /* Secure physical, non-secure physical, virtual, hypervisor: PPIs 13, 14, 11, 10. */
    static const uint32_t ppis[4] = { 13, 14, 11, 10 };
    uint32_t irqs[12];
    for (unsigned i = 0; i < 4; i++) {
        irqs[i * 3] = GIC_IRQ_PPI;
        irqs[i * 3 + 1] = ppis[i];
        irqs[i * 3 + 2] = 0xf00 | GIC_IRQ_LEVEL_LOW;
    }
    fdt_write_begin_node(w, "timer");
    fdt_write_prop_string(w, "compatible", "arm,armv8-timer");
    fdt_write_prop_cells(w, "interrupts", irqs, 12);
    fdt_write_property(w, "always-on", NULL, 0);
    fdt_write_end_node(w);
}

static void write_uart(struct fdt_writer *w, char *path, size_t path_len)
{
    struct guest_layout l;
    arch_guest_layout(&l);
    const uint64_t reg[2] = { l.uart_base, 0x1000 };
    const uint32_t irq[3] = { GIC_IRQ_SPI, l.uart_irq - 32, GIC_IRQ_LEVEL_HIGH };
    snprintf(path, path_len, "/sbsa-uart@%lx", l.uart_base);
    fdt_write_begin_node(w, path + 1);
    fdt_write_prop_string(w, "compatible", "arm,sbsa-uart");
    fdt_write_prop_reg(w, 2, 2, reg, 1);
    fdt_write_prop_cells(w, "interrupts", irq, 3);
    fdt_write_prop_u32(w, "current-speed", 115200);
    fdt_write_end_node(w);
}

void guest_fdt_psci(struct fdt_writer *w)
{
    static const char compat[] = "arm,psci-1.0\0arm,psci-0.2\0arm,psci";
    fdt_write_begin_node(w, "psci");
    fdt_write_property(w, "compatible", compat, sizeof(compat));
    fdt_write_prop_string(w, "method", "hvc");
    fdt_write_prop_u32(w, "cpu_off", 1); /* legacy PSCI 0.1 ids, as Xen gives */
    fdt_write_prop_u32(w, "cpu_on", 2);
    fdt_write_end_node(w);
}

/* What tells a guest that it runs on Xen (xen-abi-facts A.1): a node named "hypervisor" right
 * under the root, Xen's version in its first compatible string, the grant-table window as
 * reg[0] and the event-channel upcall PPI (level-sensitive, active-low). */
void guest_fdt_hypervisor(struct fdt_writer *w, unsigned ac, unsigned sc,
                          const struct mem_range *regions, unsigned n, unsigned int_cells)
{
    char version[24];
    snprintf(version, sizeof(version), "xen,xen-%d.%d", XEN_ABI_MAJOR, XEN_ABI_MINOR);
    const char *const compat[2] = { version, "xen,xen" };
    uint32_t irq[8] = { GIC_IRQ_PPI, GUEST_EVTCHN_PPI - 16, 0xf00 | GIC_IRQ_LEVEL_LOW };
    uint64_t reg[2 * HYPERVISOR_MAX_REGIONS];
    if (n > ARRAY_SIZE(reg) / 2)
        n = ARRAY_SIZE(reg) / 2;
    for (unsigned i = 0; i < n; i++) {
        reg[2 * i] = regions[i].base;
        reg[2 * i + 1] = regions[i].size;
    }
    fdt_write_begin_node(w, "hypervisor");
    fdt_write_prop_stringlist(w, "compatible", compat, 2);
    fdt_write_prop_reg(w, ac, sc, reg, n);
    fdt_write_prop_cells(w, "interrupts", irq, int_cells < 3 ? 3 : MIN(int_cells, 8u));
    fdt_write_end_node(w);
}

void guest_fdt_chosen_props(struct fdt_writer *w, struct domain *d, struct gpa initrd,
                            uint64_t initrd_size)
{
    fdt_write_prop_string(w, "bootargs", d->cfg.bootargs);
    /* Entropy for the guest's random number generator from its first instruction: without it
     * Linux runs its boot with an uninitialised CRNG, which costs it measurable time. */
    uint8_t seed[64];
    rng_bytes(seed, sizeof(seed));
    fdt_write_property(w, "rng-seed", seed, sizeof(seed));
    /* And for its kernel's address randomisation (KASLR), which wants 8 bytes of its own. */
    uint64_t kaslr;
    rng_bytes(&kaslr, sizeof(kaslr));
    fdt_write_prop_u64(w, "kaslr-seed", kaslr);
    if (initrd.a) {
        fdt_write_prop_u64(w, "linux,initrd-start", initrd.a);
        fdt_write_prop_u64(w, "linux,initrd-end", initrd.a + initrd_size);
    }
}

static void write_chosen(struct fdt_writer *w, struct domain *d, const char *stdout_path,
                         struct gpa initrd, uint64_t initrd_size)
{
    fdt_write_begin_node(w, "chosen");
    guest_fdt_chosen_props(w, d, initrd, initrd_size);
    if (stdout_path[0])
        fdt_write_prop_string(w, "stdout-path", stdout_path);
    fdt_write_end_node(w);
}

int arch_guest_fdt(struct domain *d, void *buf, size_t size, struct gpa initrd,
                   uint64_t initrd_size)
{
    static const char compat[] = "keel,vm\0xen,xenvm";
    struct fdt_writer w;
    char uart_path[48] = "";
    if (d->cfg.direct_map)
        return dom0_fdt(d, buf, size, initrd, initrd_size);
    fdt_write_init(&w, buf, size);
    fdt_write_begin_node(&w, "");
    fdt_write_prop_u32(&w, "#address-cells", 2);
    fdt_write_prop_u32(&w, "#size-cells", 2);
    fdt_write_property(&w, "compatible", compat, sizeof(compat));
    fdt_write_prop_string(&w, "model", "Keel virtual machine");
    fdt_write_prop_u32(&w, "interrupt-parent", GIC_PHANDLE);
    guest_fdt_cpus(&w, d);
    guest_fdt_psci(&w);
    guest_fdt_memory(&w, d, 2, 2);
    write_gic(&w, d);
    write_timer(&w);
    if (d->cfg.vpl011)
        write_uart(&w, uart_path, sizeof(uart_path));
    if (d->cfg.xen_enhanced) {
        const struct mem_range gnttab = { GUEST_GNTTAB_BASE, GUEST_GNTTAB_SIZE };
        guest_fdt_hypervisor(&w, 2, 2, &gnttab, 1, 3);
    }
    write_chosen(&w, d, uart_path, initrd, initrd_size);
    fdt_write_end_node(&w);
    size_t total;
    int rc = fdt_write_finish(&w, &total);
    return rc ? rc : (int)total;
}
