/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the device-tree writer (hyp/lib/fdt_write.c): a guest-like tree read back
 * with our reader and, when installed, decompiled by dtc; the strings table; -ENOSPC at every
 * buffer size short of the need; -EINVAL for each misuse; random trees checked node by node.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hyp/errno.h>
#include <hyp/fdt.h>
#include <hyp/fdt_write.h>

#define GIC_PHANDLE 1

/* The sort of tree the domain builder writes for a guest. */
static void write_guest_tree(struct fdt_writer *w)
{
    static const char *const board[] = { "keel,guest", "linux,dummy-virt" };
    static const char *const psci[] = { "arm,psci-1.0", "arm,psci-0.2" };
    static const uint64_t mem[] = { 0x40000000, 0xc0000000, 0x200000000, 0x100000000 };
    static const uint64_t gic[] = { 0x8000000, 0x10000, 0x80a0000, 0x40000 };
    static const uint32_t timer_irqs[] = { 1, 13, 0xf08, 1, 14, 0xf08, 1, 11, 0xf08 };
    fdt_write_mem_rsv(w, 0x48000000, 0x10000);
    fdt_write_mem_rsv(w, 0x200000000, 0x1000);
    fdt_write_begin_node(w, "");
    fdt_write_prop_u32(w, "#address-cells", 2);
    fdt_write_prop_u32(w, "#size-cells", 2);
    fdt_write_prop_stringlist(w, "compatible", board, 2);
    fdt_write_prop_string(w, "model", "Keel guest");
    fdt_write_prop_u32(w, "interrupt-parent", GIC_PHANDLE);

    fdt_write_begin_node(w, "chosen");
    fdt_write_prop_string(w, "bootargs", "console=hvc0 earlycon");
    fdt_write_prop_string(w, "stdout-path", "/pl011@9000000");
    fdt_write_prop_u64(w, "linux,initrd-start", 0x48000000);
    fdt_write_prop_u64(w, "linux,initrd-end", 0x48800000);
    fdt_write_end_node(w);

    fdt_write_begin_node(w, "memory@40000000");
    fdt_write_prop_string(w, "device_type", "memory");
    fdt_write_prop_reg(w, 2, 2, mem, 2);
    fdt_write_end_node(w);

    fdt_write_begin_node(w, "cpus");
    fdt_write_prop_u32(w, "#address-cells", 1);
    fdt_write_prop_u32(w, "#size-cells", 0);
    for (uint64_t i = 0; i < 2; i++) {
        uint64_t reg[2] = { i, 0 };
        fdt_write_begin_node(w, i ? "cpu@1" : "cpu@0");
        fdt_write_prop_string(w, "device_type", "cpu");
        fdt_write_prop_string(w, "compatible", "arm,armv8");
        fdt_write_prop_string(w, "enable-method", "psci");
        fdt_write_prop_reg(w, 1, 0, reg, 1);
        fdt_write_end_node(w);
    }
    fdt_write_end_node(w);

    fdt_write_begin_node(w, "psci");
    fdt_write_prop_stringlist(w, "compatible", psci, 2);
    fdt_write_prop_string(w, "method", "hvc");
    fdt_write_end_node(w);

    fdt_write_begin_node(w, "intc@8000000");
    fdt_write_prop_string(w, "compatible", "arm,gic-v3");
    fdt_write_prop_u32(w, "#interrupt-cells", 3);
    fdt_write_property(w, "interrupt-controller", NULL, 0);
    fdt_write_prop_reg(w, 2, 2, gic, 2);
    fdt_write_prop_u32(w, "phandle", GIC_PHANDLE);
    fdt_write_end_node(w);

    fdt_write_begin_node(w, "timer");
    fdt_write_prop_string(w, "compatible", "arm,armv8-timer");
    fdt_write_prop_cells(w, "interrupts", timer_irqs, 9);
    fdt_write_property(w, "always-on", "", 0);
    fdt_write_end_node(w);

    fdt_write_begin_node(w, "pl011@9000000");
    fdt_write_prop_string(w, "compatible", "arm,pl011");
    fdt_write_prop_reg(w, 2, 2, (const uint64_t[]){ 0x9000000, 0x1000 }, 1);
    fdt_write_property(w, "bytes", "\x01\x02\x03", 3); /* unpadded length */
    fdt_write_end_node(w);

    fdt_write_end_node(w);
}

