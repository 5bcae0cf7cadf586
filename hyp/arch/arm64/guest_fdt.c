/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device tree a guest boots with: memory, CPUs with PSCI, the vGICv3, the architected
 * timer, the emulated SBSA UART, the Xen /hypervisor node and /chosen (command line,
 * initramfs, random seeds).  Node and property choices follow what Xen gives an Arm domU
 * (xen-abi-facts A.1, H.3) so guests see familiar hardware.  A function of the domain's
 * configuration and of Keel's random number generator (the seeds).
 */
#include <arm64/vgic.h>
#include <hyp/arch/domain.h>
#include <hyp/errno.h>
#include <hyp/fdt_write.h>
#include <hyp/rng.h>
#include <hyp/string.h>
#include <xen/arch-arm.h>
#include <xen/version.h>

#define GIC_PHANDLE GUEST_PHANDLE_GIC
#define IRQ_TYPE_PPI 1
#define IRQ_TYPE_SPI 0
#define IRQ_LEVEL_LOW 8
#define IRQ_LEVEL_HIGH 4

static void u64_cells(uint32_t *c, uint64_t v)
{
    c[0] = (uint32_t)(v >> 32);
    c[1] = (uint32_t)v;
}

static void write_cpus(struct fdt_writer *w, struct domain *d)
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

static void write_memory(struct fdt_writer *w, struct domain *d)
{
    uint32_t reg[4 * MAX_GUEST_RAM_BANKS];
    unsigned n = 0;
    for (unsigned b = 0; b < d->nr_ram; b++) {
        u64_cells(&reg[n], d->ram[b].base);
        u64_cells(&reg[n + 2], d->ram[b].size);
        n += 4;
    }
    char name[32];
    snprintf(name, sizeof(name), "memory@%lx", d->nr_ram ? d->ram[0].base : 0);
    fdt_write_begin_node(w, name);
    fdt_write_prop_string(w, "device_type", "memory");
    fdt_write_prop_cells(w, "reg", reg, n);
    fdt_write_end_node(w);
}

static void write_gic(struct fdt_writer *w, struct domain *d)
{
    uint32_t reg[8];
    char name[48];
    uint64_t dist, redist;
    vgic_frames(d, &dist, &redist);
    u64_cells(&reg[0], dist);
    u64_cells(&reg[2], VGIC_DIST_SIZE);
    u64_cells(&reg[4], redist);
    u64_cells(&reg[6], VGIC_REDIST_STRIDE * d->nr_vcpus);
    snprintf(name, sizeof(name), "interrupt-controller@%lx", dist);
    fdt_write_begin_node(w, name);
    fdt_write_prop_string(w, "compatible", "arm,gic-v3");
    fdt_write_prop_u32(w, "#interrupt-cells", 3);
    fdt_write_prop_u32(w, "#address-cells", 2);
    fdt_write_prop_u32(w, "#size-cells", 2);
    fdt_write_property(w, "interrupt-controller", NULL, 0);
    fdt_write_prop_u32(w, "#redistributor-regions", 1);
    fdt_write_prop_cells(w, "reg", reg, 8);
    fdt_write_prop_u32(w, "phandle", GIC_PHANDLE);
    fdt_write_end_node(w);
}

static void write_timer(struct fdt_writer *w)
{
    /* Secure physical, non-secure physical, virtual, hypervisor: PPIs 13, 14, 11, 10. */
    static const uint32_t ppis[4] = { 13, 14, 11, 10 };
    uint32_t irqs[12];
    for (unsigned i = 0; i < 4; i++) {
        irqs[i * 3] = IRQ_TYPE_PPI;
        irqs[i * 3 + 1] = ppis[i];
        irqs[i * 3 + 2] = 0xf00 | IRQ_LEVEL_LOW;
    }
    fdt_write_begin_node(w, "timer");
    fdt_write_prop_string(w, "compatible", "arm,armv8-timer");
    fdt_write_prop_cells(w, "interrupts", irqs, 12);
    fdt_write_property(w, "always-on", NULL, 0);
    fdt_write_end_node(w);
}

