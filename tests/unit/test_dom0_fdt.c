/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dom0's device tree (hyp/arch/arm64/dom0_fdt.c), built from host trees (data/dom0_*.dts, one
 * of them QEMU virt's own) for a fake dom0 and read back with Keel's reader: what is left out,
 * what is copied byte for byte, the vGIC in the host GIC's place, Keel's nodes, the
 * /hypervisor windows against everything the host has; and the devices dom0 is given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arm64/dom0_fdt.h>
#include <arm64/vgic.h>
#include <hyp/arch/domain.h>
#include <hyp/bootinfo.h>
#include <hyp/errno.h>
#include <hyp/fdt.h>
#include "unit_blob.h"

UNIT_BLOB(qemu_dtb, "dom0_qemu_virt.dtb");
UNIT_BLOB(odd_dtb, "dom0_odd.dtb");
UNIT_BLOB(nophandle_dtb, "dom0_nophandle.dtb");
UNIT_BLOB(nogic_dtb, "dom0_nogic.dtb");
UNIT_BLOB(old_phandle_dtb, "dom0_old_phandle.dtb");
UNIT_BLOB(root_phandle_dtb, "dom0_root_phandle.dtb");
UNIT_BLOB(host_dt_dtb, "host_dt.dtb");
UNIT_BLOB(fdt_basic_dtb, "fdt_basic.dtb");
UNIT_BLOB(bootinfo_qemu_dtb, "bootinfo_qemu.dtb");
UNIT_BLOB(bootinfo_alias_dtb, "bootinfo_alias.dtb");
UNIT_BLOB(bootinfo_edge_dtb, "bootinfo_edge.dtb");
UNIT_BLOB(bootinfo_nomem_dtb, "bootinfo_nomem.dtb");

/* --- Test doubles --- */

struct bootinfo bootinfo;
static uint64_t gic_dist, gic_redist; /* where vgic_frames puts dom0's vGIC: the host GIC */

void *heap_alloc(size_t size)
{
    return malloc(size);
}

void heap_free(void *p)
{
    free(p);
}

uint64_t arch_vcpu_hwid(const struct vcpu *v)
{
    return v->id;
}

void arch_guest_layout(struct guest_layout *out)
{
    memset(out, 0, sizeof(*out));
}

void vgic_frames(const struct domain *d, uint64_t *dist, uint64_t *redist)
{
    *dist = gic_dist;
    *redist = gic_redist;
}

/* --- Fixtures --- */

#define QEMU_UART 0x09000000UL
#define ODD_UART 0x11000000UL
#define INITRD 0x50000000UL
#define INITRD_SIZE 0x200000UL

static unsigned char *host_blob;
static struct domain *dom0;
static uint8_t buf[65536];

static void use_host(const unsigned char *start, const unsigned char *end, paddr_t uart,
                     uint64_t dist, uint64_t redist)
{
    size_t len;
    free(host_blob);
    host_blob = unit_blob_dup(start, end, &len);
    assert_int_equal(fdt_open(&bootinfo.fdt, host_blob, len, NULL), 0);
    bootinfo.uart_base = uart;
    bootinfo.nr_mem = 0;
    gic_dist = dist;
    gic_redist = redist;
}

static void add_host_ram(uint64_t base, uint64_t size)
{
    bootinfo.mem[bootinfo.nr_mem++] = (struct mem_range){ base, size };
}

/* dom0: 2 vCPUs, its RAM in two banks at host addresses, a command line. */
static struct domain *make_dom0(uint64_t b0, uint64_t s0, uint64_t b1, uint64_t s1)
{
    struct domain *d = calloc(1, sizeof(*d));
    d->nr_vcpus = 2;
    for (unsigned i = 0; i < 2; i++) {
        d->vcpus[i] = calloc(1, sizeof(struct vcpu));
        d->vcpus[i]->id = i;
        d->vcpus[i]->dom = d;
    }
    d->ram[0] = (struct mem_range){ b0, s0 };
    d->ram[1] = (struct mem_range){ b1, s1 };
    d->nr_ram = 2;
    d->cfg.nr_vcpus = 2;
    d->cfg.direct_map = true;
    d->cfg.xen_enhanced = true;
    strcpy(d->cfg.bootargs, "console=hvc0 earlycon=xenboot root=/dev/vda");
    return d;
}

static void free_dom0(void)
{
    if (!dom0)
        return;
    for (unsigned i = 0; i < dom0->nr_vcpus; i++)
        free(dom0->vcpus[i]);
    free(dom0);
    dom0 = NULL;
}

static int teardown(void **state)
{
    free_dom0();
    free(host_blob);
    host_blob = NULL;
    memset(&bootinfo, 0, sizeof(bootinfo));
    return 0;
}

static void qemu_host(void)
{
    use_host(qemu_dtb, qemu_dtb_end, QEMU_UART, 0x08000000, 0x080a0000);
    add_host_ram(0x40000000, 0x40000000);
    dom0 = make_dom0(0x48000000, 0x10000000, 0x60000000, 0x08000000);
}

static void odd_host(void)
{
    use_host(odd_dtb, odd_dtb_end, ODD_UART, 0x10000000, 0x10100000);
    add_host_ram(0x80000000, 0x40000000);
    dom0 = make_dom0(0x90000000, 0x08000000, 0xa0000000, 0x04000000);
}

