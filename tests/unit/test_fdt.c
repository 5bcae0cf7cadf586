/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the device-tree reader on well-formed trees: navigation, path lookup, property
 * access, compatible lists, reg decoding, the reservation block and phandles.  The tree is
 * data/fdt_basic.dts compiled by dtc, so the reader is checked against an independent writer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <string.h>
#include <hyp/errno.h>
#include <hyp/fdt.h>
#include "unit_blob.h"

UNIT_BLOB(fdt_basic_dtb, "fdt_basic.dtb");

static struct fdt fdt;
static unsigned char *blob;

static int open_basic(void **state)
{
    size_t len;
    const char *why = NULL;
    blob = unit_blob_dup(fdt_basic_dtb, fdt_basic_dtb_end, &len);
    assert_non_null(blob);
    assert_int_equal(fdt_open(&fdt, blob, len, &why), 0);
    assert_null(why);
    return 0;
}

static int close_basic(void **state)
{
    free(blob);
    return 0;
}

static int path(const char *p)
{
    return fdt_path(&fdt, p);
}

static void header_fields(void **state)
{
    assert_int_equal(fdt_header_size(blob), fdt.size);
    assert_int_equal(fdt.size, (size_t)(fdt_basic_dtb_end - fdt_basic_dtb));
    unsigned char bad[8] = { 0 };
    assert_int_equal(fdt_header_size(bad), 0);
}

/* Document order with the depth of every node, as the .dts lays them out. */
static void next_node_walks_document_order(void **state)
{
    static const struct {
        const char *name;
        int depth;
    } want[] = {
        { "", 0 },
        { "cpus", 1 },
        { "cpu@0", 2 },
        { "cpu@1", 2 },
        { "soc", 1 },
        { "uart@1000", 2 },
        { "intc@2000", 2 },
        { "dev@4000", 2 },
        { "memory@80000000", 1 },
        { "big", 1 },
        { "region@100000000", 2 },
        { "bad-cells", 1 },
        { "x@0", 2 },
        { "no-size", 1 },
        { "y@7", 2 },
        { "empty-node", 1 },
        { "props", 1 },
        { "old-style", 2 },
        { "deep", 1 },
        { "a", 2 },
        { "b", 3 },
        { "c", 4 },
        { "leaf", 5 },
    };
    int depth = 0;
    size_t i = 0;
    for (int n = fdt_next_node(&fdt, -1, &depth); n >= 0; n = fdt_next_node(&fdt, n, &depth)) {
        assert_true(i < sizeof(want) / sizeof(want[0]));
        assert_string_equal(fdt_name(&fdt, n), want[i].name);
        assert_int_equal(depth, want[i].depth);
        i++;
    }
    assert_int_equal(i, sizeof(want) / sizeof(want[0]));
    /* depth may be NULL */
    assert_int_equal(fdt_next_node(&fdt, 0, NULL), path("/cpus"));
}

static void children_siblings_parents(void **state)
{
    int root = 0, cpus = path("/cpus"), soc = path("/soc");
    assert_int_equal(fdt_first_child(&fdt, root), cpus);
    assert_int_equal(fdt_next_sibling(&fdt, cpus), soc);
    assert_int_equal(fdt_first_child(&fdt, cpus), path("/cpus/cpu@0"));
    assert_int_equal(fdt_next_sibling(&fdt, path("/cpus/cpu@0")), path("/cpus/cpu@1"));
    /* The last child has no sibling even though more nodes follow in the document. */
    assert_int_equal(fdt_next_sibling(&fdt, path("/cpus/cpu@1")), -1);
    assert_int_equal(fdt_next_sibling(&fdt, path("/soc/dev@4000")), -1);
    assert_int_equal(fdt_next_sibling(&fdt, root), -1);
    assert_int_equal(fdt_next_sibling(&fdt, path("/deep")), -1);
    /* Leaves and empty nodes have no children. */
    assert_int_equal(fdt_first_child(&fdt, path("/empty-node")), -1);
    assert_int_equal(fdt_first_child(&fdt, path("/deep/a/b/c/leaf")), -1);
    assert_int_equal(fdt_first_child(&fdt, path("/cpus/cpu@1")), -1);

    unsigned n = 0;
    for (int c = fdt_first_child(&fdt, root); c >= 0; c = fdt_next_sibling(&fdt, c)) {
        assert_int_equal(fdt_parent(&fdt, c), root);
        n++;
    }
    assert_int_equal(n, 9);
    assert_int_equal(fdt_parent(&fdt, root), -1);
    assert_int_equal(fdt_parent(&fdt, path("/soc/intc@2000")), soc);
    assert_int_equal(fdt_parent(&fdt, path("/deep/a/b/c/leaf")), path("/deep/a/b/c"));
    /* Not a node offset at all. */
    assert_int_equal(fdt_parent(&fdt, 3), -1);
}

