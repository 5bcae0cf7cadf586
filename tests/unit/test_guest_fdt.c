/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device tree Keel writes for a guest (hyp/arch/arm64/guest_fdt.c), read back with Keel's
 * own FDT reader and checked against what a Linux arm64 guest needs: memory banks, one cpu
 * node per vCPU with PSCI, the GICv3 regions, the timer PPIs, the SBSA UART, /chosen.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/arch/domain.h>
#include <hyp/bootinfo.h>
#include <hyp/errno.h>
#include <hyp/fdt.h>

/* Test doubles for what guest_fdt.c uses (dom0_fdt.c, linked with it, reads the host tree
 * from bootinfo and sorts ranges on the heap; test_dom0_fdt.c exercises it). */
struct bootinfo bootinfo;

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
    return ((uint64_t)(v->id >> 4) << 8) | (v->id & 0xf);
}

void arch_guest_layout(struct guest_layout *out)
{
    out->ram_base[0] = 0x40000000UL;
    out->ram_size[0] = 0xC0000000UL;
    out->ram_base[1] = 0x200000000UL;
    out->ram_size[1] = 0xFE00000000UL;
    out->uart_base = 0x22000000UL;
    out->uart_irq = 32;
}

void vgic_frames(const struct domain *d, uint64_t *dist, uint64_t *redist)
{
    (void)d;
    *dist = 0x03001000UL;
    *redist = 0x03020000UL;
}

static struct domain *make_domain(unsigned vcpus, uint64_t mem, bool uart)
{
    struct domain *d = calloc(1, sizeof(*d));
    d->nr_vcpus = vcpus;
    for (unsigned i = 0; i < vcpus; i++) {
        d->vcpus[i] = calloc(1, sizeof(struct vcpu));
        d->vcpus[i]->id = i;
        d->vcpus[i]->dom = d;
    }
    d->cfg.mem_bytes = mem;
    /* Where domain_build's populate puts it: the layout's banks in order. */
    struct guest_layout l;
    arch_guest_layout(&l);
    for (unsigned b = 0; b < 2 && mem; b++) {
        uint64_t n = mem < l.ram_size[b] ? mem : l.ram_size[b];
        d->ram[d->nr_ram++] = (struct mem_range){ l.ram_base[b], n };
        mem -= n;
    }
    d->cfg.nr_vcpus = vcpus;
    d->cfg.vpl011 = uart;
    d->cfg.xen_enhanced = true;
    strcpy(d->cfg.bootargs, "console=ttyAMA0 root=/dev/ram");
    return d;
}

static void free_domain(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        free(d->vcpus[i]);
    free(d);
}

static int build(struct domain *d, uint8_t *buf, size_t size, uint64_t initrd, struct fdt *f)
{
    int n = arch_guest_fdt(d, buf, size, GPA(initrd), 0x100000);
    if (n > 0)
        assert_int_equal(fdt_open(f, buf, (size_t)n, NULL), 0);
    return n;
}

static void linux_essentials(void **state)
{
    static uint8_t buf[65536];
    struct fdt f;
    struct domain *d = make_domain(2, 512UL << 20, true);
    assert_true(build(d, buf, sizeof(buf), 0x48000000, &f) > 0);
    /* Two vCPUs with PSCI over HVC. */
    int cpus = fdt_path(&f, "/cpus");
    assert_true(cpus >= 0);
    assert_true(fdt_path(&f, "/cpus/cpu@0") >= 0);
    int c1 = fdt_path(&f, "/cpus/cpu@1");
    assert_true(c1 >= 0);
    uint32_t reg;
    assert_true(fdt_prop_u32(&f, c1, "reg", &reg));
    assert_int_equal(reg, 1);
    assert_string_equal(fdt_prop(&f, c1, "enable-method", NULL), "psci");
    assert_true(fdt_path(&f, "/cpus/cpu@2") < 0);
    int psci = fdt_path(&f, "/psci");
    assert_true(fdt_compatible(&f, psci, "arm,psci-1.0"));
    assert_true(fdt_compatible(&f, psci, "arm,psci-0.2"));
    assert_string_equal(fdt_prop(&f, psci, "method", NULL), "hvc");
    /* Memory: 512 MiB at 0x40000000. */
    int mem = fdt_path(&f, "/memory");
    uint64_t base, size;
    assert_int_equal(fdt_reg(&f, mem, 0, &base, &size), 0);
    assert_int_equal(base, 0x40000000UL);
    assert_int_equal(size, 512UL << 20);
    assert_int_equal(fdt_reg(&f, mem, 1, &base, &size), -ENOENT);
    /* GICv3: distributor and one redistributor frame pair per vCPU; phandle the root uses. */
    int gic = fdt_find_compatible(&f, -1, "arm,gic-v3");
    assert_true(gic >= 0);
    assert_true(fdt_has_prop(&f, gic, "interrupt-controller"));
    assert_int_equal(fdt_reg(&f, gic, 0, &base, &size), 0);
    assert_int_equal(base, VGIC_DIST_BASE);
    assert_int_equal(fdt_reg(&f, gic, 1, &base, &size), 0);
    assert_int_equal(base, VGIC_REDIST_BASE);
    assert_int_equal(size, 2 * VGIC_REDIST_STRIDE);
    uint32_t ph, parent;
    assert_true(fdt_prop_u32(&f, gic, "phandle", &ph));
    assert_true(fdt_prop_u32(&f, 0, "interrupt-parent", &parent));
    assert_int_equal(ph, parent);
    free_domain(d);
}