/* dom0's tree into buf, opened as out; returns its size. */
static int build(struct fdt *out)
{
    int n = arch_guest_fdt(dom0, buf, sizeof(buf), GPA(INITRD), INITRD_SIZE);
    assert_true(n > 0);
    assert_int_equal(fdt_open(out, buf, (size_t)n, NULL), 0);
    return n;
}

/* --- Helpers --- */

static bool str_in(const char *s, const char *const *list)
{
    for (; list && *list; list++)
        if (!strcmp(s, *list))
            return true;
    return false;
}

/* Every property of host's hnode is in dom0's dnode byte for byte, except those in missing
 * (which must be absent), and dnode has nothing else. */
static void assert_copied(const struct fdt *host, int hnode, const struct fdt *d, int dnode,
                          const char *const *missing)
{
    unsigned nh = 0, nd = 0;
    for (int q = fdt_first_prop(host, hnode); q >= 0; q = fdt_next_prop(host, q)) {
        const char *name;
        uint32_t len, dlen;
        const void *v = fdt_prop_at(host, q, &name, &len);
        const void *dv = fdt_prop(d, dnode, name, &dlen);
        if (str_in(name, missing)) {
            assert_null(dv);
            continue;
        }
        if (!dv)
            fail_msg("%s: property %s not copied", fdt_name(host, hnode), name);
        assert_int_equal(dlen, len);
        assert_memory_equal(dv, v, len);
        nh++;
    }
    for (int q = fdt_first_prop(d, dnode); q >= 0; q = fdt_next_prop(d, q))
        nd++;
    assert_int_equal(nd, nh);
}

/* The full path of node in f. */
static void node_path(const struct fdt *f, int node, char *out, size_t size)
{
    int chain[FDT_MAX_DEPTH + 1], n = 0;
    for (int x = node; x > 0; x = fdt_parent(f, x))
        chain[n++] = x;
    size_t len = 0;
    out[0] = 0;
    while (n-- > 0)
        len += (size_t)snprintf(out + len, size - len, "/%s", fdt_name(f, chain[n]));
    if (!len)
        snprintf(out, size, "/");
}

static bool under(const char *path, const char *top)
{
    size_t n = strlen(top);
    return !strncmp(path, top, n) && (path[n] == 0 || path[n] == '/');
}

static uint64_t reg_at(const struct fdt *f, int node, unsigned i, uint64_t *size)
{
    uint64_t base;
    assert_int_equal(fdt_reg(f, node, i, &base, size), 0);
    return base;
}

/* --- What dom0's devices are --- */

#define MAX_SEEN 256

struct seen {
    struct mem_range mmio[MAX_SEEN];
    unsigned nr_mmio;
    unsigned spi[MAX_SEEN];
    bool edge[MAX_SEEN];
    unsigned nr_spi;
    int stop_after; /* return -EIO from the callback after this many calls (0: never) */
    unsigned calls;
};

static int seen_mmio(void *ctx, paddr_t base, uint64_t size)
{
    struct seen *s = ctx;
    assert_true(s->nr_mmio < MAX_SEEN);
    s->mmio[s->nr_mmio++] = (struct mem_range){ base, size };
    return s->stop_after && ++s->calls >= (unsigned)s->stop_after ? -EIO : 0;
}

static int seen_spi(void *ctx, unsigned intid, bool edge)
{
    struct seen *s = ctx;
    assert_true(s->nr_spi < MAX_SEEN);
    s->edge[s->nr_spi] = edge;
    s->spi[s->nr_spi++] = intid;
    return s->stop_after && ++s->calls >= (unsigned)s->stop_after ? -EIO : 0;
}

static const struct dom0_device_ops seen_ops = { seen_mmio, seen_spi };

static void devices(struct seen *s)
{
    memset(s, 0, sizeof(*s));
    assert_int_equal(arch_dom0_devices(&bootinfo.fdt, bootinfo.uart_base, &seen_ops, s), 0);
    /* The contract: page aligned, in order, none overlapping or touching; SPIs ascending. */
    for (unsigned i = 0; i < s->nr_mmio; i++) {
        assert_true(s->mmio[i].size > 0);
        assert_int_equal(s->mmio[i].base % PAGE_SIZE, 0);
        assert_int_equal(s->mmio[i].size % PAGE_SIZE, 0);
        if (i)
            assert_true(s->mmio[i - 1].base + s->mmio[i - 1].size < s->mmio[i].base);
    }
    for (unsigned i = 1; i < s->nr_spi; i++)
        assert_true(s->spi[i - 1] < s->spi[i]);
}

static bool mmio_covers(const struct seen *s, uint64_t base, uint64_t size)
{
    for (unsigned i = 0; i < s->nr_mmio; i++)
        if (base >= s->mmio[i].base && base + size <= s->mmio[i].base + s->mmio[i].size)
            return true;
    return false;
}

static bool mmio_touches(const struct seen *s, uint64_t base, uint64_t size)
{
    for (unsigned i = 0; i < s->nr_mmio; i++)
        if (base < s->mmio[i].base + s->mmio[i].size && s->mmio[i].base < base + size)
            return true;
    return false;
}