static void path_lookup(void **state)
{
    assert_int_equal(path("/"), 0);
    assert_true(path("/cpus/cpu@1") > 0);
    assert_string_equal(fdt_name(&fdt, path("/cpus/cpu@1")), "cpu@1");
    /* Without a unit address a component matches the first node with that base name. */
    assert_int_equal(path("/cpus/cpu"), path("/cpus/cpu@0"));
    assert_int_equal(path("/memory"), path("/memory@80000000"));
    assert_int_equal(path("/soc/uart"), path("/soc/uart@1000"));
    /* With one it must match exactly. */
    assert_int_equal(path("/soc/uart@2000"), -1);
    assert_int_equal(path("/soc/uart@10"), -1);
    assert_int_equal(path("/memory@8000000"), -1);
    /* A component is a whole name, not a prefix. */
    assert_int_equal(path("/cpu"), -1);
    assert_int_equal(path("/cpus/cpu@"), -1);
    assert_int_equal(path("/deep/a/b/c/leaf"), path("/deep/a/b/c/leaf/"));
    assert_int_equal(path("//deep//a"), path("/deep/a"));
    assert_int_equal(path("/deep/b"), -1);
    assert_int_equal(path("/nonexistent"), -1);
    assert_int_equal(path("cpus"), -1);
    assert_int_equal(path(""), -1);
    /* Length-bounded: the bytes after len are not part of the path. */
    assert_int_equal(fdt_path_len(&fdt, "/cpus:115200", 5), path("/cpus"));
    assert_int_equal(fdt_path_len(&fdt, "/cpus/cpu@1", 9), path("/cpus/cpu@0"));
    assert_int_equal(fdt_path_len(&fdt, "/cpus", 0), -1);
}

static void properties(void **state)
{
    int p = path("/props");
    uint32_t len = 99, v32;
    uint64_t v64;
    const char *s = fdt_prop(&fdt, p, "empty-prop", &len);
    assert_non_null(s);
    assert_int_equal(len, 0);
    assert_true(fdt_has_prop(&fdt, p, "empty-prop"));
    assert_false(fdt_has_prop(&fdt, p, "empty"));
    assert_false(fdt_has_prop(&fdt, p, "linux,phandle")); /* a child's, not ours */
    assert_null(fdt_prop(&fdt, p, "missing", &len));
    assert_null(fdt_prop(&fdt, -1, "str", &len));

    s = fdt_prop(&fdt, p, "str", &len);
    assert_int_equal(len, 6);
    assert_string_equal(s, "hello");
    assert_non_null(fdt_prop(&fdt, p, "bytes", NULL));
    const uint8_t *b = fdt_prop(&fdt, p, "bytes", &len);
    assert_int_equal(len, 3);
    assert_int_equal(b[0], 1);
    assert_int_equal(b[2], 3);

    assert_true(fdt_prop_u32(&fdt, p, "u32", &v32));
    assert_int_equal(v32, 0xdeadbeef);
    assert_false(fdt_prop_u32(&fdt, p, "u64", &v32)); /* wrong length */
    assert_false(fdt_prop_u32(&fdt, p, "empty-prop", &v32));
    assert_true(fdt_prop_u64(&fdt, p, "u64", &v64));
    assert_int_equal(v64, 0x123456789abcdef0ull);
    assert_true(fdt_prop_u64(&fdt, p, "u32", &v64)); /* one cell widens */
    assert_int_equal(v64, 0xdeadbeef);
    assert_false(fdt_prop_u64(&fdt, p, "bytes", &v64));
    assert_false(fdt_prop_u64(&fdt, p, "missing", &v64));

    s = fdt_prop(&fdt, 0, "model", NULL);
    assert_string_equal(s, "keel-test");

    /* As a string: only a non-empty value terminated within the property. */
    assert_string_equal(fdt_prop_string(&fdt, p, "str"), "hello");
    assert_null(fdt_prop_string(&fdt, p, "empty-prop"));
    assert_null(fdt_prop_string(&fdt, p, "bytes")); /* 01 02 03: no terminator */
    assert_null(fdt_prop_string(&fdt, p, "missing"));
}