static void timer_uart_chosen(void **state)
{
    static uint8_t buf[65536];
    struct fdt f;
    struct domain *d = make_domain(1, 256UL << 20, true);
    assert_true(build(d, buf, sizeof(buf), 0x48000000, &f) > 0);
    int timer = fdt_find_compatible(&f, -1, "arm,armv8-timer");
    uint32_t len;
    const uint8_t *irqs = fdt_prop(&f, timer, "interrupts", &len);
    assert_non_null(irqs);
    assert_int_equal(len, 4 * 3 * 4);
    /* Third entry is the virtual timer: PPI 11 = INTID 27. */
    assert_int_equal(fdt32(irqs + 2 * 12), 1);
    assert_int_equal(fdt32(irqs + 2 * 12 + 4), 11);
    int uart = fdt_find_compatible(&f, -1, "arm,sbsa-uart");
    uint64_t base;
    assert_int_equal(fdt_reg(&f, uart, 0, &base, NULL), 0);
    assert_int_equal(base, 0x22000000UL);
    const uint8_t *ui = fdt_prop(&f, uart, "interrupts", &len);
    assert_int_equal(fdt32(ui), 0);     /* SPI */
    assert_int_equal(fdt32(ui + 4), 0); /* SPI 0 = INTID 32 */
    int chosen = fdt_path(&f, "/chosen");
    assert_string_equal(fdt_prop(&f, chosen, "bootargs", NULL), "console=ttyAMA0 root=/dev/ram");
    assert_string_equal(fdt_prop(&f, chosen, "stdout-path", NULL), "/sbsa-uart@22000000");
    assert_int_equal(fdt_path(&f, "/sbsa-uart@22000000"), uart);
    uint32_t seed_len;
    assert_non_null(fdt_prop(&f, chosen, "rng-seed", &seed_len));
    assert_int_equal(seed_len, 64);
    assert_non_null(fdt_prop(&f, chosen, "kaslr-seed", &seed_len));
    assert_int_equal(seed_len, 8);
    uint64_t start, end;
    assert_true(fdt_prop_u64(&f, chosen, "linux,initrd-start", &start));
    assert_true(fdt_prop_u64(&f, chosen, "linux,initrd-end", &end));
    assert_int_equal(start, 0x48000000UL);
    assert_int_equal(end - start, 0x100000);
    free_domain(d);
}

static void no_uart_no_initrd_two_banks(void **state)
{
    static uint8_t buf[65536];
    struct fdt f;
    struct domain *d = make_domain(20, 4UL << 30, false);
    assert_true(build(d, buf, sizeof(buf), 0, &f) > 0);
    assert_true(fdt_find_compatible(&f, -1, "arm,sbsa-uart") < 0);
    int chosen = fdt_path(&f, "/chosen");
    assert_false(fdt_has_prop(&f, chosen, "stdout-path"));
    assert_false(fdt_has_prop(&f, chosen, "linux,initrd-start"));
    /* 4 GiB: 3 GiB below 4 GiB, the rest in the second bank. */
    int mem = fdt_path(&f, "/memory");
    uint64_t base, size;
    assert_int_equal(fdt_reg(&f, mem, 1, &base, &size), 0);
    assert_int_equal(base, 0x200000000UL);
    assert_int_equal(size, 1UL << 30);
    /* vCPU 17 is Aff1 = 1, Aff0 = 1. */
    assert_true(fdt_path(&f, "/cpus/cpu@101") >= 0);
    free_domain(d);
}