/* -1 if intid was not reported, else whether it is edge-triggered. */
static int spi_edge(const struct seen *s, unsigned intid)
{
    for (unsigned i = 0; i < s->nr_spi; i++)
        if (s->spi[i] == intid)
            return s->edge[i];
    return -1;
}

/* --- QEMU virt --- */

/* The nodes Keel replaces or leaves out of QEMU virt's tree; everything else is copied. */
static const char *const qemu_not_copied[] = {
    "/psci", "/memory@40000000", "/pl011@9000000", "/pmu", "/intc@8000000", "/cpus", "/chosen",
    NULL,
};

static void qemu_dropped_nodes_are_gone(void **state)
{
    struct fdt f;
    qemu_host();
    build(&f);
    assert_true(fdt_path(&f, "/memory@40000000") < 0);
    assert_true(fdt_path(&f, "/pl011@9000000") < 0);
    assert_true(fdt_path(&f, "/pmu") < 0);
    assert_true(fdt_find_compatible(&f, -1, "arm,armv8-pmuv3") < 0);
    assert_true(fdt_find_compatible(&f, -1, "arm,gic-v3-its") < 0);
    assert_true(fdt_find_compatible(&f, -1, "arm,pl011") < 0);
    assert_true(fdt_path(&f, "/cpus/cpu-map") < 0);
    assert_true(fdt_path(&f, "/reserved-memory") < 0);
    /* One of each node Keel writes. */
    assert_int_equal(
        fdt_find_compatible(&f, fdt_find_compatible(&f, -1, "arm,psci-1.0"), "arm,psci-1.0"), -1);
    assert_int_equal(fdt_find_compatible(&f, fdt_find_compatible(&f, -1, "xen,xen"), "xen,xen"),
                     -1);
}

static void qemu_kept_nodes_are_byte_identical(void **state)
{
    static const char *const pcie_missing[] = { "msi-map", NULL }; /* it names the ITS */
    struct fdt f;
    qemu_host();
    build(&f);
    const struct fdt *h = &bootinfo.fdt;
    unsigned compared = 0;
    for (int n = fdt_next_node(h, 0, NULL); n >= 0; n = fdt_next_node(h, n, NULL)) {
        char path[256];
        node_path(h, n, path, sizeof(path));
        bool skip = false;
        for (unsigned i = 0; qemu_not_copied[i]; i++)
            skip |= under(path, qemu_not_copied[i]);
        if (skip)
            continue;
        int dn = fdt_path(&f, path);
        if (dn < 0)
            fail_msg("%s missing from dom0's tree", path);
        assert_copied(h, n, &f, dn, !strcmp(path, "/pcie@10000000") ? pcie_missing : NULL);
        compared++;
    }
    /* platform bus, fw-cfg, 32 virtio-mmio, gpio-keys + poweroff, pl061, pcie, pl031, flash,
     * timer, apb-pclk */
    assert_int_equal(compared, 42);
    /* The root: the host's properties, interrupt parent included (the GIC keeps its phandle). */
    assert_copied(h, 0, &f, 0, NULL);
}

static void qemu_gic_is_the_vgic(void **state)
{
    struct fdt f;
    qemu_host();
    build(&f);
    int gic = fdt_path(&f, "/intc@8000000");
    assert_true(gic >= 0);
    uint32_t v;
    assert_true(fdt_prop_u32(&f, gic, "phandle", &v));
    assert_int_equal(v, 0x8003);
    assert_true(fdt_prop_u32(&f, 0, "interrupt-parent", &v));
    assert_int_equal(v, 0x8003);
    assert_true(fdt_compatible(&f, gic, "arm,gic-v3"));
    assert_true(fdt_has_prop(&f, gic, "interrupt-controller"));
    assert_true(fdt_prop_u32(&f, gic, "#interrupt-cells", &v));
    assert_int_equal(v, 3);
    assert_true(fdt_prop_u32(&f, gic, "#redistributor-regions", &v));
    assert_int_equal(v, 1);
    /* The host's #address-cells stays: PCIe's interrupt-map has 2-cell GIC unit addresses. */
    assert_true(fdt_prop_u32(&f, gic, "#address-cells", &v));
    assert_int_equal(v, 2);
    uint64_t size;
    assert_int_equal(reg_at(&f, gic, 0, &size), 0x08000000);
    assert_int_equal(size, VGIC_DIST_SIZE);
    assert_int_equal(reg_at(&f, gic, 1, &size), 0x080a0000);
    assert_int_equal(size, 2 * VGIC_REDIST_STRIDE);
    assert_int_equal(fdt_reg(&f, gic, 2, NULL, NULL), -ENOENT);
    /* No maintenance interrupt, no ITS, nothing below it. */
    assert_false(fdt_has_prop(&f, gic, "interrupts"));
    assert_false(fdt_has_prop(&f, gic, "ranges"));
    assert_int_equal(fdt_first_child(&f, gic), -1);
}