/* Walking a node's properties sees each once, in order, and stops before its subnodes. */
static void property_iteration(void **state)
{
    static const char *const want[] = { "empty-prop", "u32", "u64", "str", "strs", "bytes" };
    int p = path("/props");
    unsigned n = 0;
    for (int q = fdt_first_prop(&fdt, p); q >= 0; q = fdt_next_prop(&fdt, q)) {
        const char *name;
        uint32_t len;
        const void *v = fdt_prop_at(&fdt, q, &name, &len);
        assert_true(n < 6);
        assert_string_equal(name, want[n]);
        uint32_t len2;
        assert_ptr_equal(v, fdt_prop(&fdt, p, name, &len2));
        assert_int_equal(len, len2);
        n++;
    }
    assert_int_equal(n, 6);
    assert_int_equal(fdt_first_prop(&fdt, path("/empty-node")), -1);
    assert_int_equal(fdt_first_prop(&fdt, path("/deep")), -1); /* only subnodes */
    assert_int_equal(fdt_first_prop(&fdt, -1), -1);
}

static void compatible_lists(void **state)
{
    int p = path("/props"), intc = path("/soc/intc@2000");
    assert_true(fdt_compatible(&fdt, intc, "arm,gic-400"));
    assert_true(fdt_compatible(&fdt, intc, "arm,cortex-a15-gic"));
    assert_false(fdt_compatible(&fdt, intc, "arm,gic"));      /* prefix */
    assert_false(fdt_compatible(&fdt, intc, "arm,gic-4000")); /* longer */
    assert_false(fdt_compatible(&fdt, intc, ""));
    assert_false(fdt_compatible(&fdt, p, "hello")); /* no compatible at all */
    assert_true(fdt_stringlist_has(&fdt, p, "strs", "one"));
    assert_true(fdt_stringlist_has(&fdt, p, "strs", ""));
    assert_true(fdt_stringlist_has(&fdt, p, "strs", "three"));
    assert_false(fdt_stringlist_has(&fdt, p, "strs", "thre"));
    assert_false(fdt_stringlist_has(&fdt, p, "empty-prop", ""));
    /* Not NUL-terminated: "\1\2\3" must not be read past its 3 bytes. */
    assert_false(fdt_stringlist_has(&fdt, p, "bytes", "\1\2\3"));

    assert_int_equal(fdt_find_compatible(&fdt, -1, "keel,generic"), 0);
    assert_int_equal(fdt_find_compatible(&fdt, -1, "keel,dev"), path("/soc/dev@4000"));
    assert_int_equal(fdt_find_compatible(&fdt, path("/soc/dev@4000"), "keel,dev"), -1);
    assert_int_equal(fdt_find_compatible(&fdt, 0, "keel,generic"), -1);
    assert_int_equal(fdt_find_compatible(&fdt, -1, "none"), -1);
}

static void cells_and_reg(void **state)
{
    uint64_t a, s;
    assert_int_equal(fdt_address_cells(&fdt, 0), 2);
    assert_int_equal(fdt_size_cells(&fdt, 0), 1);
    assert_int_equal(fdt_address_cells(&fdt, path("/soc")), 1);
    /* Defaults where the node says nothing. */
    assert_int_equal(fdt_address_cells(&fdt, path("/empty-node")), 2);
    assert_int_equal(fdt_size_cells(&fdt, path("/empty-node")), 1);

    /* 1 address cell, 1 size cell; two entries. */
    int intc = path("/soc/intc@2000");
    assert_int_equal(fdt_reg(&fdt, intc, 0, &a, &s), 0);
    assert_int_equal(a, 0x2000);
    assert_int_equal(s, 0x1000);
    assert_int_equal(fdt_reg(&fdt, intc, 1, &a, &s), 0);
    assert_int_equal(a, 0x3000);
    assert_int_equal(s, 0x2000);
    assert_int_equal(fdt_reg(&fdt, intc, 2, &a, &s), -ENOENT);
    assert_int_equal(fdt_reg(&fdt, intc, UINT_MAX, &a, &s), -ENOENT);
    assert_int_equal(fdt_reg(&fdt, intc, UINT_MAX / 2, &a, &s), -ENOENT);
    /* Either output may be NULL. */
    assert_int_equal(fdt_reg(&fdt, intc, 1, NULL, &s), 0);
    assert_int_equal(fdt_reg(&fdt, intc, 1, &a, NULL), 0);

    /* 2 address cells, 1 size cell (the root's). */
    int mem = path("/memory");
    assert_int_equal(fdt_reg(&fdt, mem, 0, &a, &s), 0);
    assert_int_equal(a, 0x80000000);
    assert_int_equal(s, 0x40000000);
    assert_int_equal(fdt_reg(&fdt, mem, 1, &a, &s), 0);
    assert_int_equal(a, 0x100000000ull);
    assert_int_equal(fdt_reg(&fdt, mem, 2, &a, &s), -ENOENT);

    /* 2 and 2. */
    assert_int_equal(fdt_reg(&fdt, path("/big/region"), 0, &a, &s), 0);
    assert_int_equal(a, 0x100000000ull);
    assert_int_equal(s, 0x200000000ull);

    /* 1 and 0: no size. */
    s = 5;
    assert_int_equal(fdt_reg(&fdt, path("/no-size/y@7"), 0, &a, &s), 0);
    assert_int_equal(a, 7);
    assert_int_equal(s, 0);

    /* 3 address cells is more than a 64-bit value holds. */
    assert_int_equal(fdt_reg(&fdt, path("/bad-cells/x@0"), 0, &a, &s), -EINVAL);
    /* The root has no parent to say how to decode its reg; nodes without reg. */
    assert_int_equal(fdt_reg(&fdt, 0, 0, &a, &s), -EINVAL);
    assert_int_equal(fdt_reg(&fdt, path("/empty-node"), 0, &a, &s), -ENOENT);
}