/* Builds the guest tree into a heap buffer of exactly size bytes. */
static int build_guest(size_t size, unsigned char **out, size_t *total)
{
    struct fdt_writer w;
    *out = malloc(size ? size : 1);
    fdt_write_init(&w, size ? *out : NULL, size);
    write_guest_tree(&w);
    int rc = fdt_write_finish(&w, total);
    assert_int_equal(fdt_write_error(&w), rc);
    return rc;
}

static void check_guest_tree(const void *blob, size_t len)
{
    struct fdt f;
    const char *why = NULL;
    uint64_t a, s;
    uint32_t v, plen;
    assert_int_equal(fdt_open(&f, blob, len, &why), 0);
    assert_int_equal(f.size, len);
    assert_int_equal(fdt32((const uint8_t *)blob + 20), 17);
    assert_int_equal(fdt32((const uint8_t *)blob + 24), 16);

    assert_int_equal(fdt_mem_rsv(&f, 0, &a, &s), 0);
    assert_int_equal(a, 0x48000000);
    assert_int_equal(s, 0x10000);
    assert_int_equal(fdt_mem_rsv(&f, 1, &a, &s), 0);
    assert_int_equal(a, 0x200000000);
    assert_int_equal(fdt_mem_rsv(&f, 2, &a, &s), -ENOENT);

    assert_true(fdt_compatible(&f, 0, "keel,guest"));
    assert_true(fdt_compatible(&f, 0, "linux,dummy-virt"));
    assert_string_equal(fdt_prop(&f, 0, "model", NULL), "Keel guest");
    int chosen = fdt_path(&f, "/chosen");
    assert_string_equal(fdt_prop(&f, chosen, "bootargs", NULL), "console=hvc0 earlycon");
    assert_true(fdt_prop_u64(&f, chosen, "linux,initrd-end", &a));
    assert_int_equal(a, 0x48800000);

    int mem = fdt_path(&f, "/memory");
    assert_int_equal(fdt_reg(&f, mem, 1, &a, &s), 0);
    assert_int_equal(a, 0x200000000);
    assert_int_equal(s, 0x100000000);
    assert_int_equal(fdt_reg(&f, mem, 2, &a, &s), -ENOENT);

    int cpu1 = fdt_path(&f, "/cpus/cpu@1");
    assert_int_equal(fdt_reg(&f, cpu1, 0, &a, &s), 0);
    assert_int_equal(a, 1);
    assert_int_equal(fdt_parent(&f, cpu1), fdt_path(&f, "/cpus"));
    assert_int_equal(fdt_next_sibling(&f, fdt_path(&f, "/cpus/cpu@0")), cpu1);

    assert_true(fdt_prop_u32(&f, 0, "interrupt-parent", &v));
    int gic = fdt_find_phandle(&f, v);
    assert_int_equal(gic, fdt_path(&f, "/intc@8000000"));
    assert_int_equal(fdt_find_compatible(&f, -1, "arm,gic-v3"), gic);
    assert_non_null(fdt_prop(&f, gic, "interrupt-controller", &plen));
    assert_int_equal(plen, 0);
    assert_int_equal(fdt_reg(&f, gic, 1, &a, &s), 0);
    assert_int_equal(a, 0x80a0000);

    const uint8_t *irqs = fdt_prop(&f, fdt_path(&f, "/timer"), "interrupts", &plen);
    assert_int_equal(plen, 36);
    assert_int_equal(fdt32(irqs + 4), 13);
    assert_int_equal(fdt32(irqs + 32), 0xf08);
    assert_true(fdt_compatible(&f, fdt_path(&f, "/psci"), "arm,psci-0.2"));

    int uart = fdt_path(&f, "/pl011@9000000");
    const uint8_t *b = fdt_prop(&f, uart, "bytes", &plen);
    assert_int_equal(plen, 3);
    assert_memory_equal(b, "\x01\x02\x03", 3);
    assert_int_equal(fdt_reg(&f, uart, 0, &a, &s), 0);
    assert_int_equal(a, 0x9000000);
    /* The node after a 3-byte property is found, so the padding was right. */
    assert_int_equal(fdt_next_node(&f, uart, NULL), -1);
}

static void guest_tree_round_trip(void **state)
{
    unsigned char *blob;
    size_t total;
    assert_int_equal(build_guest(8192, &blob, &total), 0);
    assert_true(total < 8192);
    check_guest_tree(blob, total);
    free(blob);
}

