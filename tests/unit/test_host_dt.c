/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading host device trees (hyp/arch/arm64/host_dt.c) on data/host_dt.dts: the walk and its
 * ancestors, reg and ranges translated through nested buses and a PCI bridge, what cannot be
 * translated, GIC interrupt specifiers from interrupts, interrupts-extended and interrupt-map.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <arm64/host_dt.h>
#include <hyp/errno.h>
#include "unit_blob.h"

UNIT_BLOB(host_dt_dtb, "host_dt.dtb");
UNIT_BLOB(nophandle_dtb, "dom0_nophandle.dtb");

static struct fdt fdt;
static unsigned char *blob;

static int open_tree(void **state)
{
    size_t len;
    blob = unit_blob_dup(host_dt_dtb, host_dt_dtb_end, &len);
    assert_int_equal(fdt_open(&fdt, blob, len, NULL), 0);
    return 0;
}

static int close_tree(void **state)
{
    free(blob);
    return 0;
}

static void at(struct host_dt_iter *it, const char *path)
{
    int node = fdt_path(&fdt, path);
    assert_true(node >= 0);
    assert_true(host_dt_iter_find(it, &fdt, node));
    assert_int_equal(host_dt_node(it), node);
}

static void walk_knows_ancestors(void **state)
{
    struct host_dt_iter it;
    at(&it, "/bus@40000000/inner/deep@100");
    assert_int_equal(it.depth, 3);
    assert_int_equal(it.path[0], 0);
    assert_int_equal(it.path[1], fdt_path(&fdt, "/bus@40000000"));
    assert_int_equal(it.path[2], fdt_path(&fdt, "/bus@40000000/inner"));
    /* Skipping a subtree: from the bus straight to the PCI bridge. */
    at(&it, "/bus@40000000");
    assert_true(host_dt_iter_next(&it, true));
    assert_int_equal(host_dt_node(&it), fdt_path(&fdt, "/pci@10000000"));
    assert_int_equal(it.depth, 1);
    /* Without skipping: into it. */
    assert_true(host_dt_iter_next(&it, false));
    assert_int_equal(host_dt_node(&it), fdt_path(&fdt, "/pci@10000000/bar@1,0"));
    assert_int_equal(it.depth, 2);
    /* Every node once, and the end. */
    unsigned n = 1;
    assert_true(host_dt_iter_init(&it, &fdt));
    while (host_dt_iter_next(&it, false))
        n++;
    assert_int_equal(n, 18);
    assert_false(host_dt_iter_find(&it, &fdt, 3)); /* not a node's offset */
    struct fdt none;
    memset(&none, 0, sizeof(none));
    assert_false(host_dt_iter_init(&it, &none));
}

static void reg_through_buses(void **state)
{
    struct host_dt_iter it;
    uint64_t base, size;
    at(&it, "/bus@40000000/dev@1000");
    assert_int_equal(host_dt_nr_reg(&it), 3);
    assert_int_equal(host_dt_reg(&it, 0, &base, &size), 0);
    assert_int_equal(base, 0x40001000);
    assert_int_equal(size, 0x100);
    assert_int_equal(host_dt_reg(&it, 1, &base, &size), 0); /* the bus's second window */
    assert_int_equal(base, 0x100000010);
    assert_int_equal(host_dt_reg(&it, 2, &base, &size), -EINVAL); /* in no window */
    assert_int_equal(host_dt_reg(&it, 3, &base, &size), -ENOENT);
    at(&it, "/bus@40000000/inner/deep@100");
    assert_int_equal(host_dt_reg(&it, 0, &base, &size), 0); /* two buses up */
    assert_int_equal(base, 0x40800100);
    at(&it, "/bus@40000000/noranges/leaf@0");
    assert_int_equal(host_dt_reg(&it, 0, &base, &size), -EINVAL);
    at(&it, "/intc@8000000/its@8080000");
    assert_int_equal(host_dt_reg(&it, 0, &base, &size), 0); /* "ranges;": 1:1 */
    assert_int_equal(base, 0x8080000);
    at(&it, "/ok1");
    assert_int_equal(host_dt_nr_reg(&it), 0);
    assert_int_equal(host_dt_reg(&it, 0, &base, &size), -ENOENT);
    assert_true(host_dt_iter_init(&it, &fdt));
    assert_int_equal(host_dt_reg(&it, 0, &base, &size), -ENOENT); /* the root */
}

static void pci_spaces(void **state)
{
    struct host_dt_iter it;
    uint64_t base, size;
    at(&it, "/pci@10000000");
    assert_int_equal(host_dt_nr_windows(&it), 2);
    assert_int_equal(host_dt_window(&it, 0, &base, &size), 0);
    assert_int_equal(base, 0x3eff0000);
    assert_int_equal(size, 0x10000);
    assert_int_equal(host_dt_window(&it, 1, &base, &size), 0);
    assert_int_equal(base, 0x20000000);
    assert_int_equal(size, 0x10000000);
    assert_int_equal(host_dt_window(&it, 2, &base, &size), -ENOENT);
    /* A BAR in memory space, one in I/O space (bus address 0x100: the I/O window), and the
     * configuration space, which no window maps. */
    at(&it, "/pci@10000000/bar@1,0");
    assert_int_equal(host_dt_reg(&it, 0, &base, &size), 0);
    assert_int_equal(base, 0x20001000);
    assert_int_equal(host_dt_reg(&it, 1, &base, &size), 0);
    assert_int_equal(base, 0x3eff0100);
    assert_int_equal(host_dt_reg(&it, 2, &base, &size), -EINVAL);
    /* "ranges;" is no window of its own; a bus without ranges has none. */
    at(&it, "/intc@8000000");
    assert_int_equal(host_dt_nr_windows(&it), 0);
    assert_int_equal(host_dt_window(&it, 0, &base, &size), -ENOENT);
    at(&it, "/bus@40000000");
    assert_int_equal(host_dt_window(&it, 1, &base, &size), 0);
    assert_int_equal(base, 0x100000000);
}