/* Xen's node for Linux (xen-abi-facts A.1): name "hypervisor" at depth 1, both compatible
 * strings in order, reg[0] = the grant-table window, the upcall PPI 31 level-low. */
static void hypervisor_node(void **state)
{
    static uint8_t buf[65536];
    static const char compat[] = "xen,xen-4.17\0xen,xen";
    struct fdt f;
    struct domain *d = make_domain(2, 256UL << 20, true);
    assert_true(build(d, buf, sizeof(buf), 0, &f) > 0);
    int h = fdt_path(&f, "/hypervisor");
    assert_true(h >= 0);
    uint32_t len;
    const char *c = fdt_prop(&f, h, "compatible", &len);
    assert_int_equal(len, sizeof(compat));
    assert_memory_equal(c, compat, sizeof(compat));
    uint64_t base, size;
    assert_int_equal(fdt_reg(&f, h, 0, &base, &size), 0);
    assert_int_equal(base, 0x38000000UL);
    assert_int_equal(size, 0x01000000UL);
    assert_int_equal(fdt_reg(&f, h, 1, &base, &size), -ENOENT);
    const uint8_t *irq = fdt_prop(&f, h, "interrupts", &len);
    assert_int_equal(len, 12);
    assert_int_equal(fdt32(irq), 1);      /* PPI */
    assert_int_equal(fdt32(irq + 4), 15); /* INTID 31 */
    assert_int_equal(fdt32(irq + 8), 0xf08);
    free_domain(d);
}

/* xen,enhanced = "disabled": a plain Arm VM without the node; the seeds stay. */
static void plain_vm_has_no_hypervisor_node(void **state)
{
    static uint8_t buf[65536];
    struct fdt f;
    struct domain *d = make_domain(1, 256UL << 20, true);
    d->cfg.xen_enhanced = false;
    assert_true(build(d, buf, sizeof(buf), 0, &f) > 0);
    assert_true(fdt_path(&f, "/hypervisor") < 0);
    assert_true(fdt_has_prop(&f, fdt_path(&f, "/chosen"), "kaslr-seed"));
    free_domain(d);
}

/* Every device tree gets seeds of its own. */
static void seeds_differ(void **state)
{
    static uint8_t a[65536], b[65536];
    struct fdt fa, fb;
    struct domain *d = make_domain(1, 256UL << 20, false);
    assert_true(build(d, a, sizeof(a), 0, &fa) > 0);
    assert_true(build(d, b, sizeof(b), 0, &fb) > 0);
    uint64_t ka, kb;
    assert_true(fdt_prop_u64(&fa, fdt_path(&fa, "/chosen"), "kaslr-seed", &ka));
    assert_true(fdt_prop_u64(&fb, fdt_path(&fb, "/chosen"), "kaslr-seed", &kb));
    assert_true(ka != kb);
    const void *ra = fdt_prop(&fa, fdt_path(&fa, "/chosen"), "rng-seed", NULL);
    const void *rb = fdt_prop(&fb, fdt_path(&fb, "/chosen"), "rng-seed", NULL);
    assert_memory_not_equal(ra, rb, 64);
    free_domain(d);
}

static void small_buffer_fails_cleanly(void **state)
{
    static uint8_t buf[256];
    struct domain *d = make_domain(1, 256UL << 20, true);
    assert_int_equal(arch_guest_fdt(d, buf, sizeof(buf), GPA(0), 0), -ENOSPC);
    free_domain(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(linux_essentials),
        cmocka_unit_test(timer_uart_chosen),
        cmocka_unit_test(no_uart_no_initrd_two_banks),
        cmocka_unit_test(hypervisor_node),
        cmocka_unit_test(plain_vm_has_no_hypervisor_node),
        cmocka_unit_test(seeds_differ),
        cmocka_unit_test(small_buffer_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