/* Each property name is stored once; a name that ends another one shares its tail. */
static void strings_are_shared(void **state)
{
    unsigned char buf[1024];
    struct fdt_writer w;
    fdt_write_init(&w, buf, sizeof(buf));
    fdt_write_begin_node(&w, "");
    fdt_write_prop_u32(&w, "#size-cells", 1);
    fdt_write_prop_u32(&w, "reg", 1);
    fdt_write_begin_node(&w, "a");
    fdt_write_prop_u32(&w, "reg", 2);
    fdt_write_prop_u32(&w, "size-cells", 3);
    fdt_write_prop_u32(&w, "cells", 4);
    fdt_write_end_node(&w);
    fdt_write_begin_node(&w, "b");
    fdt_write_prop_u32(&w, "reg", 5);
    fdt_write_end_node(&w);
    fdt_write_end_node(&w);
    size_t total;
    assert_int_equal(fdt_write_finish(&w, &total), 0);
    assert_int_equal(fdt32(buf + 32), sizeof("#size-cells") + sizeof("reg"));
    struct fdt f;
    uint32_t v;
    assert_int_equal(fdt_open(&f, buf, total, NULL), 0);
    assert_true(fdt_prop_u32(&f, fdt_path(&f, "/a"), "size-cells", &v));
    assert_int_equal(v, 3);
    assert_true(fdt_prop_u32(&f, fdt_path(&f, "/a"), "cells", &v));
    assert_int_equal(v, 4);
    assert_true(fdt_prop_u32(&f, fdt_path(&f, "/b"), "reg", &v));
    assert_int_equal(v, 5);
}

/* Too small by any amount: -ENOSPC, and not one byte written outside the buffer (the heap
 * buffer is exactly that size, so ASan would report it). */
static void enospc_at_every_size(void **state)
{
    unsigned char *blob;
    size_t need;
    assert_int_equal(build_guest(8192, &blob, &need), 0);
    free(blob);
    for (size_t size = 0; size < need; size++) {
        size_t total = 12345;
        assert_int_equal(build_guest(size, &blob, &total), -ENOSPC);
        assert_int_equal(total, 12345);
        free(blob);
    }
    /* Exactly enough is enough. */
    assert_int_equal(build_guest(need, &blob, &need), 0);
    check_guest_tree(blob, need);
    free(blob);
}

static void dtc_accepts_output(void **state)
{
    if (system("command -v dtc >/dev/null 2>&1") != 0) {
        fprintf(stderr, "dtc not installed, skipping\n");
        skip();
    }
    unsigned char *blob;
    size_t total;
    assert_int_equal(build_guest(8192, &blob, &total), 0);
    char dtb[] = "/tmp/keel-fdt-write-XXXXXX";
    int fd = mkstemp(dtb);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, blob, total), (ssize_t)total);
    close(fd);
    free(blob);
    char dts[64], cmd[256];
    snprintf(dts, sizeof(dts), "%s.dts", dtb);
    snprintf(cmd, sizeof(cmd), "dtc -I dtb -O dts -o %s %s 2>/dev/null", dts, dtb);
    int rc = system(cmd);
    unlink(dtb);
    assert_int_equal(rc, 0);

    char text[8192];
    FILE *in = fopen(dts, "r");
    assert_non_null(in);
    size_t n = fread(text, 1, sizeof(text) - 1, in);
    fclose(in);
    unlink(dts);
    text[n] = 0;
    assert_non_null(strstr(text, "/memreserve/\t0x0000000048000000 0x0000000000010000;"));
    assert_non_null(strstr(text, "bootargs = \"console=hvc0 earlycon\";"));
    assert_non_null(strstr(text, "compatible = \"keel,guest\\0linux,dummy-virt\";"));
    assert_non_null(strstr(text, "reg = <0x00 0x40000000 0x00 0xc0000000 0x02 0x00 0x01 0x00>;"));
    assert_non_null(strstr(text, "interrupt-controller;"));
    assert_non_null(strstr(text, "bytes = [01 02 03];"));
    assert_non_null(strstr(text, "cpu@1 {"));
}

static int misuse(void (*steps)(struct fdt_writer *))
{
    static unsigned char buf[512];
    struct fdt_writer w;
    fdt_write_init(&w, buf, sizeof(buf));
    steps(&w);
    return fdt_write_finish(&w, NULL);
}

static void prop_before_root(struct fdt_writer *w)
{
    fdt_write_prop_u32(w, "x", 1);
    fdt_write_begin_node(w, "");
    fdt_write_end_node(w);
}

static void prop_after_subnode(struct fdt_writer *w)
{
    fdt_write_begin_node(w, "");
    fdt_write_begin_node(w, "a");
    fdt_write_end_node(w);
    fdt_write_prop_u32(w, "x", 1);
    fdt_write_end_node(w);
}