static void qemu_keel_nodes(void **state)
{
    struct fdt f;
    qemu_host();
    build(&f);
    /* Memory: dom0's banks, at host addresses. */
    int mem = fdt_path(&f, "/memory@48000000");
    assert_true(mem >= 0);
    uint64_t size;
    assert_int_equal(reg_at(&f, mem, 0, &size), 0x48000000);
    assert_int_equal(size, 0x10000000);
    assert_int_equal(reg_at(&f, mem, 1, &size), 0x60000000);
    assert_int_equal(size, 0x08000000);
    assert_int_equal(fdt_reg(&f, mem, 2, NULL, NULL), -ENOENT);
    /* dom0's vCPUs, not the host's CPUs. */
    uint32_t v;
    assert_true(fdt_prop_u32(&f, fdt_path(&f, "/cpus/cpu@1"), "reg", &v));
    assert_int_equal(v, 1);
    assert_string_equal(fdt_prop(&f, fdt_path(&f, "/cpus/cpu@0"), "enable-method", NULL), "psci");
    assert_true(fdt_path(&f, "/cpus/cpu@2") < 0);
    /* Keel's PSCI over HVC. */
    int psci = fdt_path(&f, "/psci");
    assert_string_equal(fdt_prop(&f, psci, "method", NULL), "hvc");
    assert_false(fdt_has_prop(&f, psci, "cpu_suspend"));
    /* /chosen: dom0's command line and initrd, fresh seeds, no console path. */
    int chosen = fdt_path(&f, "/chosen");
    assert_string_equal(fdt_prop(&f, chosen, "bootargs", NULL),
                        "console=hvc0 earlycon=xenboot root=/dev/vda");
    assert_false(fdt_has_prop(&f, chosen, "stdout-path"));
    uint32_t len;
    assert_non_null(fdt_prop(&f, chosen, "rng-seed", &len));
    assert_int_equal(len, 64); /* Keel's, not QEMU's 32 bytes */
    assert_non_null(fdt_prop(&f, chosen, "kaslr-seed", &len));
    assert_int_equal(len, 8);
    uint64_t start, end;
    assert_true(fdt_prop_u64(&f, chosen, "linux,initrd-start", &start));
    assert_true(fdt_prop_u64(&f, chosen, "linux,initrd-end", &end));
    assert_int_equal(start, INITRD);
    assert_int_equal(end, INITRD + INITRD_SIZE);
    assert_int_equal(fdt_first_child(&f, chosen), -1);
    /* The timer is the host's (same PPIs). */
    assert_true(fdt_path(&f, "/timer") >= 0);
}

/* Independent of dom0_fdt.c: every range QEMU virt's tree says something is at. */
static unsigned qemu_used(const struct fdt *h, struct mem_range *out)
{
    unsigned n = 0;
    for (int c = fdt_first_child(h, 0); c >= 0; c = fdt_next_sibling(h, c)) {
        uint64_t b, s;
        for (unsigned i = 0; fdt_reg(h, c, i, &b, &s) == 0; i++)
            if (fdt_size_cells(h, 0) && s)
                out[n++] = (struct mem_range){ b, s };
        /* One level down under buses that map 1:1 (the ITS under the GIC). */
        uint32_t len;
        if (fdt_prop(h, c, "ranges", &len) && len == 0)
            for (int g = fdt_first_child(h, c); g >= 0; g = fdt_next_sibling(h, g))
                for (unsigned i = 0; fdt_reg(h, g, i, &b, &s) == 0; i++)
                    out[n++] = (struct mem_range){ b, s };
    }
    /* PCIe: 3-cell bus address, 2-cell CPU address, 2-cell size; the platform bus: 1, 2, 1. */
    int pcie = fdt_path(h, "/pcie@10000000"), pbus = fdt_path(h, "/platform-bus@c000000");
    uint32_t len;
    const uint8_t *r = fdt_prop(h, pcie, "ranges", &len);
    for (uint32_t o = 0; o + 28 <= len; o += 28)
        out[n++] = (struct mem_range){ fdt64(r + o + 12), fdt64(r + o + 20) };
    r = fdt_prop(h, pbus, "ranges", &len);
    assert_int_equal(len, 16);
    out[n++] = (struct mem_range){ fdt64(r + 4), fdt32(r + 12) };
    return n;
}

static bool overlaps(struct mem_range a, struct mem_range b)
{
    return a.base < b.base + b.size && b.base < a.base + a.size;
}