static void write_uart(struct fdt_writer *w, struct domain *d, char *path, size_t path_len)
{
    struct guest_layout l;
    arch_guest_layout(&l);
    uint32_t reg[4], irq[3] = { IRQ_TYPE_SPI, l.uart_irq - 32, IRQ_LEVEL_HIGH };
    u64_cells(&reg[0], l.uart_base);
    u64_cells(&reg[2], 0x1000);
    snprintf(path, path_len, "/sbsa-uart@%lx", l.uart_base);
    fdt_write_begin_node(w, path + 1);
    fdt_write_prop_string(w, "compatible", "arm,sbsa-uart");
    fdt_write_prop_cells(w, "reg", reg, 4);
    fdt_write_prop_cells(w, "interrupts", irq, 3);
    fdt_write_prop_u32(w, "current-speed", 115200);
    fdt_write_end_node(w);
}

static void write_psci(struct fdt_writer *w)
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
static void write_hypervisor(struct fdt_writer *w)
{
    char version[24];
    snprintf(version, sizeof(version), "xen,xen-%d.%d", XEN_ABI_MAJOR, XEN_ABI_MINOR);
    const char *const compat[2] = { version, "xen,xen" };
    uint32_t reg[4], irq[3] = { IRQ_TYPE_PPI, GUEST_EVTCHN_PPI - 16, 0xf00 | IRQ_LEVEL_LOW };
    u64_cells(&reg[0], GUEST_GNTTAB_BASE);
    u64_cells(&reg[2], GUEST_GNTTAB_SIZE);
    fdt_write_begin_node(w, "hypervisor");
    fdt_write_prop_stringlist(w, "compatible", compat, 2);
    fdt_write_prop_cells(w, "reg", reg, 4);
    fdt_write_prop_cells(w, "interrupts", irq, 3);
    fdt_write_end_node(w);
}

static void write_chosen(struct fdt_writer *w, struct domain *d, const char *stdout_path,
                         struct gpa initrd, uint64_t initrd_size)
{
    fdt_write_begin_node(w, "chosen");
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
    if (stdout_path[0])
        fdt_write_prop_string(w, "stdout-path", stdout_path);
    if (initrd.a) {
        fdt_write_prop_u64(w, "linux,initrd-start", initrd.a);
        fdt_write_prop_u64(w, "linux,initrd-end", initrd.a + initrd_size);
    }
    fdt_write_end_node(w);
}

int arch_guest_fdt(struct domain *d, void *buf, size_t size, struct gpa initrd,
                   uint64_t initrd_size)
{
    static const char compat[] = "keel,vm\0xen,xenvm";
    struct fdt_writer w;
    char uart_path[48] = "";
    fdt_write_init(&w, buf, size);
    fdt_write_begin_node(&w, "");
    fdt_write_prop_u32(&w, "#address-cells", 2);
    fdt_write_prop_u32(&w, "#size-cells", 2);
    fdt_write_property(&w, "compatible", compat, sizeof(compat));
    fdt_write_prop_string(&w, "model", "Keel virtual machine");
    fdt_write_prop_u32(&w, "interrupt-parent", GIC_PHANDLE);
    write_cpus(&w, d);
    write_psci(&w);
    write_memory(&w, d);
    write_gic(&w, d);
    write_timer(&w);
    if (d->cfg.vpl011)
        write_uart(&w, d, uart_path, sizeof(uart_path));
    if (d->cfg.xen_enhanced)
        write_hypervisor(&w);
    write_chosen(&w, d, uart_path, initrd, initrd_size);
    fdt_write_end_node(&w);
    size_t total;
    int rc = fdt_write_finish(&w, &total);
    return rc ? rc : (int)total;
}