static void end_without_begin(struct fdt_writer *w)
{
    fdt_write_end_node(w);
}

static void two_roots(struct fdt_writer *w)
{
    fdt_write_begin_node(w, "");
    fdt_write_end_node(w);
    fdt_write_begin_node(w, "");
    fdt_write_end_node(w);
}

static void rsv_after_node(struct fdt_writer *w)
{
    fdt_write_begin_node(w, "");
    fdt_write_mem_rsv(w, 0x1000, 0x1000);
    fdt_write_end_node(w);
}

static void rsv_empty(struct fdt_writer *w)
{
    fdt_write_mem_rsv(w, 0, 0);
    fdt_write_begin_node(w, "");
    fdt_write_end_node(w);
}

static void node_left_open(struct fdt_writer *w)
{
    fdt_write_begin_node(w, "");
    fdt_write_begin_node(w, "a");
    fdt_write_end_node(w);
}

static void no_root(struct fdt_writer *w)
{
}

static void named_root(struct fdt_writer *w)
{
    fdt_write_begin_node(w, "root");
    fdt_write_end_node(w);
}

static void empty_child_name(struct fdt_writer *w)
{
    fdt_write_begin_node(w, "");
    fdt_write_begin_node(w, "");
    fdt_write_end_node(w);
    fdt_write_end_node(w);
}

static void slash_in_name(struct fdt_writer *w)
{
    fdt_write_begin_node(w, "");
    fdt_write_begin_node(w, "a/b");
    fdt_write_end_node(w);
    fdt_write_end_node(w);
}

static void empty_prop_name(struct fdt_writer *w)
{
    fdt_write_begin_node(w, "");
    fdt_write_prop_u32(w, "", 1);
    fdt_write_end_node(w);
}

static void too_deep(struct fdt_writer *w)
{
    fdt_write_begin_node(w, "");
    for (int i = 0; i < FDT_MAX_DEPTH; i++)
        fdt_write_begin_node(w, "d");
    for (int i = 0; i <= FDT_MAX_DEPTH; i++)
        fdt_write_end_node(w);
}

static void reg_bad_cells(struct fdt_writer *w)
{
    fdt_write_begin_node(w, "");
    fdt_write_prop_reg(w, 3, 1, (const uint64_t[]){ 0, 1 }, 1);
    fdt_write_end_node(w);
}

static void reg_no_addr_cells(struct fdt_writer *w)
{
    fdt_write_begin_node(w, "");
    fdt_write_prop_reg(w, 0, 1, (const uint64_t[]){ 0, 1 }, 1);
    fdt_write_end_node(w);
}

static void reg_value_too_big(struct fdt_writer *w)
{
    fdt_write_begin_node(w, "");
    fdt_write_prop_reg(w, 1, 1, (const uint64_t[]){ 0x100000000, 1 }, 1);
    fdt_write_end_node(w);
}

static void reg_size_without_cells(struct fdt_writer *w)
{
    fdt_write_begin_node(w, "");
    fdt_write_prop_reg(w, 1, 0, (const uint64_t[]){ 0, 1 }, 1);
    fdt_write_end_node(w);
}

static void misuse_is_einval(void **state)
{
    void (*const cases[])(struct fdt_writer *) = {
        prop_before_root,
        prop_after_subnode,
        end_without_begin,
        two_roots,
        rsv_after_node,
        rsv_empty,
        node_left_open,
        no_root,
        named_root,
        empty_child_name,
        slash_in_name,
        empty_prop_name,
        too_deep,
        reg_bad_cells,
        reg_no_addr_cells,
        reg_value_too_big,
        reg_size_without_cells,
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("case %zu\n", i);
        assert_int_equal(misuse(cases[i]), -EINVAL);
    }
}