static void qemu_hypervisor_windows_overlap_nothing(void **state)
{
    static const char compat[] = "xen,xen-4.17\0xen,xen";
    struct fdt f;
    qemu_host();
    build(&f);
    int hv = fdt_path(&f, "/hypervisor");
    assert_true(hv >= 0);
    uint32_t len;
    const void *c = fdt_prop(&f, hv, "compatible", &len);
    assert_int_equal(len, sizeof(compat));
    assert_memory_equal(c, compat, sizeof(compat));
    const uint8_t *irq = fdt_prop(&f, hv, "interrupts", &len);
    assert_int_equal(len, 12);
    assert_int_equal(fdt32(irq), 1);
    assert_int_equal(fdt32(irq + 4), 15); /* INTID 31 */
    assert_int_equal(fdt32(irq + 8), 0xf08);

    struct mem_range used[128];
    unsigned nu = qemu_used(&bootinfo.fdt, used);
    assert_true(nu > 40);
    used[nu++] = (struct mem_range){ 0, 0x200000 }; /* the first 2 MiB stay unused */
    uint64_t base, size, total = 0;
    unsigned i;
    for (i = 0; fdt_reg(&f, hv, i, &base, &size) == 0; i++) {
        struct mem_range r = { base, size };
        for (unsigned u = 0; u < nu; u++)
            if (overlaps(r, used[u]))
                fail_msg("window %u [%lx, %lx) overlaps host range [%lx, %lx)", i, base,
                         base + size, used[u].base, used[u].base + used[u].size);
        assert_true(base + size <= (1UL << 40));
        if (i == 0) {
            assert_int_equal(size, 16UL << 20);
            assert_int_equal(base % (16UL << 20), 0);
            /* The first free 16 MiB: between the last virtio-mmio and the platform bus. */
            assert_int_equal(base, 0x0b000000);
        } else {
            assert_true(size >= 64UL << 20);
            assert_int_equal(base % (2UL << 20), 0);
            assert_int_equal(size % (2UL << 20), 0);
        }
        total += size;
    }
    assert_true(i >= 2);
    /* Nearly all of [2 GiB, 256 GiB) and [257 GiB, 512 GiB) are free on QEMU virt. */
    assert_true(total > (500UL << 30));
}

static void qemu_devices(void **state)
{
    struct seen s;
    qemu_host();
    devices(&s);
    /* virtio-mmio transports: 32 of 0x200 bytes from 0x0a000000, SPIs 48-79, edge. */
    for (unsigned i = 0; i < 32; i++) {
        assert_true(mmio_covers(&s, 0x0a000000 + 0x200 * i, 0x200));
        assert_int_equal(spi_edge(&s, 48 + i), 1);
    }
    /* pl031 (SPI 34), fw-cfg, pl061 (SPI 39), level. */
    assert_true(mmio_covers(&s, 0x09010000, 0x1000));
    assert_true(mmio_covers(&s, 0x09020000, 0x1000));
    assert_true(mmio_covers(&s, 0x09030000, 0x1000));
    assert_int_equal(spi_edge(&s, 34), 0);
    assert_int_equal(spi_edge(&s, 39), 0);
    /* PCIe: ECAM, I/O window, 32- and 64-bit memory windows; INTx on SPIs 35-38, level. */
    assert_true(mmio_covers(&s, 0x4010000000, 0x10000000));
    assert_true(mmio_covers(&s, 0x3eff0000, 0x10000));
    assert_true(mmio_covers(&s, 0x10000000, 0x2eff0000));
    assert_true(mmio_covers(&s, 0x8000000000, 0x8000000000));
    for (unsigned i = 35; i <= 38; i++)
        assert_int_equal(spi_edge(&s, i), 0);
    /* Flash. */
    assert_true(mmio_covers(&s, 0, 0x08000000));
    /* Not Keel's UART nor its SPI 33, not the GIC (distributor, ITS, redistributors), no RAM,
     * not the empty platform bus (it is no PCI bridge). */
    assert_false(mmio_touches(&s, QEMU_UART, 0x1000));
    assert_int_equal(spi_edge(&s, 33), -1);
    assert_false(mmio_touches(&s, 0x08000000, 0x01000000));
    assert_false(mmio_touches(&s, 0x40000000, 0x40000000));
    assert_false(mmio_touches(&s, 0x0c000000, 0x02000000));
    assert_int_equal(s.nr_spi, 32 + 2 + 4);
    /* flash | pl031 | fw-cfg | pl061 | virtio | PCIe 32-bit + I/O | ECAM | 64-bit */
    assert_int_equal(s.nr_mmio, 8);
}

/* A callback's error stops the walk and comes back. */
static void callback_error_stops(void **state)
{
    struct seen s;
    qemu_host();
    memset(&s, 0, sizeof(s));
    s.stop_after = 2;
    assert_int_equal(arch_dom0_devices(&bootinfo.fdt, QEMU_UART, &seen_ops, &s), -EIO);
    assert_int_equal(s.nr_mmio, 2);
    assert_int_equal(s.nr_spi, 0);
    memset(&s, 0, sizeof(s));
    s.stop_after = 10; /* 8 ranges, then the second SPI */
    assert_int_equal(arch_dom0_devices(&bootinfo.fdt, QEMU_UART, &seen_ops, &s), -EIO);
    assert_int_equal(s.nr_spi, 2);
}

static void too_small_a_buffer(void **state)
{
    static uint8_t small[65536];
    qemu_host();
    int n = arch_guest_fdt(dom0, small, sizeof(small), GPA(0), 0);
    assert_true(n > 4096 && n < 32768);
    assert_int_equal(arch_guest_fdt(dom0, small, (size_t)n - 1, GPA(0), 0), -ENOSPC);
    assert_int_equal(arch_guest_fdt(dom0, small, 4096, GPA(0), 0), -ENOSPC);
    assert_int_equal(arch_guest_fdt(dom0, small, 16, GPA(0), 0), -ENOSPC);
    assert_int_equal(arch_guest_fdt(dom0, small, (size_t)n, GPA(0), 0), n);
}

/* --- The free address space on its own --- */