/* GIC interrupt specifiers: SPIs from 32, PPIs from 16, the trigger from the flags; nothing
 * for a node whose interrupt parent is unknown. */
static void gic_interrupts(void **state)
{
    int dev = path("/soc/dev@4000");
    unsigned intid = 0;
    bool edge = true;
    assert_int_equal(fdt_gic_irq(&fdt, dev, 0, &intid, &edge), 0);
    assert_int_equal(intid, 34);
    assert_false(edge);
    assert_int_equal(fdt_gic_irq(&fdt, dev, 1, &intid, &edge), 0);
    assert_int_equal(intid, 39);
    assert_true(edge);
    assert_int_equal(fdt_gic_irq(&fdt, dev, 2, &intid, &edge), 0);
    assert_int_equal(intid, 25);
    assert_false(edge);
    assert_int_equal(fdt_gic_irq(&fdt, dev, 3, &intid, &edge), -EINVAL);
    assert_int_equal(fdt_gic_irq(&fdt, dev, 4, &intid, &edge), -ENOENT);
    assert_int_equal(fdt_gic_irq(&fdt, dev, ~0u, &intid, &edge), -ENOENT);
    assert_int_equal(fdt_gic_irq(&fdt, path("/soc/uart@1000"), 0, &intid, &edge), -ENOENT);
}

static void memory_reservations(void **state)
{
    uint64_t a, s;
    assert_int_equal(fdt_mem_rsv(&fdt, 0, &a, &s), 0);
    assert_int_equal(a, 0x10000000);
    assert_int_equal(s, 0x4000);
    assert_int_equal(fdt_mem_rsv(&fdt, 1, &a, &s), 0);
    assert_int_equal(a, 0x200000000ull);
    assert_int_equal(s, 0x100000);
    assert_int_equal(fdt_mem_rsv(&fdt, 2, &a, &s), -ENOENT);
    assert_int_equal(fdt_mem_rsv(&fdt, UINT_MAX, &a, &s), -ENOENT);
}

static void phandles(void **state)
{
    uint32_t ph;
    assert_true(fdt_prop_u32(&fdt, path("/soc/dev"), "interrupt-parent", &ph));
    assert_int_not_equal(ph, 0);
    assert_int_equal(fdt_find_phandle(&fdt, ph), path("/soc/intc@2000"));
    assert_int_equal(fdt_find_phandle(&fdt, 0x42), path("/props/old-style"));
    assert_int_equal(fdt_find_phandle(&fdt, 0x43), -1);
}

/* A struct fdt whose open failed is zeroed; the accessors must treat it as empty. */
static void closed_fdt_is_empty(void **state)
{
    struct fdt none;
    uint64_t a, s;
    unsigned char junk[64] = { 0 };
    assert_int_equal(fdt_open(&none, junk, sizeof(junk), NULL), -EINVAL);
    assert_int_equal(fdt_next_node(&none, -1, NULL), -1);
    assert_int_equal(fdt_first_child(&none, 0), -1);
    assert_int_equal(fdt_parent(&none, 0), -1);
    assert_int_equal(fdt_path(&none, "/"), -1);
    assert_null(fdt_prop(&none, 0, "x", NULL));
    assert_int_equal(fdt_first_prop(&none, 0), -1);
    assert_int_equal(fdt_find_compatible(&none, -1, "x"), -1);
    assert_int_equal(fdt_find_phandle(&none, 1), -1);
    assert_int_equal(fdt_mem_rsv(&none, 0, &a, &s), -ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_fields),
        cmocka_unit_test(next_node_walks_document_order),
        cmocka_unit_test(children_siblings_parents),
        cmocka_unit_test(path_lookup),
        cmocka_unit_test(properties),
        cmocka_unit_test(property_iteration),
        cmocka_unit_test(compatible_lists),
        cmocka_unit_test(cells_and_reg),
        cmocka_unit_test(gic_interrupts),
        cmocka_unit_test(memory_reservations),
        cmocka_unit_test(phandles),
        cmocka_unit_test(closed_fdt_is_empty),
    };
    return cmocka_run_group_tests(tests, open_basic, close_basic);
}