static void errors_are_sticky(void **state)
{
    unsigned char buf[128];
    struct fdt_writer w;
    /* The first error wins and later calls leave the buffer alone. */
    memset(buf, 0x5a, sizeof(buf));
    fdt_write_init(&w, buf, 64);
    fdt_write_begin_node(&w, "");
    fdt_write_prop_string(&w, "long", "a value that does not fit in what is left");
    assert_int_equal(fdt_write_error(&w), -ENOSPC);
    unsigned char copy[128];
    memcpy(copy, buf, sizeof(buf));
    for (size_t i = 64; i < sizeof(buf); i++)
        assert_int_equal(buf[i], 0x5a);
    fdt_write_end_node(&w);
    fdt_write_end_node(&w); /* a misuse too, but ENOSPC came first */
    fdt_write_prop_u32(&w, "x", 1);
    assert_int_equal(fdt_write_finish(&w, NULL), -ENOSPC);
    assert_memory_equal(buf, copy, sizeof(buf));

    /* Nothing is accepted after finish. */
    fdt_write_init(&w, buf, sizeof(buf));
    fdt_write_begin_node(&w, "");
    fdt_write_end_node(&w);
    assert_int_equal(fdt_write_finish(&w, NULL), 0);
    fdt_write_begin_node(&w, "");
    assert_int_equal(fdt_write_error(&w), -EINVAL);
    assert_int_equal(fdt_write_finish(&w, NULL), -EINVAL);

    /* A buffer smaller than the header, or none at all. */
    fdt_write_init(&w, buf, 39);
    assert_int_equal(fdt_write_error(&w), -ENOSPC);
    fdt_write_init(&w, NULL, 4096);
    fdt_write_begin_node(&w, "");
    fdt_write_end_node(&w);
    assert_int_equal(fdt_write_finish(&w, NULL), -ENOSPC);
}

static void smallest_tree(void **state)
{
    unsigned char buf[72];
    struct fdt_writer w;
    size_t total;
    fdt_write_init(&w, buf, sizeof(buf));
    fdt_write_begin_node(&w, "");
    fdt_write_end_node(&w);
    assert_int_equal(fdt_write_finish(&w, &total), 0);
    /* Header, the reservation terminator, BEGIN "" END DONE, no strings. */
    assert_int_equal(total, 40 + 16 + 16);
    struct fdt f;
    assert_int_equal(fdt_open(&f, buf, total, NULL), 0);
    assert_int_equal(fdt_next_node(&f, 0, NULL), -1);
}

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint32_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/*
 * Random trees: each node gets a "id" property with its document-order number and a few
 * properties whose names repeat across nodes; the reader must see the same shape.
 */
static unsigned write_random(struct fdt_writer *w, unsigned depth, unsigned *next_id,
                             unsigned *parents)
{
    unsigned id = (*next_id)++;
    fdt_write_prop_u32(w, "id", id);
    unsigned nprops = rng() % 4;
    for (unsigned p = 0; p < nprops; p++) {
        char name[16], val[40];
        snprintf(name, sizeof(name), "p%u", rng() % 6);
        unsigned len = rng() % sizeof(val);
        memset(val, (int)(id & 0xff), len);
        fdt_write_property(w, name, val, len);
    }
    unsigned kids = depth < 6 ? rng() % 4 : 0;
    for (unsigned k = 0; k < kids && *next_id < 200; k++) {
        char name[16];
        snprintf(name, sizeof(name), "n@%x", k);
        fdt_write_begin_node(w, name);
        parents[*next_id] = id;
        write_random(w, depth + 1, next_id, parents);
        fdt_write_end_node(w);
    }
    return id;
}

static void random_trees_read_back(void **state)
{
    static unsigned char buf[64 * 1024];
    for (unsigned round = 0; round < 200; round++) {
        unsigned parents[256], count = 0;
        struct fdt_writer w;
        size_t total;
        fdt_write_init(&w, buf, sizeof(buf));
        fdt_write_begin_node(&w, "");
        write_random(&w, 0, &count, parents);
        fdt_write_end_node(&w);
        assert_int_equal(fdt_write_finish(&w, &total), 0);

        struct fdt f;
        assert_int_equal(fdt_open(&f, buf, total, NULL), 0);
        unsigned seen = 0;
        for (int n = fdt_next_node(&f, -1, NULL); n >= 0; n = fdt_next_node(&f, n, NULL)) {
            uint32_t id, pid;
            assert_true(fdt_prop_u32(&f, n, "id", &id));
            assert_int_equal(id, seen);
            if (id)
                assert_true(fdt_prop_u32(&f, fdt_parent(&f, n), "id", &pid)),
                    assert_int_equal(pid, parents[id]);
            seen++;
        }
        assert_int_equal(seen, count);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(guest_tree_round_trip), cmocka_unit_test(strings_are_shared),
        cmocka_unit_test(enospc_at_every_size),  cmocka_unit_test(dtc_accepts_output),
        cmocka_unit_test(misuse_is_einval),      cmocka_unit_test(errors_are_sticky),
        cmocka_unit_test(smallest_tree),         cmocka_unit_test(random_trees_read_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