static void free_space(void **state)
{
    struct dom0_space sp;
    qemu_host();
    const struct mem_range ram = { 0x40000000, 0x40000000 };
    assert_int_equal(dom0_free_space(&bootinfo.fdt, &ram, 1, &sp), 0);
    assert_int_equal(sp.gnttab.base, 0x0b000000);
    assert_int_equal(sp.gnttab.size, GUEST_GNTTAB_SIZE);
    /* [2 GiB, ECAM), [after ECAM, 64-bit window): the rest is too small. */
    assert_int_equal(sp.nr_ext, 2);
    assert_int_equal(sp.ext[0].base, 0x80000000);
    assert_int_equal(sp.ext[0].base + sp.ext[0].size, 0x4010000000);
    assert_int_equal(sp.ext[1].base, 0x4020000000);
    assert_int_equal(sp.ext[1].base + sp.ext[1].size, 0x8000000000);
    /* Something else at 0x0b000000 moves the window to the next hole (after the platform
     * bus); something there too, to the one between PCIe's I/O window and RAM. */
    struct mem_range used[3] = { ram, { 0x0b000000, 0x1000 } };
    assert_int_equal(dom0_free_space(&bootinfo.fdt, used, 2, &sp), 0);
    assert_int_equal(sp.gnttab.base, 0x0e000000);
    used[2] = (struct mem_range){ 0x0e800000, 0x1000000 };
    assert_int_equal(dom0_free_space(&bootinfo.fdt, used, 3, &sp), 0);
    assert_int_equal(sp.gnttab.base, 0x3f000000);
    assert_int_equal(sp.ext[0].base, 0x80000000);
    /* All holes below RAM taken: the window comes out of the first extended region.  The
     * tree's own memory node counts even if the caller's list says less. */
    used[2] = (struct mem_range){ 0x0e000000, 0x2000000 };
    used[1] = (struct mem_range){ 0x0b000000, 0x35000000 };
    used[0].size = 0x20000000;
    assert_int_equal(dom0_free_space(&bootinfo.fdt, used, 3, &sp), 0);
    assert_int_equal(sp.gnttab.base, 0x80000000);
    assert_int_equal(sp.ext[0].base, 0x81000000);
    /* Nothing free: no grant window. */
    const struct mem_range all = { 0, 1UL << 40 };
    assert_int_equal(dom0_free_space(&bootinfo.fdt, &all, 1, &sp), -ENOSPC);
}

/* --- A host tree with what QEMU virt lacks --- */