#define MAX_IRQS 8

struct irqs {
    struct host_dt_irq irq[MAX_IRQS];
    unsigned n;
    int ret; /* what the callback returns */
};

static int note(void *ctx, const struct host_dt_irq *irq)
{
    struct irqs *s = ctx;
    assert_true(s->n < MAX_IRQS);
    s->irq[s->n++] = *irq;
    return s->ret;
}

static void irqs_of(const char *path, bool map, struct irqs *s)
{
    struct host_dt_iter it;
    at(&it, path);
    memset(s, 0, sizeof(*s));
    assert_int_equal(host_dt_gic_irqs(&it, fdt_path(&fdt, "/intc@8000000"), map, note, s), 0);
}

static void assert_irq(const struct host_dt_irq *irq, uint32_t type, uint32_t num, uint32_t flags)
{
    assert_int_equal(irq->type, type);
    assert_int_equal(irq->num, num);
    assert_int_equal(irq->flags, flags);
}

static void gic_interrupts(void **state)
{
    struct irqs s;
    /* Parent inherited from the root; both specifiers, PPI too. */
    irqs_of("/bus@40000000/dev@1000", false, &s);
    assert_int_equal(s.n, 2);
    assert_irq(&s.irq[0], 0, 5, 4);
    assert_irq(&s.irq[1], 1, 3, 8);
    irqs_of("/inherit", false, &s);
    assert_int_equal(s.n, 1);
    assert_irq(&s.irq[0], 0, 10, 4);
    /* To the nexus, not the GIC. */
    irqs_of("/bus@40000000/inner/deep@100", false, &s);
    assert_int_equal(s.n, 0);
    /* interrupts-extended wins over interrupts; the nexus's entry is passed over. */
    irqs_of("/ext", false, &s);
    assert_int_equal(s.n, 2);
    assert_irq(&s.irq[0], 0, 9, 4);
    assert_irq(&s.irq[1], 1, 2, 4);
    /* interrupt-map: the GIC's entries only. */
    irqs_of("/pci@10000000", true, &s);
    assert_int_equal(s.n, 2);
    assert_irq(&s.irq[0], 0, 3, 4);
    assert_irq(&s.irq[1], 0, 4, 1);
    irqs_of("/nexus", true, &s);
    assert_int_equal(s.n, 1);
    assert_irq(&s.irq[0], 0, 0x20, 4);
    irqs_of("/pci@10000000", false, &s);
    assert_int_equal(s.n, 0);
    /* The callback's result stops the walk. */
    struct host_dt_iter it;
    at(&it, "/bus@40000000/dev@1000");
    memset(&s, 0, sizeof(s));
    s.ret = 7;
    assert_int_equal(host_dt_gic_irqs(&it, fdt_path(&fdt, "/intc@8000000"), false, note, &s), 7);
    assert_int_equal(s.n, 1);
    /* No GIC: nothing. */
    memset(&s, 0, sizeof(s));
    assert_int_equal(host_dt_gic_irqs(&it, -1, false, note, &s), 0);
    assert_int_equal(s.n, 0);
}

static void status_values(void **state)
{
    assert_true(host_dt_available(&fdt, fdt_path(&fdt, "/ok1")));
    assert_true(host_dt_available(&fdt, fdt_path(&fdt, "/ok2")));
    assert_true(host_dt_available(&fdt, fdt_path(&fdt, "/ext")));
    assert_false(host_dt_available(&fdt, fdt_path(&fdt, "/off")));
    assert_false(host_dt_available(&fdt, fdt_path(&fdt, "/broken")));
}

/* A tree of mistakes: unreadable cell counts, short reg, an interrupt-parent loop, an
 * interrupt-map entry naming no node.  Every node is walked without a crash. */
static void broken_tree(void **state)
{
    size_t len;
    struct fdt bad;
    unsigned char *b = unit_blob_dup(nophandle_dtb, nophandle_dtb_end, &len);
    assert_int_equal(fdt_open(&bad, b, len, NULL), 0);
    struct host_dt_iter it;
    int gic = fdt_path(&bad, "/intc@8000000");
    struct irqs s;
    memset(&s, 0, sizeof(s));
    assert_true(host_dt_iter_init(&it, &bad));
    while (host_dt_iter_next(&it, false)) {
        uint64_t base, size;
        for (unsigned i = 0; i < host_dt_nr_reg(&it); i++)
            host_dt_reg(&it, i, &base, &size);
        assert_int_equal(host_dt_gic_irqs(&it, gic, false, note, &s), 0);
        assert_int_equal(host_dt_gic_irqs(&it, gic, true, note, &s), 0);
    }
    /* No interrupt parent at the root: nothing reaches the GIC. */
    assert_int_equal(s.n, 0);
    at(&it, "/ok1");
    assert_true(host_dt_iter_find(&it, &bad, fdt_path(&bad, "/badreg@0")));
    assert_int_equal(host_dt_nr_reg(&it), 0); /* 12 bytes: no whole entry of 16 */
    assert_true(host_dt_iter_find(&it, &bad, fdt_path(&bad, "/bus/child@0")));
    assert_int_equal(host_dt_nr_reg(&it), 0); /* #address-cells 4 */
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(walk_knows_ancestors), cmocka_unit_test(reg_through_buses),
        cmocka_unit_test(pci_spaces),           cmocka_unit_test(gic_interrupts),
        cmocka_unit_test(status_values),        cmocka_unit_test(broken_tree),
    };
    return cmocka_run_group_tests(tests, open_tree, close_tree);
}