static void odd_tree(void **state)
{
    struct fdt f;
    odd_host();
    build(&f);
    const struct fdt *h = &bootinfo.fdt;
    /* Left out: Keel's UART, the ITS, PMU, SPE, memory-mapped timer, the stale /hypervisor. */
    assert_true(fdt_path(&f, "/soc/serial@1000000") < 0);
    assert_true(fdt_find_compatible(&f, -1, "arm,gic-v3-its") < 0);
    assert_true(fdt_path(&f, "/pmu") < 0);
    assert_true(fdt_path(&f, "/spe") < 0);
    assert_true(fdt_path(&f, "/soc/timer-mem@1007000") < 0);
    assert_true(fdt_path(&f, "/reserved-memory") < 0);
    assert_true(fdt_path(&f, "/memory@c0000000") < 0);
    assert_int_equal(fdt_find_compatible(&f, fdt_find_compatible(&f, -1, "xen,xen"), "xen,xen"),
                     -1); /* only Keel's /hypervisor, checked below */
    /* Kept as they are, disabled ones too, but without what points at left-out nodes. */
    static const char *const dma_missing[] = { "msi-parent", "memory-region", NULL };
    assert_copied(h, fdt_path(h, "/soc/dma@1005000"), &f, fdt_path(&f, "/soc/dma@1005000"),
                  dma_missing);
    static const char *const kept[] = { "/soc",
                                        "/soc/serial@1001000",
                                        "/soc/rtc@1002000",
                                        "/soc/gpio@1003000",
                                        "/soc/keys",
                                        "/soc/sharer@1000800",
                                        "/soc/disabled@1004000",
                                        "/soc/noreg",
                                        "/soc/i2c@1006000",
                                        "/soc/i2c@1006000/eeprom@50",
                                        "/timer" };
    for (unsigned i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
        assert_copied(h, fdt_path(h, kept[i]), &f, fdt_path(&f, kept[i]), NULL);
    /* Aliases and symbols naming left-out nodes are gone, the others stay. */
    int al = fdt_path(&f, "/aliases");
    assert_false(fdt_has_prop(&f, al, "serial0"));
    assert_false(fdt_has_prop(&f, al, "msi0"));
    assert_string_equal(fdt_prop(&f, al, "serial1", NULL), "/soc/serial@1001000");
    assert_string_equal(fdt_prop(&f, al, "rtc0", NULL), "/soc/rtc@1002000");
    assert_true(fdt_has_prop(&f, al, "nowhere"));
    int sym = fdt_path(&f, "/__symbols__");
    assert_true(fdt_has_prop(&f, sym, "gic"));
    assert_true(fdt_has_prop(&f, sym, "gpio"));
    assert_false(fdt_has_prop(&f, sym, "its"));
    assert_false(fdt_has_prop(&f, sym, "fw"));
    assert_false(fdt_has_prop(&f, sym, "cpu0"));
    /* /chosen: the host's own boot is gone, what is not about it stays. */
    int chosen = fdt_path(&f, "/chosen");
    assert_string_equal(fdt_prop(&f, chosen, "bootargs", NULL),
                        "console=hvc0 earlycon=xenboot root=/dev/vda");
    assert_string_equal(fdt_prop(&f, chosen, "u-boot,version", NULL), "2024.01");
    assert_false(fdt_has_prop(&f, chosen, "xen,xen-bootargs"));
    assert_false(fdt_has_prop(&f, chosen, "xen,dom0-bootargs"));
    assert_false(fdt_has_prop(&f, chosen, "stdout-path"));
    uint64_t start;
    assert_true(fdt_prop_u64(&f, chosen, "linux,initrd-start", &start));
    assert_int_equal(start, INITRD);
    assert_int_equal(fdt_first_child(&f, chosen), -1);
    /* The vGIC under its bus: bus addresses, not host ones; one-cell root everywhere. */
    int gic = fdt_path(&f, "/soc/interrupt-controller@0");
    uint64_t size;
    assert_int_equal(reg_at(&f, gic, 0, &size), 0);
    assert_int_equal(reg_at(&f, gic, 1, &size), 0x100000);
    assert_int_equal(size, 2 * VGIC_REDIST_STRIDE);
    int mem = fdt_path(&f, "/memory@90000000");
    assert_int_equal(reg_at(&f, mem, 1, &size), 0xa0000000);
    uint32_t len;
    assert_non_null(fdt_prop(&f, mem, "reg", &len));
    assert_int_equal(len, 16); /* two banks of one address and one size cell */
    /* Windows below 4 GiB (one cell), none over anything the host has. */
    int hv = fdt_path(&f, "/hypervisor");
    assert_int_equal(reg_at(&f, hv, 0, &size), 0x01000000);
    static const struct mem_range used[] = {
        { 0, 0x200000 },           { 0x10000000, 0x4000000 },  { 0x30000000, 0x1000000 },
        { 0x3f000000, 0x1000000 }, { 0x80000000, 0x50000000 },
    };
    uint64_t base, total = 0;
    unsigned i;
    for (i = 0; fdt_reg(&f, hv, i, &base, &size) == 0; i++) {
        for (unsigned u = 0; u < sizeof(used) / sizeof(used[0]); u++)
            assert_false(overlaps((struct mem_range){ base, size }, used[u]));
        total += size;
    }
    /* 0x02000000-0x10000000, 0x14000000-0x30000000, 0x31000000-0x3f000000,
     * 0x40000000-0x80000000, 0xd0000000-4 GiB */
    assert_int_equal(i, 6);
    assert_int_equal(total,
                     0x01000000UL + 0x0e000000 + 0x1c000000 + 0x0e000000 + 0x40000000 + 0x30000000);
}

static void odd_devices(void **state)
{
    struct seen s;
    odd_host();
    devices(&s);
    /* serial1, rtc, gpio | dma, i2c; the sharer's page is Keel's UART's. */
    assert_int_equal(s.nr_mmio, 2);
    assert_int_equal(s.mmio[0].base, 0x11001000);
    assert_int_equal(s.mmio[0].size, 0x3000);
    assert_int_equal(s.mmio[1].base, 0x11005000);
    assert_int_equal(s.mmio[1].size, 0x2000);
    assert_int_equal(s.nr_spi, 5);
    assert_int_equal(spi_edge(&s, 34), 0);
    assert_int_equal(spi_edge(&s, 35), 1); /* interrupts-extended, edge */
    assert_int_equal(spi_edge(&s, 36), 0);
    assert_int_equal(spi_edge(&s, 39), 0);
    assert_int_equal(spi_edge(&s, 40), 0);
}

/* A GIC without a phandle and a root without an interrupt parent: dom0 gets a vGIC with a
 * phandle the host does not use, named as the root's interrupt parent. */
static void gic_without_phandle(void **state)
{
    struct fdt f;
    struct seen s;
    use_host(nophandle_dtb, nophandle_dtb_end, QEMU_UART, 0x08000000, 0x080a0000);
    dom0 = make_dom0(0x48000000, 0x10000000, 0x60000000, 0x08000000);
    build(&f);
    int gic = fdt_path(&f, "/intc@8000000");
    uint32_t ph, parent;
    assert_true(fdt_prop_u32(&f, gic, "phandle", &ph));
    assert_int_equal(ph, 65000);
    assert_true(fdt_prop_u32(&f, 0, "interrupt-parent", &parent));
    assert_int_equal(parent, ph);
    assert_true(fdt_path(&f, "/uart@9000000") < 0);
    assert_true(fdt_path(&f, "/badreg@0") >= 0);
    assert_true(fdt_path(&f, "/bus/child@0") >= 0);
    assert_true(fdt_path(&f, "/chosen") >= 0);
    assert_true(fdt_path(&f, "/cpus/cpu@1") >= 0);
    devices(&s);
    /* dev's page; the malformed ones give nothing; no SPI reaches the GIC. */
    assert_int_equal(s.nr_mmio, 1);
    assert_int_equal(s.mmio[0].base, 0x09010000);
    assert_int_equal(s.nr_spi, 0);
}

/* A GIC named by "linux,phandle": the vGIC keeps that number, so the devices' interrupts
 * still reach it. */
static void gic_with_old_phandle(void **state)
{
    struct fdt f;
    struct seen s;
    use_host(old_phandle_dtb, old_phandle_dtb_end, QEMU_UART, 0x08000000, 0x080a0000);
    dom0 = make_dom0(0x48000000, 0x10000000, 0x60000000, 0x08000000);
    build(&f);
    uint32_t ph, parent;
    assert_true(fdt_prop_u32(&f, fdt_path(&f, "/intc@8000000"), "phandle", &ph));
    assert_int_equal(ph, 0x10);
    assert_true(fdt_prop_u32(&f, 0, "interrupt-parent", &parent));
    assert_int_equal(parent, 0x10);
    devices(&s);
    assert_int_equal(s.nr_spi, 1);
    assert_int_equal(s.spi[0], 34);
}

/* The root is never taken for the GIC, even when it says it is the interrupt parent. */
static void root_is_no_gic(void **state)
{
    struct fdt f;
    use_host(root_phandle_dtb, root_phandle_dtb_end, QEMU_UART, 0x08000000, 0x080a0000);
    dom0 = make_dom0(0x48000000, 0x10000000, 0x60000000, 0x08000000);
    build(&f);
    uint32_t ph, parent;
    int gic = fdt_path(&f, "/intc@8000000");
    assert_true(fdt_prop_u32(&f, gic, "phandle", &ph));
    assert_int_equal(ph, 2);
    assert_true(fdt_has_prop(&f, gic, "#redistributor-regions"));
    assert_true(fdt_prop_u32(&f, 0, "interrupt-parent", &parent));
    assert_int_equal(parent, 2);
}

/* No GICv3 at all: dom0 still gets Keel's. */
static void no_gic(void **state)
{
    struct fdt f;
    struct seen s;
    use_host(nogic_dtb, nogic_dtb_end, 0, 0x03001000, 0x03020000);
    dom0 = make_dom0(0x48000000, 0x10000000, 0x60000000, 0x08000000);
    build(&f);
    int gic = fdt_find_compatible(&f, -1, "arm,gic-v3");
    assert_int_equal(gic, fdt_path(&f, "/interrupt-controller@3001000"));
    uint32_t ph, parent;
    assert_true(fdt_prop_u32(&f, gic, "phandle", &ph));
    assert_true(fdt_prop_u32(&f, 0, "interrupt-parent", &parent));
    assert_int_equal(parent, ph);
    assert_true(fdt_path(&f, "/dev@9010000") >= 0);
    devices(&s);
    assert_int_equal(s.nr_mmio, 1);
    assert_int_equal(s.nr_spi, 0);
}

/* Every other tree the unit tests have (odd cell counts, deep nesting, ranges near the top of
 * the address space, GICv2, no GIC): a tree or a clean error, and the devices, never a crash. */
static void other_trees(void **state)
{
    static const struct {
        const unsigned char *start, *end;
    } trees[] = {
        { host_dt_dtb, host_dt_dtb_end },
        { fdt_basic_dtb, fdt_basic_dtb_end },
        { bootinfo_qemu_dtb, bootinfo_qemu_dtb_end },
        { bootinfo_alias_dtb, bootinfo_alias_dtb_end },
        { bootinfo_edge_dtb, bootinfo_edge_dtb_end },
        { bootinfo_nomem_dtb, bootinfo_nomem_dtb_end },
    };
    dom0 = make_dom0(0x48000000, 0x10000000, 0x60000000, 0x08000000);
    for (unsigned i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
        struct seen s;
        struct fdt f;
        use_host(trees[i].start, trees[i].end, 0x09000000, 0x08000000, 0x080a0000);
        int n = arch_guest_fdt(dom0, buf, sizeof(buf), GPA(INITRD), INITRD_SIZE);
        assert_true(n > 0);
        assert_int_equal(fdt_open(&f, buf, (size_t)n, NULL), 0);
        assert_true(fdt_path(&f, "/hypervisor") >= 0);
        assert_true(fdt_find_compatible(&f, -1, "arm,gic-v3") >= 0);
        devices(&s);
    }
}

/* No host tree at all. */
static void no_host_tree(void **state)
{
    struct seen s;
    memset(&bootinfo, 0, sizeof(bootinfo));
    dom0 = make_dom0(0x48000000, 0x10000000, 0x60000000, 0x08000000);
    assert_int_equal(arch_guest_fdt(dom0, buf, sizeof(buf), GPA(0), 0), -EINVAL);
    assert_int_equal(arch_dom0_devices(&bootinfo.fdt, 0, &seen_ops, &s), -EINVAL);
}

#define T(fn) cmocka_unit_test_teardown(fn, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(qemu_dropped_nodes_are_gone),
        T(qemu_kept_nodes_are_byte_identical),
        T(qemu_gic_is_the_vgic),
        T(qemu_keel_nodes),
        T(qemu_hypervisor_windows_overlap_nothing),
        T(qemu_devices),
        T(callback_error_stops),
        T(too_small_a_buffer),
        T(free_space),
        T(odd_tree),
        T(odd_devices),
        T(gic_without_phandle),
        T(gic_with_old_phandle),
        T(root_is_no_gic),
        T(no_gic),
        T(other_trees),
        T(no_host_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
